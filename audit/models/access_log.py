import hashlib
import ipaddress
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..constants import DataCategory, Outcome
from .append_only import AppendOnlyError, AppendOnlyModel

__all__ = ["AccessLog", "AppendOnlyError", "access_log_hash"]


def _canonical_ip(value: str | None) -> str | None:
    # PostgreSQL's inet and Python may spell one IPv6 address differently; hash one spelling.
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value


def access_log_hash(
    *,
    at,
    user_id,
    patient_id,
    category: str,
    action: str,
    outcome: str,
    ip_address: str | None,
    detail: str,
    previous_hash: str,
) -> str:
    """SHA-256 of a row's canonical serialisation (sorted-key compact JSON, UTC microseconds) and the previous hash."""
    canonical = json.dumps(
        {
            "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "user": user_id,
            "patient": patient_id,
            "category": str(category),
            "action": action,
            "outcome": str(outcome),
            "ip_address": _canonical_ip(ip_address),
            "detail": detail,
            "previous_hash": previous_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AccessLog(AppendOnlyModel):
    """One row per look at patient data: who, which patient, what, when, from where.

    Rows form a hash chain (each carries the hash of the one before), so a row changed
    or removed behind the application's back shows up in ``manage.py audit_verify``.
    Write only through ``audit.services.access_log_record``.
    """

    # Set by the service under the chain lock (not auto_now_add, which would change it after hashing).
    at = models.DateTimeField(default=timezone.now, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=DataCategory.choices)
    action = models.CharField(max_length=60, help_text="The view or export that was used.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text="Never patient identifiers.")
    previous_hash = models.CharField(max_length=64, editable=False)
    row_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = "access-log entry"
        verbose_name_plural = "access-log entries"
        indexes = [
            # "Who looked at this chart", newest first.
            models.Index(fields=["patient", "-at"], name="audit_accesslog_patient_at"),
            # Audit report by user over a date range.
            models.Index(fields=["user", "-at"], name="audit_accesslog_user_at"),
            # Audit report over a date range for everyone, sorted and keyset-paged by (at, id).
            models.Index(fields=["at", "id"], name="audit_accesslog_at_id"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.category} {self.outcome}"

    def compute_row_hash(self) -> str:
        return access_log_hash(
            at=self.at,
            user_id=self.user_id,
            patient_id=self.patient_id,
            category=self.category,
            action=self.action,
            outcome=self.outcome,
            ip_address=self.ip_address,
            detail=self.detail,
            previous_hash=self.previous_hash,
        )

    def save(self, *args, **kwargs):
        if self._state.adding and (not self.previous_hash or self.row_hash != self.compute_row_hash()):
            raise AppendOnlyError("Write access-log rows through audit.services.access_log_record.")
        super().save(*args, **kwargs)
