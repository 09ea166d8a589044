from django.db import models


class Role(models.TextChoices):
    """Staff roles; each is a Django group of the same name (see accounts/roles.py)."""

    INTAKE = "Intake coordinator", "Intake coordinator"
    COUNSELOR = "Counselor", "Counselor / therapist"
    PRESCRIBER = "Prescriber", "Prescriber"
    SUPERVISOR = "Clinical supervisor", "Clinical supervisor"
    DIRECTOR = "Program director", "Program director"
    ADMIN = "Admin", "Admin"


# Roles that treat patients and so are limited to their care teams and programs.
CLINICAL_ROLES = frozenset({Role.COUNSELOR, Role.PRESCRIBER, Role.SUPERVISOR})


class PrivilegeAttribute(models.TextChoices):
    """What a privilege change touched (ONC 170.315(d)(2): changes to user privileges are audited)."""

    GROUPS = "groups", "Roles (groups)"
    IS_STAFF = "is_staff", "Staff status (admin site)"
    IS_SUPERUSER = "is_superuser", "Superuser status"
    IS_ACTIVE = "is_active", "Active"


# The flags on User whose change is a privilege change.
AUDITED_USER_FLAGS = (PrivilegeAttribute.IS_STAFF, PrivilegeAttribute.IS_SUPERUSER, PrivilegeAttribute.IS_ACTIVE)
