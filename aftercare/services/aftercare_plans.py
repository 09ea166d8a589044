"""The aftercare plan of a discharge: what the patient takes home."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import AftercarePlan, Discharge

AFTERCARE_FIELDS = (
    "outpatient_provider",
    "first_appointment",
    "medication_plan",
    "prescriber",
    "support_groups",
    "sober_living",
    "vocational_support",
    "family_support",
    "relapse_warning_signs",
    "coping_strategies",
    "emergency_plan",
    "emergency_contacts",
    "staff_notes",
)


@transaction.atomic
def aftercare_plan_save(*, discharge: Discharge, by, **fields) -> AftercarePlan:
    """Create or update the aftercare plan of a discharge (the plan keeps its history)."""
    unknown = set(fields) - set(AFTERCARE_FIELDS)
    if unknown:
        raise ValidationError(f"Not aftercare plan fields: {', '.join(sorted(unknown))}.")
    if discharge.is_entered_in_error:
        raise ValidationError("This discharge was entered in error.")
    plan = AftercarePlan.objects.select_for_update().filter(discharge=discharge).first()
    plan = plan or AftercarePlan(discharge=discharge)
    for name, value in fields.items():
        setattr(plan, name, (value or "").strip())
    plan.updated_by = by
    plan.full_clean()
    plan.save()
    return plan
