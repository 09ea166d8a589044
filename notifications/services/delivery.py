"""Delivering the outbox: claim due rows atomically, send each once, record the provider's answer.

Safety, in order of what can go wrong:
- two runs at once (two workers, a retried task): the claim is one UPDATE over rows locked
  ``FOR UPDATE SKIP LOCKED``, so each row goes to exactly one run;
- a worker killed mid-batch: its rows stay 'sending' and their heartbeat stops; a later run
  returns rows whose heartbeat has been silent for NOTIFICATIONS_STALE_CLAIM_SECONDS to
  'pending', and before re-sending a row that was attempted before it asks the provider
  (``find_sent``) whether the first attempt got through; providers that cannot tell
  de-duplicate on the idempotency key (the dedupe key; email's Message-ID);
- a live worker slower than the stale limit: it renews its batch's heartbeat and re-checks its
  claim before each send (``Claim.holds``), so its rows are never released under it, and a row
  another run did take over is skipped, not sent a second time;
- a result written after a claim was taken over: every write is conditional on this run's token.

Heartbeats are written and compared on the database's clock, so workers' clocks do not matter.
"""

import logging
import os
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from iop.phones import normalize_phone

from ..channels import BaseChannel, ProviderResult, channel_for
from ..constants import Channel, DeliveryError, MessageStatus
from ..models import OutboundMessage
from ..quiet_hours import end_of_quiet_hours
from .consent import channel_refusal, consented_kinds_by_patient

logger = logging.getLogger(__name__)


@dataclass
class DeliveryStats:
    claimed: int = 0
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    retrying: int = 0
    released: int = 0
    # Claimed by this run, then taken over by another before the send: skipped, not sent twice.
    lost: int = 0
    heartbeats: int = 0
    batches: int = 0
    queries: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return self.sent + self.already_sent


def new_claim_token() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with a cap: 1, 2, 4, 8… minutes, never more than an hour by default."""
    seconds = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFICATIONS_RETRY_CAP_SECONDS))


def release_stale_claims(*, now: datetime) -> int:
    """Rows whose claim's heartbeat has been silent for the stale limit belong to a dead worker: make them due."""
    silent_since = Now() - timedelta(seconds=settings.NOTIFICATIONS_STALE_CLAIM_SECONDS)
    released = OutboundMessage.objects.filter(status=MessageStatus.SENDING, heartbeat_at__lt=silent_since).update(
        status=MessageStatus.PENDING, claimed_by="", next_attempt_at=now, updated_at=now
    )
    if released:
        logger.warning("Returned %s stale 'sending' messages to the queue", released)
    return released


def _claim_ids_postgresql(*, token: str, now: datetime, limit: int, channels: list[str]) -> list[int]:
    table = connection.ops.quote_name(OutboundMessage._meta.db_table)
    sql = f"""
        UPDATE {table}
           SET status = %s, claimed_at = %s, claimed_by = %s, heartbeat_at = statement_timestamp(),
               attempts = attempts + 1, updated_at = %s
         WHERE id IN (
               SELECT id FROM {table}
                WHERE status = %s AND next_attempt_at <= %s AND channel = ANY(%s)
                ORDER BY next_attempt_at, id
                LIMIT %s
                  FOR UPDATE SKIP LOCKED)
        RETURNING id
    """  # noqa: S608 (the table name comes from the model, every value is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(sql, [MessageStatus.SENDING, now, token, now, MessageStatus.PENDING, now, channels, limit])
        return [row[0] for row in cursor.fetchall()]


