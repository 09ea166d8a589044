"""What admins configure: analytes and their cutoffs, panels, and each program's monitoring policy.

Moved from patients (issue 15): every table keeps its name (``Meta.db_table``).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from iop.models import MovedModelHistory, TimeStampedModel
from programs.constants import WEEKDAY_CODES
from programs.validators import validate_meeting_days

from ..constants import (
    BREATH_ALCOHOL,
    AnalyteUnit,
    Specimen,
    TestingMethod,
)


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
        db_table = "patients_analyte"
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
        db_table = "patients_panel"
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
        db_table = "patients_panelanalyte"
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

    history = MovedModelHistory(moved_from="patients")

    class Meta:
        db_table = "patients_programclinicalpolicy"
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

    def clean(self):
        """Random testing needs a testing day the program meets on, spaced within the longest gap."""
        super().clean()
        if not self.random_testing_enabled or self.program_id is None:
            return
        # A draw happens only on a day the program meets (testing/services/random_draws.py).
        meeting_codes = self.program.meeting_day_codes
        draw_weekdays = sorted({WEEKDAY_CODES.index(c) for c in self.testing_day_codes if c in meeting_codes})
        if not draw_weekdays:
            raise ValidationError(
                {
                    "testing_days": f"The program meets on {self.program.meeting_days_display}: choose at least one "
                    "of those days. A draw happens only on a day the program meets, so none would happen."
                }
            )
        if self.longest_gap_days is None:
            return
        # The longest stretch from one draw day to the next, across the weekend included.
        following = [*draw_weekdays[1:], draw_weekdays[0] + 7]
        longest_stretch = max(later - earlier for earlier, later in zip(draw_weekdays, following, strict=True))
        if self.longest_gap_days < longest_stretch:
            days = ", ".join(WEEKDAY_CODES[weekday] for weekday in draw_weekdays)
            raise ValidationError(
                {
                    "longest_gap_days": f"Draws happen on {days} (the testing days the program meets on), up to "
                    f"{longest_stretch} days apart: a longest gap of {self.longest_gap_days} days cannot be kept. "
                    "Lengthen it or add testing days."
                }
            )

    @property
    def testing_day_codes(self) -> list[str]:
        return [code.strip().upper() for code in self.testing_days.split(",") if code.strip()]
