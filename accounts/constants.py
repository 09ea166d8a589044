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
