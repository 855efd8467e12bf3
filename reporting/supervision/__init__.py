"""Supervision (监督检查): budget spending, early warnings and their digest, inspections of subordinates.

One flow because all three watch the same thing, whether receptions keep the rules and the budget,
and feed the same role (finance and supervisors) from the same pages."""
