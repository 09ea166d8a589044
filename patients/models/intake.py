from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord

from ..asam import LEVEL_RULES, recommendation_label
from ..constants import (
    AsamEdition,
    IntakeStatus,
    IntakeStep,
    LevelOfCare,
    ReferralSource,
    Route,
    SexAtBirth,
    Substance,
    UseFrequency,
    WithdrawalManagement,
)
from ..instruments import Instrument
from ..validators import validate_icd10


class Intake(ClinicalRecord):
    """A guided intake, saved at every step so any intake worker can resume it."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="intakes")
    status = models.CharField(max_length=20, choices=IntakeStatus.choices, default=IntakeStatus.OPEN)
    step = models.CharField(max_length=20, choices=IntakeStep.choices, default=IntakeStep.REFERRAL)
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices, blank=True)
    referred_by = models.CharField(max_length=160, blank=True, help_text="Person or organisation that referred.")
    referral_date = models.DateField(default=timezone.localdate)
    referral_reason = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_worked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            # Intake worker's list of open intakes, most recently touched first.
            models.Index(fields=["status", "-updated_at"], name="patients_intake_open"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status=IntakeStatus.OPEN, entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_patient",
                violation_error_message="This patient already has an intake in progress; resume it instead.",
            ),
            models.CheckConstraint(
                condition=models.Q(status=IntakeStatus.OPEN) | models.Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_time",
                violation_error_message="A closed intake records when it was closed.",
            ),
        ]

    def __str__(self):
        return f"Intake {self.referral_date:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == IntakeStatus.OPEN


class InstrumentResponse(ClinicalRecord):
    """One administration of a standard instrument: every item, the score and its band."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="instrument_responses")
    intake = models.ForeignKey(Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="instruments")
    episode = models.ForeignKey(
        "patients.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="instruments"
    )
    instrument = models.CharField(max_length=12, choices=Instrument.choices)
    items = models.JSONField(help_text="Item answers in order, as scored.")
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty for instruments with no total (BAM)."
    )
    band = models.CharField(max_length=40, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    is_positive = models.BooleanField(default=False, help_text="Screen positive (e.g. AUDIT-C).")
    sex_for_scoring = models.CharField(max_length=10, choices=SexAtBirth.choices, blank=True)
    administered_at = models.DateTimeField(default=timezone.now)
    administered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-administered_at"]
        indexes = [
            # Chart: a patient's instruments over time (trend chart and list).
            models.Index(fields=["patient", "instrument", "administered_at"], name="patients_instrument_trend"),
        ]

    def __str__(self):
        return f"{self.get_instrument_display()} {self.score if self.score is not None else ''} {self.band}".strip()


def risk_field(dimension: str):
    return models.PositiveSmallIntegerField(
        dimension, validators=[MinValueValidator(0), MaxValueValidator(4)], help_text="Risk rating 0–4."
    )


class AsamAssessment(ClinicalRecord):
    """ASAM multidimensional assessment: a 0–4 risk rating for each of the six dimensions."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="asam_assessments")
    intake = models.ForeignKey(Intake, null=True, blank=True, on_delete=models.PROTECT, related_name="asam_assessments")
    d1_intoxication = risk_field("1. Acute intoxication and/or withdrawal potential")
    d1_notes = models.TextField(blank=True)
    d2_biomedical = risk_field("2. Biomedical conditions and complications")
    d2_notes = models.TextField(blank=True)
    d3_emotional = risk_field("3. Emotional, behavioural or cognitive conditions")
    d3_notes = models.TextField(blank=True)
    d4_readiness = risk_field("4. Readiness to change")
    d4_notes = models.TextField(blank=True)
    d5_relapse = risk_field("5. Relapse, continued use or continued problem potential")
    d5_notes = models.TextField(blank=True)
    d6_environment = risk_field("6. Recovery / living environment")
    d6_notes = models.TextField(blank=True)
    # The edition the clinic assessed under (settings.ASAM_EDITION at the time); the episode keeps it.
    edition = models.PositiveSmallIntegerField(choices=AsamEdition.choices, default=AsamEdition.THIRD)
    recommended_level = models.CharField(max_length=4, choices=LevelOfCare.choices)
    recommended_withdrawal_management = models.CharField(
        "Recommended withdrawal management",
        max_length=6,
        choices=WithdrawalManagement.choices,
        blank=True,
        help_text="3rd edition: the withdrawal-management level recommended alongside (dimension 1 ≥ 2).",
    )
    recommendation_rule = models.CharField(
        max_length=40, blank=True, help_text="The decision-table row that gave the recommendation (patients/asam.py)."
    )
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    RATING_FIELDS = (
        "d1_intoxication",
        "d2_biomedical",
        "d3_emotional",
        "d4_readiness",
        "d5_relapse",
        "d6_environment",
    )

    class Meta:
        ordering = ["-assessed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    d1_intoxication__lte=4,
                    d2_biomedical__lte=4,
                    d3_emotional__lte=4,
                    d4_readiness__lte=4,
                    d5_relapse__lte=4,
                    d6_environment__lte=4,
                ),
                name="%(app_label)s_%(class)s_ratings_0_to_4",
                violation_error_message="Each ASAM dimension is rated from 0 to 4.",
            ),
            # The 4th edition integrates withdrawal management into its levels (1.7, 2.7, 3.7, 4.0).
            models.CheckConstraint(
                condition=models.Q(edition=AsamEdition.THIRD) | models.Q(recommended_withdrawal_management=""),
                name="%(app_label)s_%(class)s_wm_levels_third_edition",
                violation_error_message="Separate withdrawal-management levels belong to the 3rd edition.",
            ),
        ]

    def __str__(self):
        return f"ASAM {self.assessed_at:%Y-%m-%d} → {self.recommended_level}"

    @property
    def recommendation_label(self) -> str:
        return recommendation_label(self.recommended_level, self.recommended_withdrawal_management, self.edition)

    @property
    def recommendation_rule_text(self) -> str:
        """The decision-table row, as a clinician reads it, with its source."""
        rule = next((row for row in LEVEL_RULES if row.key == self.recommendation_rule), None)
        return f"{rule.when} ({rule.source})" if rule else ""

    @property
    def ratings(self) -> list[int]:
        return [getattr(self, name) for name in self.RATING_FIELDS]

    def dimension_rows(self):
        """(label, rating, notes) per dimension, for display."""
        for name in self.RATING_FIELDS:
            notes_field = name.split("_", 1)[0] + "_notes"
            yield self._meta.get_field(name).verbose_name, getattr(self, name), getattr(self, notes_field)


class SubstanceUse(ClinicalRecord):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="substance_use")
    substance = models.CharField(max_length=20, choices=Substance.choices)
    route = models.CharField(max_length=12, choices=Route.choices, blank=True)
    frequency = models.CharField(max_length=16, choices=UseFrequency.choices, blank=True)
    age_of_first_use = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(110)]
    )
    last_used_on = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField("Primary substance", default=False)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "substance"]
        verbose_name_plural = "substance use history"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_of_first_use__isnull=True)
                | models.Q(age_of_first_use__gte=1, age_of_first_use__lte=110),
                name="%(app_label)s_%(class)s_age_plausible",
                violation_error_message="Age of first use must be between 1 and 110.",
            ),
        ]

    def __str__(self):
        return self.get_substance_display()


class Diagnosis(ClinicalRecord):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="diagnoses")
    code = models.CharField("ICD-10-CM code", max_length=8, validators=[validate_icd10])
    description = models.CharField(max_length=200)
    is_primary = models.BooleanField(default=False)
    diagnosed_on = models.DateField(default=timezone.localdate)
    resolved_on = models.DateField(null=True, blank=True)
    diagnosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "code"]
        verbose_name_plural = "diagnoses"

    def __str__(self):
        return f"{self.code} {self.description}"
