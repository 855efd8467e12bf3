"""Tenant-local reporting tables."""
