"""Oversight (监督) of a superior's subtree: completeness, totals and trend from the reports."""
