import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from iop.models import TimeStampedModel

from ..constants import PROGRAM_LEVELS, WEEKLY_HOURS_RULES, LevelOfCare, Population, Weekday
from ..validators import band_errors, validate_meeting_days, weekly_hours_rule


def _band_in_level_condition() -> models.Q:
    """The database's copy of WEEKLY_HOURS_RULES: each program's band inside its level's range."""
    condition = ~models.Q(level_of_care__in=PROGRAM_LEVELS)  # refused by its own constraint
    for (level, population), rule in WEEKLY_HOURS_RULES.items():
        fits = models.Q(level_of_care=level, population=population, min_weekly_hours__gte=rule.floor)
        if rule.ceiling is not None:
            fits &= models.Q(max_weekly_hours__lte=rule.ceiling)
        condition |= fits
    return condition


class Program(TimeStampedModel):
    """A program track, e.g. "Adult IOP — evenings"; it sets the weekly hours band."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    population = models.CharField(max_length=20, choices=Population.choices, default=Population.ADULT)
    level_of_care = models.CharField(
        max_length=4,
        choices=[(level.value, level.label) for level in PROGRAM_LEVELS],
        default=LevelOfCare.IOP,
        help_text="The ASAM level the program delivers; its weekly hours band must fit the level.",
    )
    description = models.TextField(blank=True)
    # Left empty, the band is the level's default for the age group (adult IOP 9–20, adolescent 6–20).
    min_weekly_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("40"))],
        help_text="At least this many hours a week. Leave empty for the level's default.",
    )
    max_weekly_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("40"))],
        help_text="Fewer than this many hours a week (20 or more is partial hospitalization). "
        "Leave empty for the level's default.",
    )
    typical_length_weeks = models.PositiveSmallIntegerField(default=12)
    plan_review_days = models.PositiveSmallIntegerField(default=30, help_text="Treatment plan review cadence.")
    note_signing_limit_hours = models.PositiveSmallIntegerField(default=24)
    # A "completed" discharge needs attended care; below this a supervisor overrides with a reason.
    completion_min_attended_days = models.PositiveSmallIntegerField(
        "Attended days to complete",
        default=10,
        validators=[MaxValueValidator(365)],
        help_text='Days with attended treatment a discharge as "completed" needs (0: no minimum); '
        "below it, only a supervisor's override with a reason.",
    )
    meeting_days = models.CharField(
        max_length=20,
        default="MO,TU,TH",
        validators=[validate_meeting_days],
        help_text="RFC 5545 weekday codes, e.g. MO,WE,TH (IOPs meet 3–5 days a week).",
    )
    day_starts_at = models.TimeField(default=dt.time(18, 0), help_text="Clinic local time.")
    day_ends_at = models.TimeField(default=dt.time(21, 0), help_text="Clinic local time.")
    is_active = models.BooleanField(default=True)

    class Meta:
        # Moved from scheduling (issue 15): the table keeps its name.
        db_table = "scheduling_program"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_ends_at__gt=models.F("day_starts_at")),
                name="%(app_label)s_%(class)s_hours_ordered",
                violation_error_message="The program day must end after it starts.",
            ),
            # Half-open band (min <= hours < max): equal ends would admit nobody.
            models.CheckConstraint(
                condition=models.Q(min_weekly_hours__lt=models.F("max_weekly_hours")),
                name="%(app_label)s_%(class)s_band_ordered",
                violation_error_message="The weekly maximum must be more than the minimum.",
            ),
            models.CheckConstraint(
                condition=models.Q(level_of_care__in=PROGRAM_LEVELS),
                name="%(app_label)s_%(class)s_outpatient_level",
                violation_error_message="A program runs an outpatient level (1.0 to 2.7).",
            ),
            models.CheckConstraint(
                condition=_band_in_level_condition(),
                name="%(app_label)s_%(class)s_band_fits_level",
                violation_error_message="The weekly hours band does not fit the program's level and age group.",
            ),
            models.CheckConstraint(
                condition=models.Q(min_weekly_hours__gte=0, max_weekly_hours__lte=40),
                name="%(app_label)s_%(class)s_band_in_range",
                violation_error_message="Weekly hours must lie between 0 and 40.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def meeting_day_codes(self) -> list[str]:
        return [code.strip().upper() for code in self.meeting_days.split(",") if code.strip()]

    @property
    def meeting_days_display(self) -> str:
        return ", ".join(Weekday(code).label[:3] for code in self.meeting_day_codes)

    @property
    def weekly_hours_band(self) -> tuple[Decimal, Decimal]:
        """Half-open: min <= hours < max."""
        return self.min_weekly_hours, self.max_weekly_hours

    def weekly_hours_band_for(self, level: str) -> tuple[Decimal, Decimal]:
        """The band an episode at ``level`` is held to in this program.

        At the program's own level it is the program's band; at another level with a weekly
        range (a 2.5 episode in a 2.1 program, a step-down to 1.0) it is that level's default for
        the program's age group; residential levels have no weekly band, so the program's applies.
        """
        if level == self.level_of_care:
            return self.weekly_hours_band
        rule = weekly_hours_rule(level, self.population)
        return rule.default_band if rule is not None else self.weekly_hours_band

    def fill_default_band(self) -> None:
        """An empty end of the band takes the level's default for the age group (a new adolescent IOP: 6)."""
        rule = weekly_hours_rule(self.level_of_care, self.population)
        if rule is None:
            return
        if self.min_weekly_hours is None:
            self.min_weekly_hours = rule.default_band[0]
        if self.max_weekly_hours is None:
            self.max_weekly_hours = rule.default_band[1]

    def clean(self):
        super().clean()
        self.fill_default_band()
        errors = band_errors(
            level=self.level_of_care,
            population=self.population,
            low=self.min_weekly_hours,
            high=self.max_weekly_hours,
        )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.fill_default_band()
        super().save(*args, **kwargs)
