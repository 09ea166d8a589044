"""The access log is chained after commit by a sequencer, and the audit tables refuse TRUNCATE.

Rows get a place in the chain (``chain_seq``): the rows chained so far keep their hashes and
take places 1…n in id order, the order the old global lock chained them in. From now on a
look inserts its row unchained and the sequencer (audit.services.access_log_chain) chains it.

On PostgreSQL the access log's trigger now allows one UPDATE: giving an unchained row its
place and hashes, every other column unchanged. Every other UPDATE and every DELETE is still
refused, and a statement trigger refuses TRUNCATE on audit_accesslog and audit_disclosure
(a row trigger never sees TRUNCATE, which emptied both tables with the triggers on).
"""

from django.db import migrations, models

CHAINED_COLUMNS = "'{chain_seq,previous_hash,row_hash}'::text[]"

ACCESS_LOG_GUARD = f"""
CREATE OR REPLACE FUNCTION audit_accesslog_chain_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
       AND to_jsonb(NEW) - {CHAINED_COLUMNS} = to_jsonb(OLD) - {CHAINED_COLUMNS} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def drop_row_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog")


def restore_row_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER audit_accesslog_append_only BEFORE UPDATE OR DELETE ON audit_accesslog "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )


def number_chained_rows(apps, schema_editor):
    # One statement, whatever the size of the log (PostgreSQL, and SQLite 3.33+).
    schema_editor.execute(
        "UPDATE audit_accesslog SET chain_seq = numbered.place FROM "
        "(SELECT id, row_number() OVER (ORDER BY id) AS place FROM audit_accesslog) AS numbered "
        "WHERE audit_accesslog.id = numbered.id"
    )


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No params: the function body's % placeholders are PL/pgSQL's, not the driver's.
    schema_editor.execute(ACCESS_LOG_GUARD, params=None)
    schema_editor.execute(
        "CREATE TRIGGER audit_accesslog_append_only BEFORE UPDATE OR DELETE ON audit_accesslog "
        "FOR EACH ROW EXECUTE FUNCTION audit_accesslog_chain_only()"
    )
    for table in ("audit_accesslog", "audit_disclosure"):
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("audit_accesslog", "audit_disclosure"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_accesslog_chain_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_drug_test_categories"),
    ]

    operations = [
        migrations.RunPython(drop_row_trigger, restore_row_trigger),
        migrations.AddField(
            model_name="accesslog",
            name="chain_seq",
            field=models.PositiveBigIntegerField(
                blank=True,
                editable=False,
                help_text="Position in the hash chain (1 is the first row chained).",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="previous_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="row_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(number_chained_rows, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="accesslog",
            index=models.Index(
                condition=models.Q(("chain_seq__isnull", True)), fields=["id"], name="audit_accesslog_unchained"
            ),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.UniqueConstraint(
                fields=("chain_seq",),
                name="audit_accesslog_chain_seq_unique",
                violation_error_message="Two access-log rows cannot hold the same place in the chain.",
            ),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("chain_seq__isnull", True), ("previous_hash", ""), ("row_hash", "")),
                    models.Q(
                        ("chain_seq__gte", 1),
                        models.Q(("previous_hash", ""), _negated=True),
                        models.Q(("row_hash", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="audit_accesslog_chained_whole",
                violation_error_message=(
                    "A row is chained with its place, its predecessor's hash and its own, or not at all."
                ),
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
