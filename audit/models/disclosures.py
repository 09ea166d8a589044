from django.conf import settings
from django.db import models
from django.utils import timezone

from ..constants import DisclosureSection
from .append_only import AppendOnlyModel


class Disclosure(AppendOnlyModel):
    """One 42 CFR Part 2 disclosure made with the patient's consent: the patient's accounting of disclosures.

    The row keeps what was sent (a snapshot of the chart sections and of the consent), so
    the packet can be reprinted exactly as disclosed. Rows are never changed or deleted
    (a database trigger refuses it), which keeps the accounting beyond the 3 years of
    42 CFR §2.25.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="disclosures")
    consent = models.ForeignKey("patients.Consent", on_delete=models.PROTECT, related_name="disclosures")
    disclosed_at = models.DateTimeField(default=timezone.now)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=200)
    purpose = models.CharField(max_length=200)
    sections = models.JSONField(help_text="Codes of the chart sections disclosed (DisclosureSection).")
    content = models.JSONField(help_text="The chart sections as disclosed: title, columns and rows of each.")
    consent_copy = models.JSONField(help_text="The consent as it stood when the disclosure was made.")
    notice = models.TextField(help_text="The notice against redisclosure that accompanied the records (§2.32).")

    # The disclosed records stay out of the admin: never filtered, searched or sorted by (iop.admin_site).
    sensitive_fields = ("content",)

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        indexes = [
            # The patient's accounting of disclosures, newest first.
            models.Index(fields=["patient", "-disclosed_at"], name="audit_disclosure_patient_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(recipient="") & ~models.Q(purpose=""),
                name="%(app_label)s_%(class)s_recipient_and_purpose",
                violation_error_message="A disclosure names its recipient and its purpose.",
            ),
            models.CheckConstraint(
                condition=~models.Q(sections=[]),
                name="%(app_label)s_%(class)s_sections_chosen",
                violation_error_message="Choose at least one section of the record to disclose.",
            ),
            models.CheckConstraint(
                condition=~models.Q(notice=""),
                name="%(app_label)s_%(class)s_notice_attached",
                violation_error_message="Every disclosure carries the notice against redisclosure.",
            ),
        ]

    def __str__(self):
        return f"{self.disclosed_at:%Y-%m-%d} to {self.recipient}"

    @property
    def section_labels(self) -> list[str]:
        labels = dict(DisclosureSection.choices)
        return [labels.get(code, code) for code in self.sections]
