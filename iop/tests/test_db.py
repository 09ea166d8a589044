"""Pausing psycopg's prepared statements for queries whose generic plan is slow."""

import pytest
from django.db import connection

from iop.db import unprepared

pytestmark = pytest.mark.django_db


def test_preparation_is_paused_inside_and_restored_after(django_assert_num_queries):
    connection.ensure_connection()
    before = connection.connection.prepare_threshold
    assert before == 5, "settings ask psycopg to prepare statements after 5 runs"
    with django_assert_num_queries(1), unprepared(), connection.cursor() as cursor:
        assert connection.connection.prepare_threshold is None
        cursor.execute("SELECT 1")  # still counted: the query goes through Django's cursor
    assert connection.connection.prepare_threshold == before


def test_preparation_is_restored_when_the_query_fails():
    connection.ensure_connection()
    with pytest.raises(ZeroDivisionError), unprepared():
        raise ZeroDivisionError
    assert connection.connection.prepare_threshold == 5
