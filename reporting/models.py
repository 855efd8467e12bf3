"""Cross-tenant reporting tables (public schema)."""
