"""State reporting: each program's TEDS identifiers, patients' client identifiers and the export log."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from iop.models import TimeStampedModel

# Client identifiers: no vowels (no words) and no digits that look like letters.
CLIENT_ID_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"
CLIENT_ID_LENGTH = 12


def new_client_id() -> str:
    return "".join(secrets.choice(CLIENT_ID_ALPHABET) for _ in range(CLIENT_ID_LENGTH))


class ProgramReporting(TimeStampedModel):
    """How the state knows a program: its TEDS state code and provider identifier (set in the admin)."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="reporting")
    state_fips = models.CharField(
        "State FIPS code",
        max_length=2,
        validators=[RegexValidator(r"^\d{2}$", "Two digits, e.g. 25 for Massachusetts.")],
    )
    provider_id = models.CharField(
        "State provider identifier",
        max_length=15,
        validators=[RegexValidator(r"^[A-Za-z0-9-]{1,15}$", "Up to 15 letters, digits or hyphens.")],
        help_text="The identifier the state's TEDS system gives this program's facility.",
    )

    class Meta:
        verbose_name = "program reporting identifiers"
        verbose_name_plural = "program reporting identifiers"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(provider_id="") & ~models.Q(state_fips=""),
                name="%(app_label)s_%(class)s_identified",
                violation_error_message="Give the state FIPS code and the provider identifier.",
            ),
        ]

    def __str__(self):
        return f"{self.program}: {self.state_fips} {self.provider_id}"


class TedsClient(TimeStampedModel):
    """The stable TEDS client identifier of a patient: random, never the MRN, never reused."""

    patient = models.OneToOneField("patients.Patient", on_delete=models.PROTECT, related_name="teds_client")
    client_id = models.CharField(max_length=CLIENT_ID_LENGTH, unique=True, editable=False)

    class Meta:
        verbose_name = "TEDS client identifier"

    def __str__(self):
        return self.client_id


class TedsExport(TimeStampedModel):
    """One TEDS file produced: who, when, which period, how many records (a disclosure-like event).

    Append-only: the row is the record that the file left the clinic.
    """

    exported_at = models.DateTimeField()
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    file_format = models.CharField(max_length=8)
    programs = models.ManyToManyField("programs.Program", related_name="+")
    admission_records = models.PositiveIntegerField()
    discharge_records = models.PositiveIntegerField()
    excluded_records = models.PositiveIntegerField(help_text="Invalid records left out at the user's choice.")
    sha256 = models.CharField("SHA-256 of the file", max_length=64)

    class Meta:
        ordering = ["-exported_at"]
        verbose_name = "TEDS export"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="%(app_label)s_%(class)s_period_ordered",
                violation_error_message="The period ends on or after its start.",
            ),
        ]

    def __str__(self):
        return f"TEDS {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d} by {self.exported_by}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A TEDS export is recorded once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A TEDS export record is never deleted.")

    @property
    def total_records(self) -> int:
        return self.admission_records + self.discharge_records
