"""Database helpers shared by the apps."""

from contextlib import contextmanager

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Field, ForeignObject, Lookup


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


class AnyOf(Lookup):
    """``field__any_of=ids``: membership in a list of values passed as one array parameter.

    ``field__in=ids`` writes one placeholder per id, so a question about a week's 510 patients
    carries 510 bind parameters in each subquery that repeats it (2,044 in the access rule),
    and Django and PostgreSQL spend milliseconds compiling and planning the text. On
    PostgreSQL this writes ``field = ANY(%s::type[])`` with the list as a single parameter,
    which also keeps the statement text the same whatever the number of ids (one prepared
    plan). Other databases get the ordinary ``IN (...)``.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            array_type = self.lhs.output_field.cast_db_type(connection)
            return f"{lhs_sql} = ANY(%s::{array_type}[])", (*lhs_params, values)
        if not values:
            raise EmptyResultSet
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs_sql} IN ({placeholders})", (*lhs_params, *values)


# Foreign keys keep their own lookup registry (related lookups), so they get it too.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
