from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord
from programs.constants import level_label, level_rank

from ..asam import recommendation_label
from ..constants import AsamEdition, EpisodeStatus, LevelOfCare, LevelOfCareReasonCategory, WithdrawalManagement


class Episode(ClinicalRecord):
    """An episode of care: the spine of the chart from admission to discharge."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="episodes")
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="episodes")
    intake = models.OneToOneField(
        "patients.Intake", null=True, blank=True, on_delete=models.PROTECT, related_name="episode"
    )
    assessment = models.ForeignKey(
        "patients.AsamAssessment", null=True, blank=True, on_delete=models.PROTECT, related_name="episodes"
    )
    status = models.CharField(max_length=12, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE)
    # The ASAM edition the patient was assessed under: kept when the clinic moves to the other one.
    edition = models.PositiveSmallIntegerField(choices=AsamEdition.choices, default=AsamEdition.THIRD)
    level_of_care = models.CharField(max_length=4, choices=LevelOfCare.choices, default=LevelOfCare.IOP)
    withdrawal_management = models.CharField(
        max_length=6,
        choices=WithdrawalManagement.choices,
        blank=True,
        help_text="3rd edition: withdrawal management alongside the level (the 4th integrates it in 1.7–4.0).",
    )
    level_of_care_reason_category = models.CharField(
        "Why another level", max_length=20, choices=LevelOfCareReasonCategory.choices, blank=True
    )
    level_of_care_reason = models.TextField(
        blank=True, help_text="Why the patient was admitted to a level other than the one the assessment recommended."
    )
    # Admitted below the recommendation: a supervisor co-signs within 24 hours (a task until then).
    admitted_below_recommendation = models.BooleanField(default=False, editable=False)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    cosigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    admitted_on = models.DateField(default=timezone.localdate)
    primary_clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target_weekly_hours = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("9"))
    expected_length_weeks = models.PositiveSmallIntegerField(default=12)
    discharged_on = models.DateField(null=True, blank=True)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-admitted_on"]
        permissions = [("cosign_episode", "Can co-sign an admission below the recommended level of care")]
        indexes = [
            # Program rosters and dashboards: the active episodes of a program.
            models.Index(fields=["program", "status"], name="patients_episode_program"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status=EpisodeStatus.ACTIVE, entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_one_active_per_patient",
                violation_error_message="This patient already has an active episode of care.",
            ),
            models.CheckConstraint(
                condition=models.Q(target_weekly_hours__gt=0, target_weekly_hours__lte=40),
                name="%(app_label)s_%(class)s_target_hours_range",
                violation_error_message="Target weekly hours must be more than 0 and at most 40.",
            ),
            models.CheckConstraint(
                condition=models.Q(status=EpisodeStatus.ACTIVE, discharged_on__isnull=True)
                | models.Q(status=EpisodeStatus.DISCHARGED, discharged_on__isnull=False),
                name="%(app_label)s_%(class)s_discharge_dated",
                violation_error_message="A discharged episode has a discharge date, an active one has none.",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True) | models.Q(discharged_on__gte=models.F("admitted_on")),
                name="%(app_label)s_%(class)s_dates_ordered",
                violation_error_message="Discharge cannot come before admission.",
            ),
            models.CheckConstraint(
                condition=models.Q(level_of_care_reason_category="") | ~models.Q(level_of_care_reason=""),
                name="%(app_label)s_%(class)s_reason_category_explained",
                violation_error_message="A reason category needs the reason written out.",
            ),
            models.CheckConstraint(
                condition=models.Q(admitted_below_recommendation=False)
                | ~models.Q(level_of_care_reason_category="") & ~models.Q(level_of_care_reason=""),
                name="%(app_label)s_%(class)s_below_recommendation_explained",
                violation_error_message="Admitting below the recommended level needs a reason category and a reason.",
            ),
            models.CheckConstraint(
                condition=models.Q(cosigned_at__isnull=True, cosigned_by__isnull=True)
                | models.Q(cosigned_at__isnull=False, cosigned_by__isnull=False, admitted_below_recommendation=True),
                name="%(app_label)s_%(class)s_cosign_signed",
                violation_error_message="A co-signature names the supervisor and is for an admission below the "
                "recommended level.",
            ),
            models.CheckConstraint(
                condition=models.Q(edition=AsamEdition.THIRD) | models.Q(withdrawal_management=""),
                name="%(app_label)s_%(class)s_wm_levels_third_edition",
                violation_error_message="Separate withdrawal-management levels belong to the 3rd edition.",
            ),
        ]

    def __str__(self):
        return f"{self.program} from {self.admitted_on:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == EpisodeStatus.ACTIVE

    @property
    def level_label(self) -> str:
        """The level as the episode's edition names it, with withdrawal management."""
        return recommendation_label(self.level_of_care, self.withdrawal_management, self.edition)

    @property
    def weekly_hours_band(self):
        """Half-open (min, max) hours a week this episode is held to: its program's, or its level's."""
        return self.program.weekly_hours_band_for(self.level_of_care)

    @property
    def awaits_cosign(self) -> bool:
        return self.admitted_below_recommendation and self.cosigned_at is None


class LevelOfCareChange(ClinicalRecord):
    """A step-up or step-down recorded inside the episode rather than as a new chart."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="level_changes")
    from_level = models.CharField(max_length=4, choices=LevelOfCare.choices)
    to_level = models.CharField(max_length=4, choices=LevelOfCare.choices)
    effective_on = models.DateField(default=timezone.localdate)
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_level=models.F("to_level")),
                name="%(app_label)s_%(class)s_changes_level",
                violation_error_message="Choose a level of care different from the current one.",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="%(app_label)s_%(class)s_reason_given",
                violation_error_message="Give the reason for the change of level of care.",
            ),
        ]

    def __str__(self):
        return f"{self.from_level} → {self.to_level} on {self.effective_on:%Y-%m-%d}"

    @property
    def to_level_label(self) -> str:
        return level_label(self.to_level, self.episode.edition)

    @property
    def direction(self) -> str:
        return "step-up" if level_rank(self.to_level) > level_rank(self.from_level) else "step-down"
