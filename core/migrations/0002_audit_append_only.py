from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION core_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_audit_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_audit_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_audit_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
