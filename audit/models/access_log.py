import hashlib
import ipaddress
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..constants import DataCategory, Outcome
from .append_only import AppendOnlyError, AppendOnlyModel

__all__ = ["HASHED_FIELDS", "AccessLog", "AppendOnlyError", "access_log_hash"]

# The columns a row's hash covers, besides the previous hash (the arguments of access_log_hash).
HASHED_FIELDS = ("at", "user_id", "patient_id", "category", "action", "outcome", "ip_address", "detail")


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

    A look writes its row with one INSERT (``audit.services.access_log_record``, the only
    writer), unchained. The sequencer (``audit.services.access_log_chain``, run by beat every
    few seconds) then chains committed rows in order: ``chain_seq`` numbers them 1, 2, 3…,
    each carries the hash of the one before, so a row changed, removed or inserted behind the
    application's back shows up in ``manage.py audit_verify``; signed checkpoints of the head,
    kept outside the database, catch a shortened or re-hashed chain.
    """

    # Set by the service before the insert (not auto_now_add, which would change it after hashing).
    at = models.DateTimeField(default=timezone.now, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=DataCategory.choices)
    action = models.CharField(max_length=60, help_text="The view or export that was used.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text="Never patient identifiers.")
    # Set once, by the sequencer; the database trigger refuses any other change (migration 0006).
    chain_seq = models.PositiveBigIntegerField(
        null=True, blank=True, editable=False, help_text="Position in the hash chain (1 is the first row chained)."
    )
    previous_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

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
            # The sequencer's claim: rows not chained yet, in id order (only a few seconds' worth).
            models.Index(fields=["id"], condition=Q(chain_seq__isnull=True), name="audit_accesslog_unchained"),
        ]
        constraints = [
            # Also serves the chain's walk (audit_verify) and the head the sequencer chains onto.
            models.UniqueConstraint(
                fields=["chain_seq"],
                name="audit_accesslog_chain_seq_unique",
                violation_error_message="Two access-log rows cannot hold the same place in the chain.",
            ),
            models.CheckConstraint(
                condition=(Q(chain_seq__isnull=True, previous_hash="", row_hash=""))
                | (Q(chain_seq__gte=1) & ~Q(previous_hash="") & ~Q(row_hash="")),
                name="audit_accesslog_chained_whole",
                violation_error_message=(
                    "A row is chained with its place, its predecessor's hash and its own, or not at all."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.category} {self.outcome}"

    @property
    def is_chained(self) -> bool:
        return self.chain_seq is not None

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
        # The service inserts with bulk_create (one INSERT, no save()); the sequencer alone chains.
        if self._state.adding:
            raise AppendOnlyError("Write access-log rows through audit.services.access_log_record.")
        super().save(*args, **kwargs)
