"""Registering a patient, the care team, and the chart's simple records (contacts, insurance, diagnoses…)."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.constants import Role
from audit.constants import DataCategory
from audit.services import access_log_record
from iop.phones import normalize_phone
from iop.text import says_something

from ..constants import (
    CareTeamRole,
)
from ..models import (
    CareTeamMember,
    DuplicateOverride,
    Patient,
)
from ..selectors.registry import DuplicateCandidate
from .common import validated_save


def _normalize_phones(patient: Patient) -> None:
    for field in ("phone", "emergency_contact_phone"):
        value = getattr(patient, field)
        if value:
            setattr(patient, field, normalize_phone(value))


@transaction.atomic
def patient_create(
    *, created_by, possible_duplicates: Sequence[DuplicateCandidate] = (), not_duplicate_reason: str = "", **fields
) -> Patient:
    """Register a patient. When the near-duplicate check listed charts, a reason why this is another
    person is needed; it is kept with the matches as shown (DuplicateOverride) and logged."""
    reason = (not_duplicate_reason or "").strip()
    if possible_duplicates and not says_something(reason):
        raise ValidationError(
            {"not_duplicate_reason": "Write why this is a different person from the possible matches listed."}
        )
    patient = Patient(**fields)
    patient.ensure_mrn()
    _normalize_phones(patient)
    validated_save(patient)
    if possible_duplicates:
        validated_save(
            DuplicateOverride(
                patient=patient,
                registered_by=created_by,
                reason=reason,
                candidates=[
                    {"patient_id": match.patient.pk, "mrn": match.patient.mrn, "reasons": match.reasons}
                    for match in possible_duplicates
                ],
            )
        )
        access_log_record(
            request=None,
            user=created_by,
            category=DataCategory.REGISTRY,
            action="registered despite possible duplicates",
            patient=patient,
            detail=f"{len(possible_duplicates)} possible match(es), reason kept for review",
        )
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, updated_by, **fields) -> Patient:
    for name, value in fields.items():
        setattr(patient, name, value)
    _normalize_phones(patient)
    return validated_save(patient)


def care_team_set(*, patient: Patient, primary_clinician, members: Sequence = ()) -> None:
    """Make sure the primary clinician and the named staff are on the care team."""
    CareTeamMember.objects.update_or_create(
        patient=patient, user=primary_clinician, defaults={"role": CareTeamRole.PRIMARY}
    )
    for member in members:
        if member != primary_clinician:
            CareTeamMember.objects.get_or_create(
                patient=patient, user=member, defaults={"role": care_team_role_of(member)}
            )


def care_team_role_of(user) -> CareTeamRole:
    """The care-team label a staff member's own role implies (a prescriber is not a counselor)."""
    roles = user.role_names
    if Role.COUNSELOR in roles:
        return CareTeamRole.COUNSELOR
    if Role.PRESCRIBER in roles:
        return CareTeamRole.PRESCRIBER
    if Role.SUPERVISOR in roles:
        return CareTeamRole.SUPERVISOR
    return CareTeamRole.COUNSELOR


@transaction.atomic
def chart_record_add(*, instance, recorded_by=None):
    """Save a simple chart record (contact, insurance, diagnosis…) built by a ModelForm."""
    for field in ("recorded_by", "diagnosed_by"):
        if hasattr(instance, f"{field}_id") and getattr(instance, f"{field}_id") is None:
            setattr(instance, field, recorded_by)
    if hasattr(instance, "phone") and instance.phone:
        instance.phone = normalize_phone(instance.phone)
    return validated_save(instance)
