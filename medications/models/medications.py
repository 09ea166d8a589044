"""The medication list.

Moved from patients (issue 15): every table keeps its name (``Meta.db_table``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from iop.models import ClinicalRecord, MovedModelHistory

from ..constants import CatalogueMedication, MedicationCategory, MedicationRoute, MedicationSource


class Medication(ClinicalRecord):
    """One medication on the patient's list, prescribed by us or recorded from an outside prescriber."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="medications")
    catalogue_code = models.CharField(
        "From the list", max_length=40, choices=CatalogueMedication.choices, blank=True,
        help_text="Pick a common medication, or leave empty and type the name.",
    )  # fmt: skip
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=MedicationCategory.choices, default=MedicationCategory.OTHER)
    dose = models.CharField(max_length=60, help_text="e.g. 16 mg, 380 mg, 50 mg")
    route = models.CharField(max_length=20, choices=MedicationRoute.choices, default=MedicationRoute.ORAL)
    frequency = models.CharField(max_length=60, help_text="e.g. once daily, every 4 weeks")
    source = models.CharField(max_length=10, choices=MedicationSource.choices, default=MedicationSource.OURS)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="prescriptions",
        help_text="Our prescriber.",
    )  # fmt: skip
    outside_prescriber = models.CharField(
        max_length=160, blank=True, help_text="Name and practice or program of an outside prescriber."
    )
    start_date = models.DateField(default=timezone.localdate)
    stop_date = models.DateField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)
    expected_analytes = models.ManyToManyField(
        "testing.Analyte", blank=True, related_name="+", db_table="patients_medication_expected_analytes",
        help_text="What a drug screen should show while the patient takes this as prescribed.",
    )  # fmt: skip
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = MovedModelHistory(moved_from="patients", m2m_fields=[expected_analytes])

    class Meta:
        db_table = "patients_medication"
        ordering = ["stop_date", "-start_date", "name"]
        indexes = [
            # Chart medication list, and interpretation: a patient's medications active on a date.
            models.Index(fields=["patient", "start_date", "stop_date"], name="patients_medication_active"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stop_date__isnull=True) | models.Q(stop_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_dates_ordered",
                violation_error_message="The stop date cannot come before the start date.",
            ),
            models.CheckConstraint(
                condition=models.Q(source=MedicationSource.OURS, prescriber__isnull=False)
                | (~models.Q(source=MedicationSource.OURS) & ~models.Q(outside_prescriber="")),
                name="%(app_label)s_%(class)s_prescriber_named",
                violation_error_message="Name the prescriber: one of ours, or the outside prescriber or program.",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="%(app_label)s_%(class)s_named",
                violation_error_message="Give the medication's name.",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.dose} {self.frequency}".strip()

    def is_active_on(self, day) -> bool:
        return self.start_date <= day and (self.stop_date is None or self.stop_date >= day)

    @property
    def prescriber_display(self) -> str:
        if self.source == MedicationSource.OURS and self.prescriber_id:
            return str(self.prescriber)
        return self.outside_prescriber
