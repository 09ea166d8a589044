"""The clinic's rooms (telehealth ones included) and the days it is closed."""

from django.db import models

from iop.models import TimeStampedModel


class Room(TimeStampedModel):
    """A room at a location, or a telehealth virtual room whose sessions carry a join link."""

    name = models.CharField(max_length=80, unique=True)
    location = models.CharField(max_length=120, blank=True, help_text="Building or site.")
    capacity = models.PositiveSmallIntegerField(default=14)
    is_virtual = models.BooleanField("Telehealth (virtual room)", default=False)
    join_url = models.URLField(blank=True, help_text="Default video link for sessions in this virtual room.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_virtual=False) | ~models.Q(join_url=""),
                name="%(app_label)s_%(class)s_virtual_has_link",
                violation_error_message="A virtual room needs its join link.",
            ),
        ]

    def __str__(self):
        return f"{self.name} (telehealth)" if self.is_virtual else self.name


class ClinicClosure(TimeStampedModel):
    """A day the clinic is closed (holiday, weather): every occurrence that day is cancelled."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}"
