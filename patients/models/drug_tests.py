from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from iop.models import ClinicalRecord, TimeStampedModel
from programs.validators import validate_meeting_days

from ..clinical_constants import (
    BREATH_ALCOHOL,
    COLLECTED_STATUSES,
    RNG_SOURCE,
    AnalyteOutcome,
    AnalyteUnit,
    DrugTestStatus,
    ResultMethod,
    Specimen,
    SpecimenValidity,
    TestingMethod,
    TestReason,
)

# --- Configuration: analytes, panels, program policies ---------------------------------------


class Analyte(TimeStampedModel):
    """A substance (or class) a test reports, with the cutoff above which it reads positive."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    default_cutoff = models.DecimalField(
        "Default cutoff", max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0"))]
    )
    unit = models.CharField(max_length=10, choices=AnalyteUnit.choices, default=AnalyteUnit.NG_ML)
    display_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_cutoff__gte=0),
                name="%(app_label)s_%(class)s_cutoff_not_negative",
                violation_error_message="A cutoff cannot be negative.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_breath_alcohol(self) -> bool:
        return self.code == BREATH_ALCOHOL


class Panel(TimeStampedModel):
    """A set of analytes tested together, e.g. a 12-panel urine cup or a breath test."""

    name = models.CharField(max_length=80, unique=True)
    specimen = models.CharField(max_length=12, choices=Specimen.choices, default=Specimen.URINE)
    method = models.CharField(max_length=4, choices=TestingMethod.choices, default=TestingMethod.POINT_OF_CARE)
    analytes = models.ManyToManyField(Analyte, through="PanelAnalyte", related_name="panels")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PanelAnalyte(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="panel_analytes")
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="+")
    cutoff = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True, help_text="Empty: the analyte's default cutoff."
    )

    class Meta:
        ordering = ["analyte__display_order", "analyte__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "analyte"],
                name="%(app_label)s_%(class)s_once_per_panel",
                violation_error_message="This analyte is already on the panel.",
            ),
            models.CheckConstraint(
                condition=models.Q(cutoff__isnull=True) | models.Q(cutoff__gte=0),
                name="%(app_label)s_%(class)s_cutoff_not_negative",
                violation_error_message="A cutoff cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.panel}: {self.analyte}"

    @property
    def effective_cutoff(self) -> Decimal:
        return self.analyte.default_cutoff if self.cutoff is None else self.cutoff


class ProgramClinicalPolicy(TimeStampedModel):
    """Per program: random drug testing (rate, longest gap, days) and the measurement cadence."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="clinical_policy")
    random_testing_enabled = models.BooleanField(default=True)
    weekly_testing_rate = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.300"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text="Share of active patients drawn at least once a week, e.g. 0.30 for 30%.",
    )  # fmt: skip
    longest_gap_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1)], help_text="No active patient goes untested longer than this."
    )
    testing_days = models.CharField(
        max_length=20, default="MO,TU,WE,TH,FR", validators=[validate_meeting_days],
        help_text="Days a draw happens (weekday codes MO,TU,…); each is equally likely to test anyone.",
    )  # fmt: skip
    random_panel = models.ForeignKey(
        Panel, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Panel random orders use."
    )
    phq9_every_days = models.PositiveSmallIntegerField("PHQ-9 every (days)", default=14)
    gad7_every_days = models.PositiveSmallIntegerField("GAD-7 every (days)", default=14)
    bam_every_days = models.PositiveSmallIntegerField("BAM every (days)", default=7)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "program clinical policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekly_testing_rate__gt=0, weekly_testing_rate__lte=1),
                name="%(app_label)s_%(class)s_rate_range",
                violation_error_message="The weekly testing rate lies between 0 and 1 (e.g. 0.30).",
            ),
            models.CheckConstraint(
                condition=models.Q(longest_gap_days__gte=1),
                name="%(app_label)s_%(class)s_gap_positive",
                violation_error_message="The longest gap is at least one day.",
            ),
            models.CheckConstraint(
                condition=models.Q(phq9_every_days__gte=1, gad7_every_days__gte=1, bam_every_days__gte=1),
                name="%(app_label)s_%(class)s_cadence_positive",
                violation_error_message="Each instrument's cadence is at least one day.",
            ),
        ]

    def __str__(self):
        return f"Clinical policy of {self.program}"

    @property
    def testing_day_codes(self) -> list[str]:
        return [code.strip().upper() for code in self.testing_days.split(",") if code.strip()]


