"""Writes to the audit trail: access-log rows and their hash chain, checkpoints, Part 2 disclosures,
and the history of records changed in bulk."""

import logging
import os
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from audit.constants import (
    ACCESS_LOG_CHAIN_LOCK,
    CHECKPOINT_LOG_PREFIX,
    CHECKPOINT_LOGGER,
    GENESIS_HASH,
    REDISCLOSURE_NOTICE,
    DataCategory,
    DisclosureSection,
    Outcome,
)
from audit.models import AccessLog, Disclosure
from audit.models.access_log import HASHED_FIELDS, access_log_hash

from .checkpoints import Checkpoint, checkpoint_sign
from .disclosure_scope import consent_copy, disclosure_refusal, sections_not_covered
from .packet import disclosure_content

checkpoint_logger = logging.getLogger(CHECKPOINT_LOGGER)


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
    """Write one access-log row for a look at patient data (``user`` for work done outside a request).

    One INSERT and no lock: the row is born unchained, and the sequencer (``access_log_chain``)
    chains it within seconds of its commit, so looks at charts never queue behind each other.
    """
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    entry = AccessLog(
        at=timezone.now(),
        user=user,
        patient=patient,
        category=category,
        action=_clean_text(action, 60),
        outcome=outcome,
        ip_address=client_ip(request),
        detail=_clean_text(detail, 200),
    )
    # Past the model's guard, which refuses every other save: this is the one writer.
    models.Model.save(entry, force_insert=True)
    return entry


def access_log_chain(*, batch_size: int = 2000) -> int:
    """Chain the committed, unchained access-log rows in id order; returns how many were chained.

    One sequencer at a time: each batch runs under a transaction-level advisory lock, and a run
    that finds it taken returns at once (the run holding it chains the same rows). A row whose
    transaction commits after a later id was chained simply takes the next place: the chain's
    order is ``chain_seq``, not the id.
    """
    chained = 0
    while True:
        with transaction.atomic():
            if not _chain_lock_taken():
                return chained
            batch = _chain_batch(batch_size)
        chained += batch
        if batch < batch_size:
            return chained


def _chain_lock_taken() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite (a laptop) has one writer at a time.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ACCESS_LOG_CHAIN_LOCK])
        return cursor.fetchone()[0]


def _chain_head() -> tuple[int, int | None, str]:
    """(rows chained, the last row's id, its hash); (0, None, genesis) while nothing is chained."""
    chained = AccessLog.objects.filter(chain_seq__isnull=False).order_by("-chain_seq")
    head = chained.values_list("chain_seq", "id", "row_hash").first()
    return head or (0, None, GENESIS_HASH)


def _chain_batch(batch_size: int) -> int:
    seq, _, previous = _chain_head()
    pending = (
        AccessLog.objects.filter(chain_seq__isnull=True).order_by("id").values_list("id", *HASHED_FIELDS)[:batch_size]
    )
    links = []
    for row_id, *values in pending:
        seq += 1
        row_hash = access_log_hash(**dict(zip(HASHED_FIELDS, values, strict=True)), previous_hash=previous)
        links.append((row_id, seq, previous, row_hash))
        previous = row_hash
    if links:
        _write_links(links)
    return len(links)


def _write_links(links: list[tuple[int, int, str, str]]) -> None:
    # The one UPDATE the append-only trigger allows: an unchained row gets its place and hashes, once.
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, seqs, previous, hashes = (list(column) for column in zip(*links, strict=True))
            cursor.execute(
                f"UPDATE {table} AS log SET chain_seq = link.seq, previous_hash = link.previous, "  # noqa: S608
                "row_hash = link.hash FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[]) "
                "AS link(id, seq, previous, hash) WHERE log.id = link.id AND log.chain_seq IS NULL",
                [ids, seqs, previous, hashes],
            )
            updated = cursor.rowcount
        else:
            updated = 0
            for row_id, seq, previous_hash, row_hash in links:
                cursor.execute(
                    f"UPDATE {table} SET chain_seq = %s, previous_hash = %s, row_hash = %s "  # noqa: S608
                    "WHERE id = %s AND chain_seq IS NULL",
                    [seq, previous_hash, row_hash, row_id],
                )
                updated += cursor.rowcount
    if updated != len(links):
        raise RuntimeError(f"Chained {updated} access-log rows of {len(links)}: a sequencer ran without the lock.")


