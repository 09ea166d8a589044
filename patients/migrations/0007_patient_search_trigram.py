"""Trigram index for the registry's name search on PostgreSQL.

The registry matches folded names with ``search_name LIKE '%token%'``; a B-tree cannot
serve a leading wildcard, so at 50,000 patients the search was a sequential scan (1 s).
pg_trgm's GIN index serves it. SQLite (the laptop demo) keeps the plain scan.
"""

from django.db import migrations

INDEX = "patients_patient_search_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Serves patients.selectors.patient_search: search_name__contains for each name token.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON patients_patient USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0006_break_glass_access")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
