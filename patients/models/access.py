from django.conf import settings
from django.db import models

from iop.models import TimeStampedModel


class BreakGlassAccess(TimeStampedModel):
    """Emergency access to a chart outside the user's care team, for a limited time, with a reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "emergency (break-the-glass) access"
        verbose_name_plural = "emergency (break-the-glass) access"
        indexes = [
            # patients_visible_to(user): the user's unexpired grants.
            models.Index(fields=["user", "patient", "expires_at"], name="patients_breakglass_active"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="%(app_label)s_%(class)s_reason_given",
                violation_error_message="Say why you need emergency access to this chart.",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.patient.mrn} until {self.expires_at:%Y-%m-%d %H:%M}"
