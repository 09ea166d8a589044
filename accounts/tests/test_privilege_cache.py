"""Roles and permissions are read once per privilege change, and a change is seen at the next request."""

from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import privileges
from accounts.constants import Role
from accounts.models import User
from accounts.tests.factories import CounselorFactory

pytestmark = pytest.mark.django_db

PRIVILEGE_TABLES = ("auth_permission", "accounts_user_groups", "auth_group")


def privilege_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries if any(t in query["sql"] for t in PRIVILEGE_TABLES)]


def nav_labels(client) -> set[str]:
    return {item["label"] for item in client.get(reverse("password_change")).context["nav_items"]}


def test_a_signed_in_page_reads_roles_and_permissions_once_not_on_every_request(login):
    counselor = CounselorFactory()
    client = login(counselor)  # sign-in reads them
    url = reverse("notifications:home")
    assert privilege_queries(client, url) == []
    assert privilege_queries(client, url) == []
    cache.delete(privileges._entry_key(counselor.pk))
    assert privilege_queries(client, url), "an entry gone is read from the database again"
    assert privilege_queries(client, url) == []


def test_a_role_taken_away_is_gone_at_the_next_request(login):
    counselor = CounselorFactory()
    client = login(counselor)
    assert "Patients" in nav_labels(client)
    counselor.groups.remove(Group.objects.get(name=Role.COUNSELOR))
    assert "Patients" not in nav_labels(client)
    assert not User.objects.get(pk=counselor.pk).has_perm("patients.view_patient")


def test_a_grant_taken_from_a_role_is_gone_for_everyone_in_it_at_the_next_request(login):
    client = login(CounselorFactory())
    assert "Testing" in nav_labels(client)
    view_drug_test = Permission.objects.get(codename="view_drugtest", content_type__app_label="testing")
    Group.objects.get(name=Role.COUNSELOR).permissions.remove(view_drug_test)
    assert "Testing" not in nav_labels(client)


def test_a_changed_account_flag_changes_that_user_only():
    counselor, colleague = CounselorFactory(), CounselorFactory()
    generation = cache.get(privileges.GENERATION_KEY)
    mine, theirs = (cache.get(privileges._version_key(user.pk)) for user in (counselor, colleague))
    counselor.is_staff = True
    counselor.save()
    assert cache.get(privileges._version_key(counselor.pk)) != mine
    assert cache.get(privileges._version_key(colleague.pk)) == theirs
    assert cache.get(privileges.GENERATION_KEY) == generation
    now = cache.get(privileges._version_key(counselor.pk))
    counselor.first_name = "Renamed"
    counselor.save()
    assert cache.get(privileges._version_key(counselor.pk)) == now


def test_members_removed_through_the_role_lose_it_at_the_next_request(login):
    counselor = CounselorFactory()
    client = login(counselor)
    assert "Patients" in nav_labels(client)
    Group.objects.get(name=Role.COUNSELOR).user_set.clear()
    assert "Patients" not in nav_labels(client)


def test_an_entry_of_an_earlier_account_with_the_same_id_is_not_used():
    counselor = CounselorFactory()
    roles, _ = privileges.privileges_of(User.objects.get(pk=counselor.pk))
    assert roles == {Role.COUNSELOR}
    # A re-created database: the same id, another person, no roles, and a cache that outlived it.
    User.objects.filter(pk=counselor.pk).update(date_joined=counselor.date_joined.replace(year=2020))
    counselor.groups.through.objects.filter(user_id=counselor.pk).delete()  # no m2m signal: as a restore
    assert privileges.privileges_of(User.objects.get(pk=counselor.pk))[0] == set()


def test_without_the_cache_the_database_answers():
    counselor = CounselorFactory()
    with mock.patch.object(privileges.cache, "get_many", side_effect=ConnectionError("down")):
        roles, permissions = privileges.privileges_of(User.objects.get(pk=counselor.pk))
    assert roles == {Role.COUNSELOR}
    assert "patients.view_patient" in permissions


def test_a_cache_private_to_one_web_process_holds_no_privileges(login, settings):
    """With several web processes and no Redis, a change in one would go unseen in the others."""
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = login(CounselorFactory())
    url = reverse("notifications:home")
    privilege_queries(client, url)
    assert privilege_queries(client, url), "read from the database on every request"
