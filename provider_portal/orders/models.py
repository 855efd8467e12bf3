"""Tenant-local order tables (filled in by the provider portal issue)."""
