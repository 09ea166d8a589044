"""Reads of the medication list; drug testing reads it through this module (its one way up the stack)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from patients.models import Patient

from ..constants import CatalogueMedication, MedicationCategory
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


# Free-text entries count too: a clinic may type "Vivitrol" rather than pick it from the list.
NALTREXONE_CODES = frozenset({CatalogueMedication.NALTREXONE_ORAL, CatalogueMedication.NALTREXONE_XR})
NALTREXONE_NAMES = ("naltrexone", "vivitrol", "revia")


@dataclass(frozen=True)
class MedicationContext:
    """What drug-test follow-up needs to know of the medications active on a day."""

    moud_analytes: frozenset[str]
    on_naltrexone: bool


def medication_context_on(patient_id: int, day: date) -> MedicationContext:
    """Analytes MOUD should show, and whether an opioid antagonist is on board (two queries)."""
    active = list(
        Medication.objects.valid()
        .filter(patient_id=patient_id, start_date__lte=day)
        .exclude(stop_date__lt=day)
        .prefetch_related("expected_analytes")
    )
    moud = frozenset(
        analyte.code
        for medication in active
        if medication.category == MedicationCategory.MOUD
        for analyte in medication.expected_analytes.all()
    )
    naltrexone = any(
        medication.catalogue_code in NALTREXONE_CODES
        or any(name in medication.name.lower() for name in NALTREXONE_NAMES)
        for medication in active
    )
    return MedicationContext(moud_analytes=moud, on_naltrexone=naltrexone)
