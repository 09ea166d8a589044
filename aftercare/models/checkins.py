"""Alumni check-ins after discharge (7, 30, 60, 90, 180 days by default).

Moved from patients (issue 15): the table keeps its name (``Meta.db_table``).
"""

from django.conf import settings
from django.db import models

from iop.models import ClinicalRecord, MovedModelHistory

from .discharge import Discharge


class AlumniCheckIn(ClinicalRecord):
    """One follow-up call after discharge (7, 30, 60, 90, 180 days by default) and what it found."""

    discharge = models.ForeignKey(Discharge, on_delete=models.PROTECT, related_name="checkins")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="alumni_checkins")
    days_after_discharge = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    # Claimed by the daily run that puts the check-in on the clinician's work list (once).
    task_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    reached = models.BooleanField(null=True, help_text="Did we speak with the patient?")
    using = models.BooleanField("Using alcohol or drugs", null=True, blank=True)
    attending_support_groups = models.BooleanField(null=True, blank=True)
    employed_or_in_school = models.BooleanField("Employed or in school", null=True, blank=True)
    readmitted_elsewhere = models.BooleanField("Admitted to treatment elsewhere", null=True, blank=True)
    readmission_needed = models.BooleanField("Re-admission needed", default=False)
    notes = models.TextField(blank=True)
    referral = models.ForeignKey(
        "patients.Intake", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    history = MovedModelHistory(moved_from="patients")

    class Meta:
        db_table = "patients_alumnicheckin"
        ordering = ["due_on", "id"]
        indexes = [
            # The daily run and the "check-ins due" page: open check-ins by due date.
            models.Index(fields=["due_on"], name="patients_checkin_open_due", condition=models.Q(completed_at=None)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["discharge", "days_after_discharge"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_once_per_day_count",
                violation_error_message="This discharge already has a check-in at that many days.",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True, completed_by__isnull=True)
                | models.Q(completed_at__isnull=False, completed_by__isnull=False, reached__isnull=False),
                name="%(app_label)s_%(class)s_completion_recorded",
                violation_error_message="A completed check-in records who made it and whether the patient was reached.",
            ),
            models.CheckConstraint(
                condition=models.Q(readmission_needed=False) | models.Q(referral__isnull=False),
                name="%(app_label)s_%(class)s_readmission_has_referral",
                violation_error_message="A check-in that finds re-admission needed opens a referral.",
            ),
        ]

    def __str__(self):
        return f"{self.days_after_discharge}-day check-in due {self.due_on:%Y-%m-%d}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None
