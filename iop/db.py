"""Database helpers shared by the apps."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def unprepared():
    """Run the block's queries without server-side prepared statements.

    psycopg prepares a statement after it has run a few times on a connection, and PostgreSQL
    may then switch to a generic plan that ignores the parameters' values. For an aggregate
    over hundreds of episode ids that plan was 10× slower (the compliance ledger: 40 → 410 ms),
    so such queries are planned afresh each time. Queries still go through Django's cursor
    (and are counted); only psycopg's preparation is paused.
    """
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor != "postgresql" or not hasattr(raw, "prepare_threshold"):
        yield
        return
    previous = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = previous
