import pytest
from django.contrib.auth.models import Group

from accounts.constants import Role

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_intake_coordinator_can_admit_but_not_administer_staff():
    intake = Group.objects.get(name=Role.INTAKE)
    codenames = set(intake.permissions.values_list("codename", flat=True))
    assert {"add_patient", "add_intake", "add_episode", "add_consent"} <= codenames
    assert "change_user" not in codenames
    assert not any(code.startswith("delete_") for code in codenames)


def test_admin_role_manages_staff_accounts():
    admin = Group.objects.get(name=Role.ADMIN)
    assert admin.permissions.filter(codename="change_user").exists()
