#!/usr/bin/env python
"""Prove that a database made by an older layout of the code migrates in place, losing nothing.

For each seed (the demo clinic, and the small sized clinic of ``seed_scale --size S``):

1. check the older commit (``--base``, by default the last one before the apps were split)
   out into a scratch folder, create a scratch PostgreSQL database, migrate and seed it
   with that commit's code;
2. record every table's row count and a checksum of its rows;
3. migrate the same database with this checkout's code;
4. compare: every table is still there with the same rows (the few tables whose rows a
   move must change, such as content types relabelled to their new app, are compared by
   row count and ids, and the change is listed); no table was added or dropped; and the
   schema (columns, constraints, indexes, with their names and definitions) is exactly
   the schema a fresh database migrated with this checkout has.

Exit status 0 when both seeds pass, 1 otherwise. Run with ``make migration-proof``.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
# The last commit on main with every domain inside patients/ (before issue 15's split).
LAYOUT_BASE = "46868c34eba1069e570664a29299c189d7b1abd8"
SEEDS = {
    "demo": [["seed_demo"], ["seed_schedule"], ["seed_clinical_demo"], ["seed_notes_demo"]],
    "scale-S": [["seed_scale", "--size", "S"]],
}
# Rows a move changes on purpose, compared by count and primary keys instead of content.
RELABELLED = {
    "django_content_type": "a moved model's content type takes its new app's label (permissions keep their ids)",
    "django_celery_beat_periodictask": "a moved task is scheduled under its new module path",
    "django_celery_beat_periodictasks": "beat is told that the schedule changed",
    "django_migrations": "the new migrations are recorded",
}
PRIMARY_KEY_SQL = """
    SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
    WHERE i.indrelid = %s::regclass AND i.indisprimary
"""
ROWS_SQL = sql.SQL("SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {} t")
TABLES_SQL = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
SCHEMA_SQL = {
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
        FROM information_schema.columns WHERE table_schema = 'public'
    """,
    "constraints": """
        SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace WHERE nsp.nspname = 'public'
    """,
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "triggers": """
        SELECT event_object_table, trigger_name, event_manipulation, action_statement
        FROM information_schema.triggers WHERE trigger_schema = 'public'
    """,
}


@dataclass
class Report:
    seed: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0


def database_url(name: str) -> str:
    base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop"))
    return urlunparse(base._replace(path=f"/{name}"))


def admin_connection():
    return psycopg.connect(database_url("postgres"), autocommit=True)


