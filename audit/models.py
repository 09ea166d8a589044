from django.conf import settings
from django.db import models

from .constants import DataCategory, Outcome


class AccessLog(models.Model):
    """One row per look at patient data: who, which patient, what, when, from where."""

    at = models.DateTimeField(auto_now_add=True, db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=DataCategory.choices)
    action = models.CharField(max_length=60, help_text="The view or export that was used.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text="Never patient identifiers.")

    class Meta:
        ordering = ["-at"]
        indexes = [
            # "Who looked at this chart", newest first.
            models.Index(fields=["patient", "-at"], name="audit_accesslog_patient_at"),
            # Audit report by user over a date range.
            models.Index(fields=["user", "-at"], name="audit_accesslog_user_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.category} {self.outcome}"
