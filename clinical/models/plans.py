"""Treatment plans: a versioned tree of problems → goals → objectives / interventions per episode."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord, TimeStampedModel
from patients.constants import AsamDimension

from ..constants import (
    INITIAL_PLAN_DAYS,
    FrequencyPeriod,
    InterventionModality,
    PatientAgreement,
    PlanReviewOutcome,
)


class ProgramDocumentationPolicy(TimeStampedModel):
    """Documentation rules a program adds on top of the defaults (e.g. supervisors co-sign every plan)."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="documentation_policy")
    plans_require_supervisor_cosign = models.BooleanField(
        default=False, help_text="A clinical supervisor co-signs every treatment plan version of this program."
    )
    initial_plan_days = models.PositiveSmallIntegerField(
        default=INITIAL_PLAN_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Days after admission by which the first treatment plan is signed; the supervisor hears "
        "of it 3 days later.",
    )

    class Meta:
        verbose_name = "program documentation policy"
        verbose_name_plural = "program documentation policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(initial_plan_days__gte=1, initial_plan_days__lte=30),
                name="%(app_label)s_%(class)s_initial_plan_days_range",
                violation_error_message="The initial plan is due 1 to 30 days after admission.",
            ),
        ]

    def __str__(self):
        return f"Documentation policy of {self.program}"


def validate_asam_dimensions(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Tag the problem with at least one ASAM dimension.")
    allowed = set(AsamDimension.values)
    if any(item not in allowed for item in value) or len(set(value)) != len(value):
        raise ValidationError("ASAM dimensions are the numbers 1 to 6, each named once.")


class TreatmentPlan(ClinicalRecord):
    """One version of an episode's treatment plan; signed versions are immutable, a revision is a new version."""

    episode = models.ForeignKey("patients.Episode", on_delete=models.PROTECT, related_name="treatment_plans")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans")
    version = models.PositiveSmallIntegerField(default=1)
    revised_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revision"
    )
    revision_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Clinician's signature: locks the version.
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Patient's agreement: signed in person, or verbal with a named witness.
    patient_agreement = models.CharField(max_length=10, choices=PatientAgreement.choices, blank=True)
    patient_agreed_on = models.DateField(null=True, blank=True)
    agreement_witness = models.CharField(max_length=120, blank=True)
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Supervisor's co-signature, when the program's policy or the signer's training requires one.
    cosign_required = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set at signing and moved on by each review, so the work list filters plans in SQL.
    review_due_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "-version"]
        indexes = [
            # plans_due_for_review: signed plans whose review date has come, by program.
            models.Index(fields=["review_due_on"], name="clinical_plan_review_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "version"],
                name="%(app_label)s_%(class)s_unique_version",
                violation_error_message="This episode already has a plan with that version number.",
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(signed_at__isnull=True, entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_one_draft_per_episode",
                violation_error_message="This episode already has a plan draft; finish or sign it first.",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False, review_due_on__isnull=False),
                name="%(app_label)s_%(class)s_signature_complete",
                violation_error_message="A signature needs both the signer and the time, and sets the review date.",
            ),
            models.CheckConstraint(
                condition=~models.Q(patient_agreement=PatientAgreement.VERBAL) | ~models.Q(agreement_witness=""),
                name="%(app_label)s_%(class)s_verbal_agreement_witnessed",
                violation_error_message="Name the witness of the patient's verbal agreement.",
            ),
            models.CheckConstraint(
                condition=models.Q(patient_agreement="") | models.Q(patient_agreed_on__isnull=False),
                name="%(app_label)s_%(class)s_agreement_dated",
                violation_error_message="Give the date the patient agreed to the plan.",
            ),
            models.CheckConstraint(
                condition=models.Q(cosigned_at__isnull=True) | models.Q(signed_at__isnull=False),
                name="%(app_label)s_%(class)s_cosign_after_sign",
                violation_error_message="The clinician signs before the supervisor co-signs.",
            ),
        ]

    def __str__(self):
        return f"Treatment plan v{self.version} ({'signed' if self.is_signed else 'draft'})"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def awaits_cosign(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None

    @property
    def is_complete(self) -> bool:
        """Signed, agreed to by the patient, and co-signed where required."""
        return self.is_signed and bool(self.patient_agreement) and not self.awaits_cosign


class Problem(TimeStampedModel):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="problems")
    position = models.PositiveSmallIntegerField(default=1)
    statement = models.TextField(
        help_text="The problem in the patient's situation, e.g. daily drinking to intoxication."
    )
    asam_dimensions = models.JSONField(default=list, validators=[validate_asam_dimensions])

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self):
        return self.statement[:60]

    @property
    def asam_dimension_labels(self) -> list[str]:
        return [AsamDimension(value).label for value in self.asam_dimensions]


class Goal(TimeStampedModel):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=1)
    statement = models.TextField(help_text="In the patient's words where possible.")
    # The goal this one was copied from in a revision: notes linked to the earlier goal stay linked.
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["problem__position", "position", "pk"]

    def __str__(self):
        return self.statement[:80]


class Objective(TimeStampedModel):
    """A measurable step toward a goal, with its target date."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(default=1)
    statement = models.TextField(help_text="Measurable: who will do what, how often, measured how.")
    target_on = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "position", "pk"]

    def __str__(self):
        return self.statement[:80]


class Intervention(TimeStampedModel):
    """What staff will do toward a goal: modality, how often, who is responsible."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="interventions")
    modality = models.CharField(max_length=20, choices=InterventionModality.choices)
    description = models.TextField(blank=True)
    frequency_count = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    frequency_period = models.CharField(max_length=5, choices=FrequencyPeriod.choices, default=FrequencyPeriod.WEEK)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["goal", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frequency_count__gte=1, frequency_count__lte=14),
                name="%(app_label)s_%(class)s_frequency_range",
                violation_error_message="Frequency is between 1 and 14 times per period.",
            ),
        ]

    def __str__(self):
        return f"{self.get_modality_display()} {self.frequency_text}"

    @property
    def frequency_text(self) -> str:
        if self.frequency_count == 1:
            return {"day": "daily", "week": "weekly", "month": "monthly"}[self.frequency_period]
        return f"{self.frequency_count}× per {self.get_frequency_period_display()}"

    @property
    def is_at_least_weekly(self) -> bool:
        return self.frequency_period in (FrequencyPeriod.DAY, FrequencyPeriod.WEEK)


class PlanReview(TimeStampedModel):
    """A review of a signed plan on the program's cadence; it moves the next review date on."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    progress_summary = models.TextField()
    outcome = models.CharField(max_length=10, choices=PlanReviewOutcome.choices, default=PlanReviewOutcome.CONTINUE)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(progress_summary=""),
                name="%(app_label)s_%(class)s_summary_given",
                violation_error_message="Summarise the patient's progress since the last review.",
            ),
        ]

    def __str__(self):
        return f"Review of {self.plan} on {self.reviewed_on:%Y-%m-%d}"
