"""Back up the database with pg_dump, restore it into a scratch database, and prove the copy is whole.

Run it on a schedule next to the real backups: a backup that has never been restored is
only a hope. See README "Security" for the procedure.
"""

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg2 import sql


def _connection_kwargs(database: dict, dbname: str) -> dict:
    return {
        "dbname": dbname,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }


def _client_env(database: dict) -> dict:
    env = dict(os.environ)
    # The PG* variables keep the password off the command line (visible in `ps`).
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def _table_row_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = (
        "pg_dump the configured PostgreSQL database, pg_restore it into a scratch database, "
        "check every table's row count matches, then drop the scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dump",
            metavar="FILE",
            help="Where to write the dump (custom format). Without it a temporary file is used and removed.",
        )
        parser.add_argument("--database", default="default", help="Which DATABASES entry to back up.")

    def handle(self, *args, dump=None, database="default", **options):
        config = settings.DATABASES[database]
        if not config["ENGINE"].endswith("postgresql"):
            raise CommandError("backup_restore_check needs PostgreSQL (DATABASE_URL=postgres://...).")
        self.tools = {}
        for tool in ("pg_dump", "pg_restore"):
            self.tools[tool] = shutil.which(tool)
            if self.tools[tool] is None:
                raise CommandError(f"{tool} is not installed (apt-get install postgresql-client).")

        with tempfile.TemporaryDirectory() as scratch_dir:
            dump_path = Path(dump) if dump else Path(scratch_dir) / "backup.dump"
            source_counts = self._dump(config, dump_path)
            self.stdout.write(f"Dumped {config['NAME']} to {dump_path} ({dump_path.stat().st_size} bytes).")
            restored_counts = self._restore_and_count(config, dump_path)

        mismatches = {
            table: (count, restored_counts.get(table))
            for table, count in source_counts.items()
            if restored_counts.get(table) != count
        }
        if mismatches:
            for table, (expected, found) in sorted(mismatches.items()):
                self.stderr.write(f"  {table}: {expected} rows in the database, {found} in the restored copy")
            raise CommandError(f"The restored copy differs in {len(mismatches)} table(s).")
        total = sum(source_counts.values())
        self.stdout.write(
            self.style.SUCCESS(f"Restore check passed: {len(source_counts)} tables, {total} rows, all counts match.")
        )

    def _dump(self, config: dict, dump_path: Path) -> dict[str, int]:
        """Dump under an exported snapshot and count rows in that same snapshot, so writes made
        meanwhile by a running clinic cannot make the comparison fail."""
        connection = psycopg2.connect(**_connection_kwargs(config, config["NAME"]))
        try:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                # Arguments come from settings and a server-made snapshot id, never from a request.
                result = subprocess.run(  # noqa: S603
                    [
                        self.tools["pg_dump"],
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={dump_path}",
                        config["NAME"],
                    ],
                    env=_client_env(config),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
                return _table_row_counts(cursor)
        finally:
            connection.rollback()
            connection.close()

    def _restore_and_count(self, config: dict, dump_path: Path) -> dict[str, int]:
        scratch_name = f"{config['NAME']}_restore_check_{secrets.token_hex(4)}"[:63]
        admin = psycopg2.connect(**_connection_kwargs(config, "postgres"))
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch_name)))
            self.stdout.write(f"Restoring into scratch database {scratch_name}.")
            result = subprocess.run(  # noqa: S603
                [self.tools["pg_restore"], "--no-owner", "--exit-on-error", f"--dbname={scratch_name}", str(dump_path)],
                env=_client_env(config),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
            restored = psycopg2.connect(**_connection_kwargs(config, scratch_name))
            try:
                with restored.cursor() as cursor:
                    return _table_row_counts(cursor)
            finally:
                restored.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch_name)))
            admin.close()
            self.stdout.write(f"Dropped scratch database {scratch_name}.")
