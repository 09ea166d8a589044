from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from iop.models import TimeStampedModel

from .constants import Population


class Program(TimeStampedModel):
    """A program track, e.g. "Adult IOP — evenings"; it sets the weekly hours band."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=40, unique=True)
    population = models.CharField(max_length=20, choices=Population.choices, default=Population.ADULT)
    description = models.TextField(blank=True)
    min_weekly_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("9"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("40"))],
    )
    max_weekly_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("40"))],
    )
    typical_length_weeks = models.PositiveSmallIntegerField(default=12)
    plan_review_days = models.PositiveSmallIntegerField(default=30, help_text="Treatment plan review cadence.")
    note_signing_limit_hours = models.PositiveSmallIntegerField(default=24)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_weekly_hours__lte=models.F("max_weekly_hours")),
                name="%(app_label)s_%(class)s_band_ordered",
                violation_error_message="The weekly minimum must not exceed the maximum.",
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
    def weekly_hours_band(self) -> tuple[Decimal, Decimal]:
        return self.min_weekly_hours, self.max_weekly_hours
