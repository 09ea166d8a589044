"""Discharge from an episode of care and the patient's aftercare plan.

Moved from patients (issue 15): every table keeps its name (``Meta.db_table``).
"""

from django.conf import settings
from django.db import models

from iop.models import ClinicalRecord, MovedModelHistory
from patients.constants import LevelOfCare

from ..constants import DischargeType


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
    # A "completed" discharge below the program's attended days: the supervisor who allowed it and why.
    completion_override_reason = models.TextField(blank=True, editable=False)
    completion_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    history = MovedModelHistory(moved_from="patients")

    class Meta:
        db_table = "patients_discharge"
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
            models.CheckConstraint(
                condition=models.Q(completion_override_reason="", completion_override_by__isnull=True)
                | (~models.Q(completion_override_reason="") & models.Q(completion_override_by__isnull=False)),
                name="%(app_label)s_%(class)s_override_complete",
                violation_error_message="A completion override records both the supervisor and the reason.",
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

    history = MovedModelHistory(moved_from="patients")

    class Meta:
        db_table = "patients_aftercareplan"

    def __str__(self):
        return f"Aftercare plan for {self.discharge}"