def recreate(name: str) -> None:
    with admin_connection() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(name: str) -> None:
    with admin_connection() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(tree: Path, database: str, *args: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "DEBUG": "1",
        "IOP_VAR_DIR": str(tree / "var"),
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    env.pop("PYTEST_VERSION", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = result.stdout[-3000:] + result.stderr[-3000:]
        raise RuntimeError(f"manage.py {' '.join(args)} failed in {tree}:\n{output}")


def checkout(commit: str, into: Path) -> None:
    """The files of ``commit`` (git archive: no work tree or branch is created)."""
    known = subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT, check=False)
    if known.returncode != 0:
        raise RuntimeError(
            f"Commit {commit} is not in this clone; the check needs the history back to it (git fetch --unshallow)."
        )
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def snapshot(database: str) -> dict[str, tuple[int, str, list]]:
    """Per table: row count, a checksum of every row, and the primary keys (for relabelled tables)."""
    tables = {}
    with psycopg.connect(database_url(database)) as connection:
        for (table,) in connection.execute(TABLES_SQL).fetchall():
            count, checksum = connection.execute(ROWS_SQL.format(sql.Identifier(table))).fetchone()
            ids = []
            if table in RELABELLED:
                (key,) = connection.execute(PRIMARY_KEY_SQL, [table]).fetchone()
                query = sql.SQL("SELECT {} FROM {} ORDER BY 1").format(sql.Identifier(key), sql.Identifier(table))
                ids = [row[0] for row in connection.execute(query).fetchall()]
            tables[table] = (count, checksum, ids)
    return tables


def schema(database: str) -> dict[str, set[tuple]]:
    with psycopg.connect(database_url(database)) as connection:
        return {part: set(connection.execute(sql).fetchall()) for part, sql in SCHEMA_SQL.items()}


def compare(report: Report, before: dict, after: dict) -> None:
    for table in sorted(set(before) - set(after)):
        report.problems.append(f"table {table} is gone")
    for table in sorted(set(after) - set(before)):
        report.problems.append(f"table {table} appeared (a move must not create tables)")
    for table in sorted(set(before) & set(after)):
        (count_before, sum_before, ids_before), (count_after, sum_after, ids_after) = before[table], after[table]
        report.tables += 1
        report.rows += count_before
        if table == "django_migrations":
            if count_after < count_before:
                report.problems.append("django_migrations lost rows")
            continue
        if table in RELABELLED:
            if ids_before != ids_after:
                report.problems.append(f"{table}: rows differ ({count_before} before, {count_after} after)")
            elif sum_before != sum_after:
                report.notes.append(f"{table}: {count_after} rows, same ids; {RELABELLED[table]}")
            continue
        if count_before != count_after:
            report.problems.append(f"{table}: {count_before} rows before, {count_after} after")
        elif sum_before != sum_after:
            report.problems.append(f"{table}: same {count_before} rows, different content")


def compare_schema(report: Report, migrated: dict, fresh: dict) -> None:
    # Tables a seed makes for itself (seed_scale's marker) are not the migrations' business.
    migrations_tables = {row[0] for row in fresh["columns"]}
    migrated = {part: {row for row in rows if row[0] in migrations_tables} for part, rows in migrated.items()}
    for part in SCHEMA_SQL:
        for row in sorted(migrated[part] - fresh[part], key=str)[:20]:
            report.problems.append(f"{part}: only in the migrated database: {row}")
        for row in sorted(fresh[part] - migrated[part], key=str)[:20]:
            report.problems.append(f"{part}: only in a fresh database: {row}")


def check(seed: str, base: str, workdir: Path, fresh_schema: dict) -> Report:
    report = Report(seed)
    database = f"iop_layout_{seed.replace('-', '_').lower()}_{os.getpid()}"
    old_tree = workdir / f"old-{seed}"
    old_tree.mkdir()
    checkout(base, old_tree)
    recreate(database)
    try:
        manage(old_tree, database, "migrate", "--noinput")
        for command in SEEDS[seed]:
            manage(old_tree, database, *command)
        before = snapshot(database)
        manage(ROOT, database, "migrate", "--noinput")
        after = snapshot(database)
        compare(report, before, after)
        compare_schema(report, schema(database), fresh_schema)
    finally:
        drop(database)
    return report


def fresh_database_schema(workdir: Path) -> dict:
    database = f"iop_layout_fresh_{os.getpid()}"
    recreate(database)
    try:
        manage(ROOT, database, "migrate", "--noinput")
        return schema(database)
    finally:
        drop(database)


def run(seeds: list[str], base: str = LAYOUT_BASE) -> list[Report]:
    with tempfile.TemporaryDirectory(prefix="iop-layout-") as scratch:
        workdir = Path(scratch)
        fresh = fresh_database_schema(workdir)
        # The seeds run side by side: each has its own database and scratch tree.
        with ThreadPoolExecutor(max_workers=len(seeds)) as pool:
            return list(pool.map(lambda seed: check(seed, base, workdir, fresh), seeds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=LAYOUT_BASE, help="the older commit whose code seeds the database")
    parser.add_argument("--seed", choices=sorted(SEEDS), action="append", help="default: every seed")
    options = parser.parse_args()
    failed = False
    for report in run(options.seed or list(SEEDS), options.base):
        verdict = "FAILED" if report.problems else "ok"
        print(f"{report.seed}: {verdict}: {report.tables} tables, {report.rows} rows compared")
        for note in report.notes:
            print(f"  changed on purpose: {note}")
        for problem in report.problems:
            print(f"  PROBLEM: {problem}")
        failed |= bool(report.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
