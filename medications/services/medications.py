"""Writes to the medication list. A change re-reads the patient's drug tests against the new list."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from patients.models import Patient
from testing.models import Analyte
from testing.services.drug_tests import drug_tests_reinterpret

from ..constants import MEDICATION_CATALOGUE, MedicationCategory, MedicationSource
from ..models import Medication

# Typed names that are medications for opioid use disorder: they must come from the catalogue,
# which sets the analytes a drug screen should show (free text sets none).
MOUD_NAMES = ("buprenorphine", "suboxone", "subutex", "zubsolv", "sublocade", "brixadi", "methadone", "vivitrol")

EDITABLE_FIELDS = (
    "catalogue_code",
    "name",
    "category",
    "dose",
    "route",
    "frequency",
    "source",
    "prescriber",
    "outside_prescriber",
    "start_date",
    "stop_date",
    "stop_reason",
    "notes",
)


def catalogue_analytes(catalogue_code: str) -> list[Analyte]:
    entry = MEDICATION_CATALOGUE.get(catalogue_code)
    if entry is None or not entry.expected_analytes:
        return []
    return list(Analyte.objects.filter(code__in=entry.expected_analytes))


def _apply(medication: Medication, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not medication fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(medication, name, value)
    entry = MEDICATION_CATALOGUE.get(medication.catalogue_code)
    if entry is not None and not medication.name:
        medication.name = entry.name
    typed = (medication.name or "").lower()
    looks_like_moud = medication.category == MedicationCategory.MOUD or any(name in typed for name in MOUD_NAMES)
    if looks_like_moud and (entry is None or entry.category != MedicationCategory.MOUD):
        raise ValidationError(
            {
                "catalogue_code": "Choose medications for opioid use disorder from the list, so drug tests know "
                "what they should show (Suboxone is buprenorphine-naloxone, Vivitrol is naltrexone "
                "extended-release injection)."
            }
        )
    # The prescriber fields must agree with the source, so the list never names two prescribers.
    if medication.source == MedicationSource.OURS:
        medication.outside_prescriber = ""
        if medication.prescriber_id is None:
            raise ValidationError({"prescriber": "Choose which of our prescribers prescribed it."})
    else:
        medication.prescriber = None
        if not medication.outside_prescriber.strip():
            raise ValidationError({"outside_prescriber": "Name the outside prescriber or program."})
    if medication.stop_date and not medication.stop_reason.strip():
        raise ValidationError({"stop_reason": "Say why the medication was stopped."})


@transaction.atomic
def medication_add(
    *, patient: Patient, recorded_by, expected_analytes: Iterable[Analyte] | None = None, **fields
) -> Medication:
    """Add a medication; without ``expected_analytes`` the catalogue's are used (none for free-text names)."""
    medication = Medication(patient=patient, recorded_by=recorded_by)
    entry = MEDICATION_CATALOGUE.get(fields.get("catalogue_code") or "")
    if entry is not None:
        fields.setdefault("category", entry.category)
        fields.setdefault("route", entry.route)
    _apply(medication, fields)
    medication.full_clean()
    medication.save()
    analytes = catalogue_analytes(medication.catalogue_code) if expected_analytes is None else list(expected_analytes)
    medication.expected_analytes.set(analytes)
    drug_tests_reinterpret(patient=patient)
    return medication


@transaction.atomic
def medication_update(
    *, medication: Medication, by, expected_analytes: Iterable[Analyte] | None = None, **fields
) -> Medication:
    # Work on the stored row (locked), so a refused change leaves the caller's object as it was.
    medication = Medication.objects.select_for_update().get(pk=medication.pk)
    if medication.is_entered_in_error:
        raise ValidationError("This medication was marked entered in error.")
    _apply(medication, fields)
    medication.full_clean()
    medication.save()
    if expected_analytes is not None:
        medication.expected_analytes.set(list(expected_analytes))
    drug_tests_reinterpret(patient=medication.patient)
    return medication


@transaction.atomic
def medication_stop(*, medication: Medication, stop_date: date, stop_reason: str, by) -> Medication:
    if Medication.objects.filter(pk=medication.pk, stop_date__isnull=False).exists():
        raise ValidationError({"stop_date": "This medication is already stopped."})
    return medication_update(medication=medication, by=by, stop_date=stop_date, stop_reason=stop_reason)
