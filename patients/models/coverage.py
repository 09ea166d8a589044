from django.db import models
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord

from ..constants import AuthorizationUnit, LevelOfCare


class InsurancePolicy(ClinicalRecord):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="insurance_policies")
    payer = models.CharField(max_length=120)
    plan_name = models.CharField(max_length=120, blank=True)
    member_id = models.CharField("Member ID", max_length=60)
    group_number = models.CharField(max_length=60, blank=True)
    subscriber_name = models.CharField(
        max_length=120, blank=True, help_text="Leave blank when the patient is the subscriber."
    )
    is_primary = models.BooleanField(default=True)
    effective_on = models.DateField(null=True, blank=True)
    terminates_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "payer"]
        verbose_name_plural = "insurance policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(terminates_on__isnull=True)
                | models.Q(effective_on__isnull=True)
                | models.Q(terminates_on__gte=models.F("effective_on")),
                name="%(app_label)s_%(class)s_dates_ordered",
                violation_error_message="The policy cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.payer} {self.member_id}"


class Authorization(ClinicalRecord):
    """A payer's authorization of a level of care for a span of dates and units."""

    policy = models.ForeignKey(InsurancePolicy, on_delete=models.PROTECT, related_name="authorizations")
    number = models.CharField("Authorization number", max_length=60)
    level_of_care = models.CharField(max_length=4, choices=LevelOfCare.choices, default=LevelOfCare.IOP)
    starts_on = models.DateField()
    ends_on = models.DateField()
    units_authorized = models.PositiveIntegerField()
    unit = models.CharField(max_length=10, choices=AuthorizationUnit.choices, default=AuthorizationUnit.DAYS)
    units_used = models.PositiveIntegerField(default=0)
    next_review_on = models.DateField("Next utilization review", null=True, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_dates_ordered",
                violation_error_message="The authorization cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(units_authorized__gt=0),
                name="%(app_label)s_%(class)s_units_positive",
                violation_error_message="Authorize at least one unit.",
            ),
        ]
        indexes = [
            # Work list: authorizations ending soon.
            models.Index(fields=["ends_on"], name="patients_auth_ends_on"),
        ]

    def __str__(self):
        return f"{self.number} ({self.get_level_of_care_display()})"

    @property
    def units_remaining(self) -> int:
        return max(self.units_authorized - self.units_used, 0)