def _claim_ids_portable(*, token: str, now: datetime, limit: int, channels: list[str]) -> list[int]:
    # SQLite serialises writers, so a conditional update is enough: a row already claimed no longer matches.
    due = OutboundMessage.objects.filter(
        status=MessageStatus.PENDING, next_attempt_at__lte=now, channel__in=channels
    ).order_by("next_attempt_at", "id")
    ids = list(due.values_list("id", flat=True)[:limit])
    OutboundMessage.objects.filter(id__in=ids, status=MessageStatus.PENDING).update(
        status=MessageStatus.SENDING,
        claimed_at=now,
        claimed_by=token,
        heartbeat_at=Now(),
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return ids


def claim_due_messages(*, token: str, now: datetime, limit: int) -> list[OutboundMessage]:
    """Atomically take up to ``limit`` due rows for this run (2 queries on PostgreSQL)."""
    # Texts wait out quiet hours in the queue; email may go at any time.
    channels = [Channel.EMAIL] if end_of_quiet_hours(now) else [Channel.SMS, Channel.EMAIL]
    claim = _claim_ids_postgresql if connection.vendor == "postgresql" else _claim_ids_portable
    ids = claim(token=token, now=now, limit=limit, channels=channels)
    if not ids:
        return []
    return list(
        OutboundMessage.objects.filter(id__in=ids, claimed_by=token, status=MessageStatus.SENDING)
        .select_related("patient")
        .order_by("next_attempt_at", "id")
    )


def renew_claim(*, token: str, ids: set[int]) -> list[int]:
    """Renew the heartbeat of the rows this run still holds, and return their ids (1 query on PostgreSQL)."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(OutboundMessage._meta.db_table)
        sql = f"""
            UPDATE {table} SET heartbeat_at = statement_timestamp()
             WHERE id = ANY(%s) AND claimed_by = %s AND status = %s
            RETURNING id
        """  # noqa: S608 (the table name comes from the model, every value is a parameter)
        with connection.cursor() as cursor:
            cursor.execute(sql, [sorted(ids), token, MessageStatus.SENDING])
            return [row[0] for row in cursor.fetchall()]
    held = OutboundMessage.objects.filter(id__in=ids, claimed_by=token, status=MessageStatus.SENDING)
    # Renew first, then read: a row released before the renewal is neither renewed nor reported.
    held.update(heartbeat_at=Now())
    return list(held.values_list("id", flat=True))


class Claim:
    """This run's hold on one batch, as the database last confirmed it.

    Another run may take a row over only once its heartbeat has been silent for the stale
    limit. So a row confirmed less than a heartbeat interval ago (the interval being shorter
    than the limit, system check notifications.E005) is still ours; when the confirmation is
    older, ``holds`` renews it first: one UPDATE for the whole batch, which also says which
    rows are still ours. A send therefore starts only on a claim that cannot have been taken
    over, and a send cut off by the provider's timeout ends before it can be.
    """

    def __init__(self, *, token: str, ids, confirmed_at: float):
        self.token = token
        self.held = set(ids)
        self.confirmed_at = confirmed_at  # time.monotonic() taken before the statement that confirmed it
        self.renewals = 0

    def holds(self, message_id: int) -> bool:
        """Whether this run may send the message now (renewing the batch's heartbeat when due)."""
        if time.monotonic() - self.confirmed_at >= settings.NOTIFICATIONS_CLAIM_HEARTBEAT_SECONDS:
            self.renew()
        return message_id in self.held

    def renew(self) -> None:
        started = time.monotonic()
        self.held = set(renew_claim(token=self.token, ids=self.held))
        self.confirmed_at = started
        self.renewals += 1

    def finished(self, message_id: int) -> None:
        """The message's outcome is recorded: it needs no more heartbeats."""
        self.held.discard(message_id)


def _recipient(message: OutboundMessage) -> tuple[str, DeliveryError | None, str]:
    patient = message.patient
    if message.channel == Channel.SMS:
        if not patient.phone:
            return "", DeliveryError.NO_ADDRESS, "No phone number on the chart."
        try:
            return normalize_phone(patient.phone), None, ""
        except ValidationError as error:
            return patient.phone, DeliveryError.INVALID_ADDRESS, " ".join(error.messages)
    if not patient.email:
        return "", DeliveryError.NO_ADDRESS, "No email address on the chart."
    return patient.email, None, ""


def _record(message: OutboundMessage, token: str, **changes) -> bool:
    """Write the outcome only if this run still holds the claim (1 query)."""
    changes.setdefault("updated_at", timezone.now())
    updated = OutboundMessage.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claimed_by=token).update(
        **changes
    )
    if not updated:
        logger.warning("Message %s was taken over by another run before its result was recorded", message.pk)
    return bool(updated)


def _record_sent(message, token, provider_id: str) -> bool:
    now = timezone.now()
    return _record(
        message,
        token,
        status=MessageStatus.SENT,
        sent_at=now,
        provider_message_id=provider_id[:120],
        recipient=message.recipient,
        error_code="",
        last_error="",
        updated_at=now,
    )


def _record_failed(message, token, code: DeliveryError, error: str) -> bool:
    return _record(
        message,
        token,
        status=MessageStatus.FAILED,
        error_code=code,
        last_error=error[:500],
        recipient=message.recipient,
    )


def _record_retry(message, token, error: str) -> bool:
    now = timezone.now()
    return _record(
        message,
        token,
        status=MessageStatus.PENDING,
        next_attempt_at=now + retry_delay(message.attempts),
        claimed_by="",
        error_code=DeliveryError.TRANSIENT,
        last_error=error[:500],
        recipient=message.recipient,
        updated_at=now,
    )


def deliver_message(message: OutboundMessage, *, claim: Claim, channel: BaseChannel, consented_kinds: set[str]) -> str:
    """Send one claimed message and record the answer; returns what happened (one query in the usual case)."""
    token = claim.token
    # Consent is checked again at send: it may have been revoked, or the patient opted out, since enqueue.
    refusal = channel_refusal(message.patient, message.channel, consented_kinds)
    if refusal:
        _record_failed(message, token, refusal, refusal.label)
        return "failed"
    message.recipient, problem, detail = _recipient(message)
    if problem:
        _record_failed(message, token, problem, detail)
        return "failed"
    if not claim.holds(message.pk):
        # Another run returned the row to the queue (this one looked dead) and may be sending it now.
        logger.warning("Message %s was taken over by another run before sending; not sent by this run", message.pk)
        return "lost"
    if message.attempts > 1:
        # An earlier attempt may have reached the provider before its worker died.
        provider_id = channel.find_sent(message.dedupe_key)
        if provider_id:
            _record_sent(message, token, provider_id)
            return "already_sent"
    try:
        result = channel.send(message)
    except Exception as error:  # a backend bug must not lose the row: retry it like a transient failure
        logger.exception("Channel %s raised while sending message %s", message.channel, message.pk)
        result = ProviderResult(ok=False, error=f"{type(error).__name__}: {error}")
    if result.ok:
        _record_sent(message, token, result.provider_id)
        return "sent"
    if result.permanent:
        _record_failed(message, token, DeliveryError.REJECTED, result.error)
        return "failed"
    if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _record_failed(message, token, DeliveryError.GAVE_UP, f"After {message.attempts} attempts: {result.error}")
        return "failed"
    _record_retry(message, token, result.error)
    return "retrying"


def deliver_batch(messages: list[OutboundMessage], *, claim: Claim, stats: DeliveryStats) -> None:
    consents = consented_kinds_by_patient({message.patient_id for message in messages})
    channels: dict[str, BaseChannel] = {}
    try:
        for message in messages:
            if message.channel not in channels:
                channels[message.channel] = channel_for(message.channel)
                channels[message.channel].open()
            outcome = deliver_message(
                message,
                claim=claim,
                channel=channels[message.channel],
                consented_kinds=consents.get(message.patient_id, set()),
            )
            claim.finished(message.pk)
            setattr(stats, outcome, getattr(stats, outcome) + 1)
    finally:
        for channel in channels.values():
            channel.close()
        stats.heartbeats += claim.renewals


class QueryCounter:
    """Counts database queries through a connection execute_wrapper (for benchmarks and tests)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def asynchronous_commit():
    """Commit outcome rows without waiting for the WAL flush, for this run only.

    Each outcome is its own commit (so a worker crash loses none); waiting for fsync on each
    one made delivery disk-bound. What this risks is only a PostgreSQL crash losing the last
    fraction of a second of outcomes: those rows stay 'sending', come back as stale claims and
    are checked with the provider (find_sent / idempotency key) before any resend.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")


def deliver_due_messages(*, batch_size: int | None = None, run_seconds: float | None = None) -> DeliveryStats:
    """Deliver due messages batch after batch until none are due or this run's time is up."""
    batch_size = batch_size or settings.NOTIFICATIONS_BATCH_SIZE
    run_seconds = settings.NOTIFICATIONS_RUN_SECONDS if run_seconds is None else run_seconds
    stats = DeliveryStats()
    counter = QueryCounter()
    started = time.monotonic()
    with connection.execute_wrapper(counter), asynchronous_commit():
        while time.monotonic() - started < run_seconds:
            # Each batch, so a run draining a backlog also picks up a dead worker's rows as soon as they are due.
            stats.released += release_stale_claims(now=timezone.now())
            token = new_claim_token()
            claimed_at = time.monotonic()
            messages = claim_due_messages(token=token, now=timezone.now(), limit=batch_size)
            if not messages:
                break
            stats.batches += 1
            stats.claimed += len(messages)
            claim = Claim(token=token, ids=[message.pk for message in messages], confirmed_at=claimed_at)
            deliver_batch(messages, claim=claim, stats=stats)
    stats.queries = counter.count
    if settings.NOTIFICATIONS_COUNT_QUERIES and stats.delivered:
        logger.info(
            "deliver_due_messages: delivered=%s failed=%s retrying=%s queries=%s queries_per_delivered=%.3f",
            stats.delivered,
            stats.failed,
            stats.retrying,
            stats.queries,
            stats.queries / stats.delivered,
        )
    return stats
