"""A Celery task for the pooling test, loaded into the test's worker with `--include`.

It records which schema its queries really ran in: once outside a transaction (each statement
its own transaction, so each may reach a different server connection) and once inside one."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.db import connection, transaction

from config.celery import app


@app.task(name="tests.scale.pooling_probe")
def pooling_probe(tag: str) -> None:
    from reception.models import Task

    autocommit_titles = sorted(Task.objects.values_list("title", flat=True))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema_in_transaction = cursor.fetchone()[0]
        transaction_titles = sorted(Task.objects.values_list("title", flat=True))
    line = {
        "tag": tag,
        "tenant": connection.schema_name,
        "autocommit_titles": autocommit_titles,
        "schema_in_transaction": schema_in_transaction,
        "transaction_titles": transaction_titles,
    }
    with Path(os.environ["POOLING_PROBE_FILE"]).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
