"""Database plumbing: the PostgreSQL backend (`core.db.backend`)."""
