"""Reads of the medication list; drug testing reads it through ``expected_analytes_on`` (its one way up)."""

from collections import defaultdict
from datetime import date

from django.db.models import QuerySet

from patients.models import Patient

from ..models import Medication


def medications_of(patient: Patient) -> QuerySet[Medication]:
    return (
        patient.medications.valid()
        .select_related("prescriber")
        .prefetch_related("expected_analytes")
        .order_by("stop_date", "-start_date", "name")
    )


def expected_analytes_on(patient_id: int, day: date) -> dict[str, list[str]]:
    """Analyte code → names of the medications active on ``day`` that should produce it (two queries)."""
    active = (
        Medication.objects.valid()
        .filter(patient_id=patient_id, start_date__lte=day)
        .exclude(stop_date__lt=day)
        .prefetch_related("expected_analytes")
    )
    expected: dict[str, list[str]] = defaultdict(list)
    for medication in active:
        for analyte in medication.expected_analytes.all():
            expected[analyte.code].append(medication.name)
    return dict(expected)
