"""Privilege changes and role grants are audited (who changed whom, what, before and after)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.constants import PrivilegeAttribute, Role
from accounts.models import PrivilegeChange
from accounts.tests.factories import AdminFactory, CounselorFactory, UserFactory

pytestmark = pytest.mark.django_db


def changes_of(user, attribute):
    return list(PrivilegeChange.objects.filter(user=user, attribute=attribute).order_by("pk"))


def test_role_grant_and_removal_are_recorded_with_before_and_after():
    user = UserFactory(roles=[])
    counselor = Group.objects.get(name=Role.COUNSELOR)
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    user.groups.add(counselor)
    user.groups.add(supervisor)
    user.groups.remove(counselor)
    rows = changes_of(user, PrivilegeAttribute.GROUPS)
    assert [(row.before, row.after) for row in rows] == [
        ("(none)", "Counselor"),
        ("Counselor", "Clinical supervisor, Counselor"),
        ("Clinical supervisor, Counselor", "Clinical supervisor"),
    ]
    assert all(row.changed_by is None for row in rows)


def test_grants_through_the_group_side_and_clear_are_recorded():
    user = UserFactory(roles=[Role.COUNSELOR])
    director = Group.objects.get(name=Role.DIRECTOR)
    director.user_set.add(user)
    user.groups.clear()
    rows = changes_of(user, PrivilegeAttribute.GROUPS)
    assert (rows[-2].before, rows[-2].after) == ("Counselor", "Counselor, Program director")
    assert (rows[-1].before, rows[-1].after) == ("Counselor, Program director", "(none)")


def test_flag_changes_are_recorded():
    user = CounselorFactory()
    user.is_staff = True
    user.is_superuser = True
    user.save()
    user.is_active = False
    user.save()
    assert [(r.before, r.after) for r in changes_of(user, PrivilegeAttribute.IS_STAFF)] == [("no", "yes")]
    assert [(r.before, r.after) for r in changes_of(user, PrivilegeAttribute.IS_SUPERUSER)] == [("no", "yes")]
    assert [(r.before, r.after) for r in changes_of(user, PrivilegeAttribute.IS_ACTIVE)] == [("yes", "no")]


def test_saving_without_privilege_changes_records_nothing():
    user = CounselorFactory()
    before = PrivilegeChange.objects.count()
    user.first_name = "Renamed"
    user.save()
    assert PrivilegeChange.objects.count() == before


def test_changes_made_in_the_admin_name_the_admin(login):
    admin = AdminFactory(is_superuser=True)
    target = CounselorFactory()
    client = login(admin)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {
        key: value for key, value in form.initial.items() if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        {
            "username": target.username,
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name=Role.DIRECTOR).pk],
            "date_joined_0": target.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": target.date_joined.strftime("%H:%M:%S"),
            "privilege_changes-TOTAL_FORMS": "0",
            "privilege_changes-INITIAL_FORMS": "0",
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    staff = changes_of(target, PrivilegeAttribute.IS_STAFF)[-1]
    groups = changes_of(target, PrivilegeAttribute.GROUPS)[-1]
    assert staff.changed_by == admin and staff.after == "yes"
    assert groups.changed_by == admin and groups.after == "Program director"


def test_the_trail_is_append_only():
    user = CounselorFactory()
    row = PrivilegeChange.objects.filter(user=user).first()
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()
    with pytest.raises(PermissionDenied):
        PrivilegeChange.objects.filter(user=user).update(after="tampered")
    with pytest.raises(PermissionDenied):
        PrivilegeChange.objects.filter(user=user).delete()


def test_the_admin_shows_the_trail_read_only(login):
    admin = AdminFactory(is_superuser=True)
    CounselorFactory()
    client = login(admin)
    assert client.get(reverse("admin:accounts_privilegechange_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_privilegechange_add")).status_code == 403
