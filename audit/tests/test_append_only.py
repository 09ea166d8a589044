"""Audit rows are append-only: the ORM refuses, and on PostgreSQL a trigger refuses raw SQL too."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, models, transaction

from audit.models import AccessLog, AppendOnlyError, Disclosure

from .factories import AccessLogFactory, DisclosureFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


@pytest.fixture
def entry():
    return AccessLogFactory()


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
