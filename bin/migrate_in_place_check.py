#!/usr/bin/env python
"""Prove that a database made by an older layout of the code migrates in place, losing nothing.

For each case (the demo clinic and the small sized clinic of ``seed_scale --size S`` on
PostgreSQL, and the demo on the SQLite file ``make run`` uses on a laptop):

1. check the older commit (``--base``, by default the last one before the apps were split)
   out into a scratch folder, create a scratch database, migrate and seed it with that
   commit's code;
2. record every table's row count and a checksum of its rows;
3. migrate the same database with this checkout's code up to the end of the split
   (every app's last migration at ``SPLIT_COMMIT``);
4. compare: every table is still there with the same rows (the few tables whose rows a
   move must change, such as content types relabelled to their new app, are compared by
   row count and keys, and the change is listed); no table was added or dropped; and the
   schema (columns, constraints, indexes, triggers, with their names) is exactly the
   schema a fresh database migrated to the same point has;
5. apply the migrations that came after the split, and check every table kept its rows.

Exit status 0 when every case passes, 1 otherwise. Run with ``make migration-proof``.
"""

import argparse
import hashlib
import os
import sqlite3
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
# The migrations that complete the split (issue 15): the proof compares the database at this
# point, where nothing but the layout has changed; later features add columns and tables of
# their own, so after that only the row counts are compared.
SPLIT_COMMIT = "19fb2de0be26d58721d7b31cbbd541bd8b9e749f"
DEMO = [["seed_demo"], ["seed_schedule"], ["seed_clinical_demo"], ["seed_notes_demo"]]
# case → (engine, seed commands)
CASES = {
    "demo": ("postgresql", DEMO),
    "scale-S": ("postgresql", [["seed_scale", "--size", "S"]]),
    "demo-sqlite": ("sqlite", DEMO),
}
# Rows a move changes on purpose, compared by count and keys instead of content.
# Rows the current code adds whatever the migration target: post_migrate creates content types
# and permissions for today's models, and roles.py re-syncs each role's grants. Every row that
# was there must still be there (same keys); new ones may appear.
GROWN_BY_POST_MIGRATE = {
    "auth_permission": "permissions of models and rules added after the split",
    "auth_group_permissions": "each role's grants re-synced from accounts/roles.py",
}
RELABELLED = {
    "django_content_type": "a moved model's content type takes its new app's label (permissions keep their ids)",
    "django_celery_beat_periodictask": "a moved task is scheduled under its new module path",
    "django_celery_beat_periodictasks": "beat is told that the schedule changed",
    "django_migrations": "the new migrations are recorded",
    "sqlite_sequence": "SQLite's id counters moved on with the migrations' own rows",
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
    case: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0


class Postgres:
    """A scratch database on the server DATABASE_URL names."""

    def __init__(self, name: str):
        self.name = name

    @staticmethod
    def url(name: str) -> str:
        base = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop"))
        return urlunparse(base._replace(path=f"/{name}"))

    def _admin(self, statement: sql.Composable) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(statement)

    def create(self) -> None:
        self.drop()
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def environment(self, tree: Path) -> dict:
        return {"DATABASE_URL": self.url(self.name), "IOP_VAR_DIR": str(tree / "var")}

    def snapshot(self) -> dict[str, tuple[int, str, list]]:
        """Per table: row count, a checksum of every row, and the primary keys (for relabelled tables)."""
        tables = {}
        with psycopg.connect(self.url(self.name)) as connection:
            for (table,) in connection.execute(TABLES_SQL).fetchall():
                count, checksum = connection.execute(ROWS_SQL.format(sql.Identifier(table))).fetchone()
                keys = []
                if table in RELABELLED:
                    (key,) = connection.execute(PRIMARY_KEY_SQL, [table]).fetchone()
                    query = sql.SQL("SELECT {} FROM {} ORDER BY 1").format(sql.Identifier(key), sql.Identifier(table))
                    keys = [row[0] for row in connection.execute(query).fetchall()]
                tables[table] = (count, checksum, keys)
        return tables

    def schema(self) -> dict[str, set[tuple]]:
        with psycopg.connect(self.url(self.name)) as connection:
            return {part: set(connection.execute(query).fetchall()) for part, query in SCHEMA_SQL.items()}


class Sqlite:
    """The SQLite file ``make run`` keeps under var/ when no DATABASE_URL is set."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / "iop.sqlite3"

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path.unlink(missing_ok=True)

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)

    def environment(self, tree: Path) -> dict:
        return {"DATABASE_URL": "", "IOP_VAR_DIR": str(self.folder)}

    def snapshot(self) -> dict[str, tuple[int, str, list]]:
        tables = {}
        with sqlite3.connect(self.path) as connection:
            names = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
            for (table,) in names:
                rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
                keys = sorted(row.split(",")[0] for row in rows) if table in RELABELLED else []
                tables[table] = (len(rows), hashlib.md5("|".join(rows).encode()).hexdigest(), keys)  # noqa: S324
        return tables

    def schema(self) -> dict[str, set[tuple]]:
        """Columns and indexes (SQLite keeps CHECK constraints inside each table's definition, where
        Django never looks a name up; it rebuilds the table from the migration state instead)."""
        columns, indexes = set(), set()
        with sqlite3.connect(self.path) as connection:
            names = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            for (table,) in names:
                for row in connection.execute(f'PRAGMA table_info("{table}")'):
                    columns.add((table, row[1], row[2], row[3], row[4] or "", row[5]))
                for row in connection.execute(f'PRAGMA index_list("{table}")'):
                    if not row[1].startswith("sqlite_autoindex"):
                        indexes.add((table, row[1], row[2], row[4]))
        return {"columns": columns, "indexes": indexes}


def database_for(case: str, workdir: Path):
    engine, _ = CASES[case]
    if engine == "sqlite":
        return Sqlite(workdir / f"var-{case}")
    return Postgres(f"iop_layout_{case.replace('-', '_').lower()}_{os.getpid()}")


def manage(tree: Path, database, *args: str) -> None:
    env = {**os.environ, "DEBUG": "1", "CELERY_TASK_ALWAYS_EAGER": "1", **database.environment(tree)}
    if not env["DATABASE_URL"]:
        del env["DATABASE_URL"]
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


def compare(report: Report, before: dict, after: dict) -> None:
    for table in sorted(set(before) - set(after)):
        report.problems.append(f"table {table} is gone")
    for table in sorted(set(after) - set(before)):
        report.problems.append(f"table {table} appeared (a move must not create tables)")
    for table in sorted(set(before) & set(after)):
        (count_before, sum_before, keys_before), (count_after, sum_after, keys_after) = before[table], after[table]
        report.tables += 1
        report.rows += count_before
        if table == "django_migrations":
            if count_after < count_before:
                report.problems.append("django_migrations lost rows")
            continue
        if table in GROWN_BY_POST_MIGRATE:
            if count_after < count_before:
                report.problems.append(f"{table}: {count_before} rows before, {count_after} after")
            elif count_after > count_before:
                report.notes.append(f"{table}: {count_after - count_before} rows added; {GROWN_BY_POST_MIGRATE[table]}")
            continue
        if table in RELABELLED:
            if not set(keys_before) <= set(keys_after):
                report.problems.append(f"{table}: rows lost ({count_before} before, {count_after} after)")
            elif sum_before != sum_after:
                grown = f", {count_after - count_before} added by today's models" if count_after > count_before else ""
                report.notes.append(f"{table}: {count_before} rows kept{grown}; {RELABELLED[table]}")
            continue
        if count_before != count_after:
            report.problems.append(f"{table}: {count_before} rows before, {count_after} after")
        elif sum_before != sum_after:
            report.problems.append(f"{table}: same {count_before} rows, different content")


def compare_schema(report: Report, migrated: dict, fresh: dict) -> None:
    # Tables a seed makes for itself (seed_scale's marker) are not the migrations' business.
    migrations_tables = {row[0] for row in fresh["columns"]}
    migrated = {part: {row for row in rows if row[0] in migrations_tables} for part, rows in migrated.items()}
    for part in fresh:
        for row in sorted(migrated[part] - fresh[part], key=str)[:20]:
            report.problems.append(f"{part}: only in the migrated database: {row}")
        for row in sorted(fresh[part] - migrated[part], key=str)[:20]:
            report.problems.append(f"{part}: only in a fresh database: {row}")


def split_targets() -> list[tuple[str, str]]:
    """Each app's last migration at SPLIT_COMMIT (read from git, so later migrations need no edit here)."""
    listing = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", SPLIT_COMMIT], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    last: dict[str, str] = {}
    for path in listing:
        parts = Path(path).parts
        if len(parts) == 3 and parts[1] == "migrations" and parts[2][:4].isdigit():
            last[parts[0]] = max(last.get(parts[0], ""), Path(parts[2]).stem)
    return sorted(last.items())


def migrate_to_split(database) -> None:
    # One process for every app's target: starting Django once per app costs minutes over three cases.
    calls = "; ".join(
        f"call_command('migrate', {app!r}, {target!r}, interactive=False)" for app, target in split_targets()
    )
    manage(ROOT, database, "shell", "--no-imports", "-c", f"from django.core.management import call_command; {calls}")


def fresh_schema(engine: str, workdir: Path) -> dict:
    database = (
        Sqlite(workdir / "var-fresh")
        if engine == "sqlite"
        else Postgres(f"iop_layout_fresh_{workdir.name}_{os.getpid()}")
    )
    database.create()
    try:
        migrate_to_split(database)
        return database.schema()
    finally:
        database.drop()


def compare_counts(report: Report, before: dict, after: dict) -> None:
    """After the later migrations: every table of the split is still there with its rows."""
    for table, (count, _, _) in sorted(before.items()):
        if table in RELABELLED:
            continue
        if table not in after:
            report.problems.append(f"after the later migrations, table {table} is gone")
        elif after[table][0] < count:
            report.problems.append(f"after the later migrations, {table}: {count} rows before, {after[table][0]} after")


def check(case: str, base: str, workdir: Path) -> Report:
    report = Report(case)
    engine, seeds = CASES[case]
    old_tree = workdir / f"old-{case}"
    old_tree.mkdir()
    checkout(base, old_tree)
    database = database_for(case, workdir)
    database.create()
    try:
        manage(old_tree, database, "migrate", "--noinput")
        for command in seeds:
            manage(old_tree, database, *command)
        before = database.snapshot()
        migrate_to_split(database)
        split = database.snapshot()
        compare(report, before, split)
        compare_schema(report, database.schema(), fresh_schema(engine, workdir / case.replace("-", "_")))
        # The migrations that came after the split apply to the moved database too, losing no row.
        manage(ROOT, database, "migrate", "--noinput")
        compare_counts(report, split, database.snapshot())
    finally:
        database.drop()
    return report


def run(cases: list[str], base: str = LAYOUT_BASE) -> list[Report]:
    with tempfile.TemporaryDirectory(prefix="iop-layout-") as scratch:
        workdir = Path(scratch)
        # The cases run side by side: each has its own database and scratch tree.
        with ThreadPoolExecutor(max_workers=len(cases)) as pool:
            return list(pool.map(lambda case: check(case, base, workdir), cases))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=LAYOUT_BASE, help="the older commit whose code seeds the database")
    parser.add_argument("--case", choices=sorted(CASES), action="append", help="default: every case")
    options = parser.parse_args()
    failed = False
    for report in run(options.case or list(CASES), options.base):
        verdict = "FAILED" if report.problems else "ok"
        print(f"{report.case}: {verdict}: {report.tables} tables, {report.rows} rows compared")
        for note in report.notes:
            print(f"  changed on purpose: {note}")
        for problem in report.problems:
            print(f"  PROBLEM: {problem}")
        failed |= bool(report.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
