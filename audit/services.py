"""Writes to the audit trail: access-log rows (hash-chained) and Part 2 disclosures."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from audit.constants import (
    ACCESS_LOG_CHAIN_LOCK,
    GENESIS_HASH,
    REDISCLOSURE_NOTICE,
    DataCategory,
    DisclosureSection,
    Outcome,
)
from audit.models import AccessLog, Disclosure

from .disclosure_scope import consent_copy, disclosure_refusal, sections_not_covered
from .packet import disclosure_content


def client_ip(request) -> str | None:
    # REMOTE_ADDR is set by the WSGI server; a trusted proxy rewrites it upstream.
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def _clean_text(value: str, limit: int) -> str:
    # PostgreSQL refuses NUL in text; a hostile value must not turn a look into a lost log row.
    return value.replace("\x00", "")[:limit]


def access_log_record(
    *,
    request,
    category: DataCategory,
    action: str,
    patient=None,
    outcome: Outcome = Outcome.ALLOWED,
    detail: str = "",
    user=None,
) -> AccessLog:
    """Write one access-log row for a look at patient data (``user`` for work done outside a request)."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            # Held until commit, so two writers can't both chain onto the same last row.
            # SQLite has one writer at a time and needs no lock.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ACCESS_LOG_CHAIN_LOCK])
        previous_hash = AccessLog.objects.order_by("-id").values_list("row_hash", flat=True).first()
        entry = AccessLog(
            at=timezone.now(),
            user=user,
            patient=patient,
            category=category,
            action=_clean_text(action, 60),
            outcome=outcome,
            ip_address=client_ip(request),
            detail=_clean_text(detail, 200),
            previous_hash=previous_hash or GENESIS_HASH,
        )
        entry.row_hash = entry.compute_row_hash()
        entry.save()
    return entry


def disclosure_record(
    *,
    patient,
    consent,
    recipient: str,
    purpose: str,
    sections: Sequence[str],
    disclosed_by,
    request=None,
) -> Disclosure:
    """Record a Part 2 disclosure, refused unless an active consent covers its recipient, purpose and sections."""
    with transaction.atomic():
        refusal = disclosure_refusal(consent=consent, patient=patient, recipient=recipient, purpose=purpose)
        if refusal:
            raise ValidationError(refusal)
        if not sections:
            raise ValidationError({"sections": "Choose at least one section of the record to disclose."})
        uncovered = sections_not_covered(consent, sections)
        if uncovered:
            raise ValidationError(
                {"sections": f"The consent does not cover: {', '.join(uncovered)}. Disclose only what it names."}
            )
        ordered_sections = [code for code in DisclosureSection.values if code in set(sections)]
        disclosure = Disclosure(
            patient=patient,
            consent=consent,
            disclosed_at=timezone.now(),
            disclosed_by=disclosed_by,
            recipient=consent.recipient,
            purpose=consent.purpose,
            sections=ordered_sections,
            content=disclosure_content(patient, ordered_sections),
            consent_copy=consent_copy(consent),
            notice=REDISCLOSURE_NOTICE,
        )
        disclosure.full_clean()
        disclosure.save()
        access_log_record(
            request=request,
            user=disclosed_by,
            category=DataCategory.DISCLOSURE,
            action="disclose records (Part 2)",
            patient=patient,
            detail=f"disclosure {disclosure.pk}: {', '.join(ordered_sections)}",
        )
    return disclosure
