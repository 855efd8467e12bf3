"""`migrate` is `migrate_schemas` on this platform (public, template and every tenant)."""

from tenants.management.commands.migrate_schemas import Command

__all__ = ["Command"]
