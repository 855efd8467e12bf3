"""Statement-level triggers that NOTIFY `reception_access` when a row the access cache keeps
(core/db/notified.py) may have changed: hosts, jurisdictions, memberships, users, and the
deletion of a token (knox's expiry renewal is an UPDATE the cache handles itself)."""

from django.db import migrations

FUNCTION = "public.reception_access_notify"
TABLES = {
    "tenants_domain": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "tenants_jurisdiction": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "tenants_membership": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "core_user": "UPDATE OR DELETE OR TRUNCATE",
    "knox_authtoken": "DELETE OR TRUNCATE",
}

CREATE = [
    f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('reception_access', TG_TABLE_NAME);
    RETURN NULL;
END $$"""
] + [
    f'CREATE TRIGGER reception_access_notify AFTER {events} ON public."{table}" '
    f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    for table, events in TABLES.items()
]
DROP = [f'DROP TRIGGER IF EXISTS reception_access_notify ON public."{table}"' for table in TABLES] + [
    f"DROP FUNCTION IF EXISTS {FUNCTION}()"
]


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_onboarding"),
        ("core", "0005_security"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunSQL(sql=CREATE, reverse_sql=DROP)]
