"""Clone the template both ways in the database DATABASE_URL names, each clone rolled back:
the catalog cloner (`tenants.cloning.clone`) and django-tenants' `clone_schema` function.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/clone_compare.py [runs]

Point it at a database holding many jurisdictions (a seeded demo: 121) to see how each grows
with the catalog. Nothing is left behind.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django_tenants.clone import CloneSchema  # noqa: E402

from tenants.cloning import clone  # noqa: E402
from tenants.provisioning import TEMPLATE_SCHEMA, template_require_current  # noqa: E402


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    connection.set_schema_to_public()
    template_require_current()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenants_jurisdiction")
        print(
            f"{cursor.fetchone()[0]} jurisdictions in {connection.settings_dict['NAME']}; load {os.getloadavg()[0]:.1f}"
        )
    ways = {
        "tenants.cloning.clone": lambda name: clone(TEMPLATE_SCHEMA, name),
        "django-tenants clone_schema": lambda name: CloneSchema().clone_schema(TEMPLATE_SCHEMA, name, "DATA"),
    }
    for label, run in ways.items():
        times = []
        for i in range(runs):
            with transaction.atomic():
                started = time.perf_counter()
                run(f"zz_clone_probe_{i}")
                times.append(time.perf_counter() - started)
                transaction.set_rollback(True)
        median, low, high = statistics.median(times), min(times), max(times)
        print(f"{label:30} median {median:.3f} s  min {low:.3f}  max {high:.3f}  ({runs} runs)")


if __name__ == "__main__":
    main()
