"""Back up the database with pg_dump, restore it into a scratch database, and prove the copy is whole.

Run it on a schedule next to the real backups: a backup that has never been restored is
only a hope. See README "Security" for the procedure. The dump holds every chart, so it is
written readable by its owner only (0600), and "whole" means every table's rows have the
same content, not merely the same number.
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


# Per table: the row count and a checksum of every row's text. The checksum is the sum of each
# row's MD5 read as two 64-bit numbers, so it needs no sort and constant memory however large the
# table, and does not depend on the order pg_restore wrote the rows in.
FINGERPRINT_SQL = """
    SELECT count(*),
           coalesce(sum(('x' || left(digest, 16))::bit(64)::bigint::numeric), 0)
           || ':' || coalesce(sum(('x' || right(digest, 16))::bit(64)::bigint::numeric), 0)
      FROM (SELECT md5(row_value::text) AS digest FROM {} AS row_value) AS digests
"""


def _table_fingerprints(cursor) -> dict[str, tuple[int, str]]:
    """Every table's (row count, content checksum), as this connection's snapshot sees them."""
    # A row's text depends on session settings (a database-level TimeZone is not in the dump):
    # both sides render rows the same way.
    cursor.execute(
        "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET IntervalStyle TO 'postgres';"
        " SET extra_float_digits TO 3; SET bytea_output TO 'hex'"
    )
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    tables = [row[0] for row in cursor.fetchall()]
    fingerprints = {}
    for table in tables:
        cursor.execute(sql.SQL(FINGERPRINT_SQL).format(sql.Identifier(table)))
        count, checksum = cursor.fetchone()
        fingerprints[table] = (count, checksum)
    return fingerprints


def _private_file(path: Path) -> int:
    """Open ``path`` for writing, readable and writable by its owner only, even if it existed before."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    return descriptor


class Command(BaseCommand):
    help = (
        "pg_dump the configured PostgreSQL database (file mode 0600), pg_restore it into a scratch database, "
        "check every table's row count and content checksum match, then drop the scratch database."
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
            source = self._dump(config, dump_path)
            self.stdout.write(f"Dumped {config['NAME']} to {dump_path} ({dump_path.stat().st_size} bytes, mode 0600).")
            restored = self._restore_and_fingerprint(config, dump_path)

        mismatches = {
            table: (fingerprint, restored.get(table))
            for table, fingerprint in source.items()
            if restored.get(table) != fingerprint
        }
        if mismatches:
            for table, (expected, found) in sorted(mismatches.items()):
                if found is None:
                    self.stderr.write(f"  {table}: {expected[0]} rows in the database, missing from the restored copy")
                elif found[0] != expected[0]:
                    self.stderr.write(f"  {table}: {expected[0]} rows in the database, {found[0]} in the restored copy")
                else:
                    self.stderr.write(f"  {table}: {expected[0]} rows in both, but their content differs")
            raise CommandError(f"The restored copy differs in {len(mismatches)} table(s).")
        total = sum(count for count, _ in source.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore check passed: {len(source)} tables, {total} rows, every count and content checksum match."
            )
        )

    def _dump(self, config: dict, dump_path: Path) -> dict[str, tuple[int, str]]:
        """Dump under an exported snapshot and fingerprint the tables in that same snapshot, so writes
        made meanwhile by a running clinic cannot make the comparison fail."""
        connection = psycopg2.connect(**_connection_kwargs(config, config["NAME"]))
        try:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                # pg_dump writes to a file we opened 0600: with --file it would follow the umask (often 0644).
                descriptor = _private_file(dump_path)
                try:
                    # Arguments come from settings and a server-made snapshot id, never from a request.
                    result = subprocess.run(  # noqa: S603
                        [self.tools["pg_dump"], "--format=custom", f"--snapshot={snapshot}", config["NAME"]],
                        env=_client_env(config),
                        stdout=descriptor,
                        stderr=subprocess.PIPE,
                        text=True,
                        check=False,
                    )
                finally:
                    os.close(descriptor)
                if result.returncode != 0:
                    raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
                return _table_fingerprints(cursor)
        finally:
            connection.rollback()
            connection.close()

    def _restore_and_fingerprint(self, config: dict, dump_path: Path) -> dict[str, tuple[int, str]]:
        scratch_name = f"{config['NAME']}_restore_check_{secrets.token_hex(4)}"[:63]
        admin = psycopg2.connect(**_connection_kwargs(config, "postgres"))
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch_name)))
            self.stdout.write(f"Restoring into scratch database {scratch_name}.")
            self._restore(config, dump_path, scratch_name)
            restored = psycopg2.connect(**_connection_kwargs(config, scratch_name))
            try:
                with restored.cursor() as cursor:
                    return _table_fingerprints(cursor)
            finally:
                restored.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch_name)))
            admin.close()
            self.stdout.write(f"Dropped scratch database {scratch_name}.")

    def _restore(self, config: dict, dump_path: Path, scratch_name: str) -> None:
        result = subprocess.run(  # noqa: S603
            [self.tools["pg_restore"], "--no-owner", "--exit-on-error", f"--dbname={scratch_name}", str(dump_path)],
            env=_client_env(config),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
