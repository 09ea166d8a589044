"""The daily random draw, recorded so an auditor can re-check every choice.

Moved from patients (issue 15): every table keeps its name (``Meta.db_table``).
"""

from django.db import models

from iop.models import TimeStampedModel

from ..constants import (
    RNG_SOURCE,
)


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
        help_text="Per patient id: the uniform number drawn; below that day's chance (the daily probability, "
        "raised in the gap window) = drawn.",
    )
    drawn = models.JSONField(
        default=dict, blank=True, help_text="Per drawn patient id: why (random draw or longest gap)."
    )

    class Meta:
        db_table = "patients_randomdraw"
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