# --- Random draws ----------------------------------------------------------------------------


class RandomDraw(TimeStampedModel):
    """One day's random draw for one program, recorded so an auditor can re-check every choice."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="random_draws")
    draw_date = models.DateField()
    weekly_testing_rate = models.DecimalField(max_digits=4, decimal_places=3)
    testing_days = models.CharField(max_length=20)
    daily_probability = models.DecimalField(max_digits=8, decimal_places=6)
    longest_gap_days = models.PositiveSmallIntegerField()
    rng_source = models.CharField(max_length=120, default=RNG_SOURCE)
    eligible_patient_ids = models.JSONField(
        default=list, blank=True, help_text="Active patients of the program that day."
    )
    last_tested_on = models.JSONField(
        default=dict, blank=True, help_text="Per patient id: last collection (or admission) date the gap rule used."
    )
    random_values = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per patient id: the uniform number drawn; below the daily probability = drawn.",
    )
    drawn = models.JSONField(
        default=dict, blank=True, help_text="Per drawn patient id: why (random draw or longest gap)."
    )

    class Meta:
        ordering = ["-draw_date", "program"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "draw_date"],
                name="%(app_label)s_%(class)s_once_per_program_day",
                violation_error_message="This program's draw for that day has already been made.",
            ),
        ]

    def __str__(self):
        return f"{self.program} draw {self.draw_date:%Y-%m-%d}: {len(self.drawn)} of {len(self.eligible_patient_ids)}"


# --- Orders and results ----------------------------------------------------------------------


class DrugTest(ClinicalRecord):
    """A drug test from order to result: collection, specimen checks and the result sets."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="drug_tests")
    episode = models.ForeignKey(
        "patients.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="drug_tests"
    )
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=12, choices=TestReason.choices)
    specimen = models.CharField(max_length=12, choices=Specimen.choices, default=Specimen.URINE)
    method = models.CharField(
        "Testing", max_length=4, choices=TestingMethod.choices, default=TestingMethod.POINT_OF_CARE
    )
    observed = models.BooleanField("Observed collection", default=False)
    status = models.CharField(max_length=14, choices=DrugTestStatus.choices, default=DrugTestStatus.ORDERED)
    random_draw = models.ForeignKey(
        RandomDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", editable=False
    )
    ordered_at = models.DateTimeField(default=timezone.now)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty for orders made by the daily random draw.",
    )  # fmt: skip
    collected_at = models.DateTimeField(null=True, blank=True)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    temperature_in_range = models.BooleanField(
        null=True, blank=True, help_text="Urine temperature 32–38 °C within 4 minutes of voiding."
    )
    validity = models.CharField(max_length=12, choices=SpecimenValidity.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    lab_name = models.CharField(max_length=120, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    not_collected_reason = models.CharField(max_length=200, blank=True)
    # Interpretation against the medication list active on the collection date; written
    # by patients.drug_testing.drug_test_interpret, never by hand.
    findings = models.JSONField(default=list, blank=True, editable=False)
    flag_count = models.PositiveSmallIntegerField(default=0, editable=False)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-ordered_at"]
        indexes = [
            # Chart "Drug tests": a patient's tests in time order.
            models.Index(fields=["patient", "ordered_at"], name="patients_drugtest_timeline"),
            # Program "Pending results" (collected or sent, oldest first) and the collection list.
            models.Index(
                fields=["status", "collected_at"],
                name="patients_drugtest_pending",
                condition=models.Q(status__in=["ordered", "collected", "sent"]),
            ),
            # Random draw gap rule: each patient's latest collection.
            models.Index(fields=["patient", "collected_at"], name="patients_drugtest_last_collect"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[DrugTestStatus.ORDERED, DrugTestStatus.NOT_COLLECTED])
                | models.Q(collected_at__isnull=False, collector__isnull=False) & ~models.Q(validity=""),
                name="%(app_label)s_%(class)s_collection_recorded",
                violation_error_message="A collected specimen has its collector, collection time and validity.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DrugTestStatus.SENT) | models.Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_dated",
                violation_error_message="A specimen sent to the lab has the date it was sent.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DrugTestStatus.RESULTED) | models.Q(resulted_at__isnull=False),
                name="%(app_label)s_%(class)s_result_dated",
                violation_error_message="A resulted test has the time of its result.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DrugTestStatus.NOT_COLLECTED) | ~models.Q(not_collected_reason=""),
                name="%(app_label)s_%(class)s_missed_has_reason",
                violation_error_message="Say why the specimen was not collected.",
            ),
            models.CheckConstraint(
                condition=models.Q(collected_at__isnull=True) | models.Q(collected_at__gte=models.F("ordered_at")),
                name="%(app_label)s_%(class)s_collected_after_order",
                violation_error_message="Collection cannot come before the order.",
            ),
        ]

    def __str__(self):
        when = self.collected_at or self.ordered_at
        return f"{self.get_specimen_display()} test {timezone.localtime(when):%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_collected(self) -> bool:
        return self.status in COLLECTED_STATUSES

    @property
    def draw_reason(self) -> str:
        """Why the random draw chose this patient ("random" or "gap"), for the collection list."""
        if self.random_draw is None:
            return ""
        return self.random_draw.drawn.get(str(self.patient_id), "")

    @property
    def flagged_findings(self) -> list[dict]:
        return [finding for finding in self.findings if finding.get("flagged")]


class DrugTestResultSet(ClinicalRecord):
    """One set of results for a specimen: presumptive (immunoassay) or definitive (LC-MS/MS) confirmation."""

    drug_test = models.ForeignKey(DrugTest, on_delete=models.PROTECT, related_name="result_sets")
    method = models.CharField(max_length=12, choices=ResultMethod.choices)
    resulted_at = models.DateTimeField(default=timezone.now)
    lab_name = models.CharField(max_length=120, blank=True)
    accession_number = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["resulted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["drug_test", "method"],
                condition=models.Q(entered_in_error_at__isnull=True),
                name="%(app_label)s_%(class)s_one_per_method",
                violation_error_message="This specimen already has a result of that kind.",
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} result {timezone.localtime(self.resulted_at):%Y-%m-%d}"


class AnalyteResult(ClinicalRecord):
    result_set = models.ForeignKey(DrugTestResultSet, on_delete=models.PROTECT, related_name="analyte_results")
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=AnalyteOutcome.choices)
    level = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    cutoff = models.DecimalField(max_digits=10, decimal_places=3, help_text="The cutoff in force when tested.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["analyte__display_order", "analyte__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["result_set", "analyte"],
                name="%(app_label)s_%(class)s_once_per_set",
                violation_error_message="This analyte already has a result in this set.",
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=0),
                name="%(app_label)s_%(class)s_level_not_negative",
                violation_error_message="A level cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.analyte}: {self.get_outcome_display()}"


class SobrietyDate(ClinicalRecord):
    """The patient's sobriety date; every reset is kept in its history with the reason."""

    patient = models.OneToOneField("patients.Patient", on_delete=models.PROTECT, related_name="sobriety_date")
    sober_since = models.DateField()
    reason = models.CharField(max_length=200, help_text="Why it was set or reset (e.g. reported use on 3/2).")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    def __str__(self):
        return f"Sober since {self.sober_since:%Y-%m-%d}"

    def days_on(self, day) -> int:
        return (day - self.sober_since).days
