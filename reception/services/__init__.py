"""Writes of the reception workflow: one function per action, one transaction, one audit entry.

Every service takes the acting user and the jurisdiction (keyword-only) and runs in that
jurisdiction's schema, which the caller has activated (the request or `tenant_context`).
"""
