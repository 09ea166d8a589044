"""Shared pieces of the clinical views: the chart frame and fetching a patient's plan through the access rule."""

from django.shortcuts import get_object_or_404

from audit.constants import DataCategory
from patients.selectors import chart_header, patient_for_view

from ..models import TreatmentPlan


def chart_context(patient, section: str, **extra) -> dict:
    return {"header": chart_header(patient), "patient": patient, "section": section, **extra}


def plan_for_view(request, pk, plan_pk, *, action: str):
    """The patient (through the access rule, logged) and one version of their plan, or 404."""
    patient = patient_for_view(request, pk, category=DataCategory.TREATMENT_PLAN, action=action)
    plan = get_object_or_404(
        TreatmentPlan.objects.valid().select_related("episode__program", "signed_by", "cosigned_by", "created_by"),
        pk=plan_pk,
        patient=patient,
    )
    return patient, plan
