"""Chain the rows written before the hash chain existed, then make the audit tables append-only.

On PostgreSQL a trigger refuses every UPDATE and DELETE on audit_accesslog and
audit_disclosure, whoever sends it (the ORM, raw SQL, the app's role). In production the
app's role should in addition hold only INSERT and SELECT on these tables (README).
SQLite, the laptop fallback, gets the ORM guards only.
"""

from django.db import migrations

TABLES = ("audit_accesslog", "audit_disclosure")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def chain_existing_rows(apps, schema_editor):
    from audit.constants import GENESIS_HASH
    from audit.models.access_log import access_log_hash

    AccessLog = apps.get_model("audit", "AccessLog")
    previous = GENESIS_HASH
    for row in AccessLog.objects.order_by("id").iterator(chunk_size=2000):
        row.previous_hash = previous
        row.row_hash = access_log_hash(
            at=row.at,
            user_id=row.user_id,
            patient_id=row.patient_id,
            category=row.category,
            action=row.action,
            outcome=row.outcome,
            ip_address=row.ip_address,
            detail=row.detail,
            previous_hash=previous,
        )
        AccessLog.objects.filter(pk=row.pk).update(previous_hash=row.previous_hash, row_hash=row.row_hash)
        previous = row.row_hash


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No params: the function body's % placeholders are PL/pgSQL's, not the driver's.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_hash_chain_and_disclosures"),
    ]

    operations = [
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