def access_log_checkpoint(*, now=None) -> Checkpoint:
    """Chain what is pending, then sign the chain's head (id, hash, count) and keep it outside the database.

    The HMAC key comes from the environment (``AUDIT_CHECKPOINT_KEY``), never the database, so
    whoever can rewrite the table cannot sign a shortened or re-hashed head. Each checkpoint goes
    to the log stream (one ``AUDIT_CHECKPOINT`` line) and is appended to ``AUDIT_CHECKPOINT_FILE``.
    """
    if not settings.AUDIT_CHECKPOINT_KEY:
        raise ImproperlyConfigured("Set AUDIT_CHECKPOINT_KEY: access-log checkpoints are signed with it.")
    access_log_chain()
    count, row_id, row_hash = _chain_head()
    checkpoint = checkpoint_sign(
        key=settings.AUDIT_CHECKPOINT_KEY, at=now or timezone.now(), count=count, row_id=row_id, row_hash=row_hash
    )
    line = checkpoint.to_line()
    checkpoint_logger.info("%s%s", CHECKPOINT_LOG_PREFIX, line)
    if settings.AUDIT_CHECKPOINT_FILE:
        with open(settings.AUDIT_CHECKPOINT_FILE, "a", encoding="utf-8") as checkpoints:
            checkpoints.write(line + "\n")
            checkpoints.flush()
            os.fsync(checkpoints.fileno())
    return checkpoint


def records_update_with_history(*, records, by=None, reason: str = "", **changes) -> list:
    """Change many history-tracked records at once, writing one history row for each as ``save()`` would.

    ``records`` is a queryset, whose rows are locked and re-read (so a conditional update still
    claims each row once: a row another transaction changed meanwhile no longer matches), or a
    list of instances the caller has locked already. ``updated_at`` moves unless given. Returns
    the records changed, with the changes applied. A bare ``QuerySet.update()`` writes no history:
    ``audit/tests/test_records_kept.py`` fails on one.
    """
    with transaction.atomic(savepoint=False):
        if isinstance(records, models.QuerySet):
            records = list(records.select_for_update(of=("self",)).order_by("pk"))
        records = list(records)
        if not records:
            return []
        model = type(records[0])
        field_names = {field.name for field in model._meta.concrete_fields}
        now = timezone.now()
        if "updated_at" in field_names:
            changes.setdefault("updated_at", now)
        unknown = set(changes) - field_names
        if unknown:
            raise ValueError(f"{model._meta.label} has no field {', '.join(sorted(unknown))}.")
        for record in records:
            for name, value in changes.items():
                setattr(record, name, value)
        bulk_update_with_history(
            records,
            model,
            list(changes),
            default_user=by,
            default_change_reason=reason[:100] or None,
            default_date=now,
        )
    return records


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
    """Record a Part 2 disclosure, refused unless an active consent covers its recipient, purpose and sections.

    The sections are those the consent allows by structure (confirmed by a person), never read from its text.
    """
    with transaction.atomic():
        if consent is not None:
            # Decide on the consent as the database holds it, locked so a revocation can't slip in between.
            consent = (
                type(consent)
                ._default_manager.select_for_update(of=("self",))
                .select_related("recorded_by", "sections_confirmed_by")
                .get(pk=consent.pk)
            )
        refusal = disclosure_refusal(consent=consent, patient=patient, recipient=recipient, purpose=purpose)
        if refusal:
            raise ValidationError(refusal)
        if not sections:
            raise ValidationError({"sections": "Choose at least one section of the record to disclose."})
        uncovered = sections_not_covered(consent, sections)
        if uncovered:
            raise ValidationError(
                {"sections": f"The consent does not allow: {', '.join(uncovered)}. Disclose only what it allows."}
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
