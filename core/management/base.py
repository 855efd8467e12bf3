"""Base for operator commands: domain errors become clear command errors, never tracebacks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError


class OperatorCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            field = f"{exc.field}: " if exc.field else ""
            raise CommandError(f"{field}{exc.message}") from exc
