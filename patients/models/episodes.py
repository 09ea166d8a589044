from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord

from ..constants import EpisodeStatus, LevelOfCare


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
    level_of_care = models.CharField(max_length=4, choices=LevelOfCare.choices, default=LevelOfCare.IOP)
    level_of_care_reason = models.TextField(
        blank=True, help_text="Why the patient was admitted to a level other than the one the assessment recommended."
    )
    admitted_on = models.DateField(default=timezone.localdate)
    primary_clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target_weekly_hours = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("9"))
    expected_length_weeks = models.PositiveSmallIntegerField(default=12)
    discharged_on = models.DateField(null=True, blank=True)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-admitted_on"]
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
        ]

    def __str__(self):
        return f"{self.program} from {self.admitted_on:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == EpisodeStatus.ACTIVE


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
    def direction(self) -> str:
        return "step-up" if self.to_level > self.from_level else "step-down"
