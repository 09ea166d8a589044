"""Audit rows are append-only: the ORM refuses, and on PostgreSQL a trigger refuses raw SQL too."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, models, transaction

from audit.models import AccessLog, AppendOnlyError, Disclosure
from audit.services import access_log_chain

from .factories import AccessLogFactory, DisclosureFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


@pytest.fixture
def entry():
    """A row the sequencer has chained."""
    row = AccessLogFactory()
    access_log_chain()
    return AccessLog.objects.get(pk=row.pk)


def refused(sql: str, params=()) -> None:
    # Deferred foreign-key checks of the rows the test made fire first: TRUNCATE refuses to run past them.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


@pytest.fixture
def disclosure():
    return DisclosureFactory()


class TestOrmRefuses:
    def test_saving_a_changed_access_log_row(self, entry):
        entry.action = "rewritten"
        with pytest.raises(AppendOnlyError):
            entry.save()

    def test_deleting_an_access_log_row(self, entry):
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.filter(pk=entry.pk).delete()

    def test_queryset_update_of_access_log(self, entry):
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.filter(pk=entry.pk).update(action="rewritten")
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.bulk_update([entry], ["action"])

    def test_changing_or_deleting_a_disclosure(self, disclosure):
        disclosure.purpose = "something else"
        with pytest.raises(AppendOnlyError):
            disclosure.save()
        with pytest.raises(AppendOnlyError):
            disclosure.delete()
        with pytest.raises(AppendOnlyError):
            Disclosure.objects.all().update(purpose="x")
        with pytest.raises(AppendOnlyError):
            Disclosure.objects.all().delete()
        assert Disclosure.objects.get(pk=disclosure.pk).purpose == disclosure.consent.purpose


@postgres_only
class TestDatabaseRefuses:
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE audit_accesslog SET action = 'rewritten' WHERE id = %s",
            "DELETE FROM audit_accesslog WHERE id = %s",
        ],
    )
    def test_raw_sql_on_the_access_log(self, entry, sql):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
        assert AccessLog.objects.get(pk=entry.pk).action == entry.action

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE audit_disclosure SET purpose = 'rewritten' WHERE id = %s",
            "DELETE FROM audit_disclosure WHERE id = %s",
        ],
    )
    def test_raw_sql_on_the_disclosure_log(self, disclosure, sql):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [disclosure.pk])
        assert Disclosure.objects.filter(pk=disclosure.pk).exists()

    @pytest.mark.parametrize(
        "sql",
        [
            "TRUNCATE audit_accesslog, audit_disclosure",
            "TRUNCATE audit_accesslog",
            "TRUNCATE audit_disclosure",
            # CASCADE reaches the audit tables through their foreign keys to the patient.
            "TRUNCATE patients_patient CASCADE",
        ],
    )
    def test_truncate_is_refused(self, entry, disclosure, sql):
        refused(sql)
        assert AccessLog.objects.filter(pk=entry.pk).exists()
        assert Disclosure.objects.filter(pk=disclosure.pk).exists()

    def test_a_chained_row_is_never_chained_again(self, entry):
        refused(
            "UPDATE audit_accesslog SET chain_seq = 99, previous_hash = %s, row_hash = %s WHERE id = %s",
            ["a" * 64, "b" * 64, entry.pk],
        )
        unchain = "UPDATE audit_accesslog SET chain_seq = NULL, previous_hash = '', row_hash = '' WHERE id = %s"
        refused(unchain, [entry.pk])

    def test_chaining_an_unchained_row_changes_nothing_else(self, entry):
        pending = AccessLogFactory()
        refused(
            "UPDATE audit_accesslog SET chain_seq = 2, previous_hash = %s, row_hash = %s, action = 'rewritten' "
            "WHERE id = %s",
            [entry.row_hash, "c" * 64, pending.pk],
        )
        refused("UPDATE audit_accesslog SET action = 'rewritten' WHERE id = %s", [pending.pk])
        assert access_log_chain() == 1
        assert AccessLog.objects.get(pk=pending.pk).action == pending.action

    def test_orm_update_that_skips_the_guard_is_stopped_by_the_trigger(self, entry):
        # Django's own QuerySet.update, past the model's guard: only the trigger stands in its way.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            models.QuerySet.update(AccessLog.objects.filter(pk=entry.pk), action="rewritten")


class TestAdminIsReadOnly:
    @pytest.mark.parametrize("model", [AccessLog, Disclosure])
    def test_no_add_change_or_delete(self, rf, admin_user, model):
        request = rf.get("/")
        request.user = admin_user
        model_admin = site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        assert "delete_selected" not in model_admin.get_actions(request)

    def test_the_admin_shows_the_log(self, login, admin_user, entry):
        response = login(admin_user).get(f"/admin/audit/accesslog/{entry.pk}/change/")
        assert response.status_code == 200
        assert entry.action in response.text
        assert 'name="_save"' not in response.text
