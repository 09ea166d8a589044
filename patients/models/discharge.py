"""Discharge from an episode of care, the patient's aftercare plan and the alumni check-ins after it."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord

from ..constants import LevelOfCare
from ..discharge_constants import DischargeType


class Discharge(ClinicalRecord):
    """How and why an episode ended, with a summary that the clinician's signature locks."""

    episode = models.OneToOneField("patients.Episode", on_delete=models.PROTECT, related_name="discharge")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="discharges")
    discharged_on = models.DateField()
    discharge_type = models.CharField("Type of discharge", max_length=16, choices=DischargeType.choices)
    reason = models.TextField(help_text="Why the episode ends now, in the clinician's words.")
    next_level_of_care = models.CharField(
        max_length=4,
        choices=LevelOfCare.choices,
        blank=True,
        help_text="For a step-down or step-up: the level of care the patient goes on to.",
    )
    referred_to = models.CharField(
        max_length=200, blank=True, help_text="The provider or program taking the patient on, if any."
    )
    summary = models.TextField("Discharge summary")
    # The facts the summary was pre-filled from, kept as they were on the day of discharge.
    summary_facts = models.JSONField(default=dict, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-discharged_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="%(app_label)s_%(class)s_reason_given",
                violation_error_message="Give the reason for the discharge.",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="%(app_label)s_%(class)s_signature_complete",
                violation_error_message="A signature records both who signed and when.",
            ),
            models.CheckConstraint(
                condition=~models.Q(discharge_type__in=[DischargeType.STEP_DOWN, DischargeType.STEP_UP])
                | ~models.Q(next_level_of_care=""),
                name="%(app_label)s_%(class)s_step_has_level",
                violation_error_message="A step-down or step-up names the level of care the patient goes on to.",
            ),
        ]

    def __str__(self):
        return f"{self.get_discharge_type_display()} on {self.discharged_on:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class AftercarePlan(ClinicalRecord):
    """What happens after discharge; everything but ``staff_notes`` is printed for the patient."""

    discharge = models.OneToOneField(Discharge, on_delete=models.PROTECT, related_name="aftercare_plan")
    outpatient_provider = models.CharField(
        "Outpatient therapy provider", max_length=200, blank=True, help_text="Name, address and phone."
    )
    first_appointment = models.CharField(
        "First appointment", max_length=120, blank=True, help_text="e.g. Tuesday June 3, 10:00 with Dr. Lee."
    )
    medication_plan = models.TextField(
        "Medication continuation", blank=True, help_text="Which medications continue, doses, refills."
    )
    prescriber = models.CharField(max_length=200, blank=True, help_text="Who prescribes them from now on.")
    support_groups = models.TextField(
        "Support groups", blank=True, help_text="Which meetings (AA, NA, SMART Recovery…), where and when."
    )
    sober_living = models.CharField("Sober living", max_length=200, blank=True, help_text="Residence and contact.")
    vocational_support = models.TextField("Vocational / educational support", blank=True)
    family_support = models.TextField("Family support", blank=True)
    relapse_warning_signs = models.TextField(
        "Relapse warning signs", blank=True, help_text="The patient's own early signs, in their words."
    )
    coping_strategies = models.TextField("What I will do when I notice them", blank=True)
    emergency_plan = models.TextField(
        "Emergency plan",
        blank=True,
        help_text="Who to call and where to go; the 988 and SAMHSA lines are printed on every plan.",
    )
    emergency_contacts = models.TextField("People I can call", blank=True)
    staff_notes = models.TextField("Internal notes (not printed)", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    def __str__(self):
        return f"Aftercare plan for {self.discharge}"


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

    history = HistoricalRecords()

    class Meta:
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
