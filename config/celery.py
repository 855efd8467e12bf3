"""The Celery app, tenant-aware: a task sent from a tenant schema runs in that schema."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("reception_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
