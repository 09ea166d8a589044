"""The outbox: messages written in their cause's transaction, each with a unique key; cancel and retry."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from patients.models import Patient

from ..constants import (
    Channel,
    DeliveryError,
    MessageStatus,
    MessageTemplate,
)
from ..models import OutboundMessage
from ..quiet_hours import outside_quiet_hours
from .consent import channel_refusal, consented_kinds_by_patient
from .rendering import forbidden_words_in, render_message


@dataclass(frozen=True)
class MessageRequest:
    """One message to put in the outbox (see messages_enqueue_many)."""

    patient: Patient
    channel: str
    template: str
    context: dict
    send_after: datetime
    dedupe_key: str


def _build_message(request: MessageRequest, consented_kinds: set[str]) -> OutboundMessage:
    if request.channel not in Channel.values:
        raise ValidationError({"channel": f"Unknown channel {request.channel!r}."})
    if request.template not in MessageTemplate.values:
        raise ValidationError({"template": f"Unknown message template {request.template!r}."})
    if timezone.is_naive(request.send_after):
        raise ValidationError({"send_after": "Give send_after with a time zone."})
    subject, body = render_message(channel=request.channel, template=request.template, context=request.context)
    refusal = channel_refusal(request.patient, request.channel, consented_kinds)
    status, error_code, last_error = MessageStatus.PENDING, "", ""
    forbidden = forbidden_words_in(f"{subject}\n{body}")
    if forbidden:
        # A misconfigured clinic name or join link: never sent, shown to staff on the failed page.
        status, error_code = MessageStatus.FAILED, DeliveryError.FORBIDDEN_CONTENT
        last_error = "Contains: " + ", ".join(forbidden)
    elif refusal:
        status, error_code = MessageStatus.SUPPRESSED, refusal
    send_after = request.send_after
    message = OutboundMessage(
        patient=request.patient,
        channel=request.channel,
        template=request.template,
        subject=subject,
        body=body,
        dedupe_key=request.dedupe_key,
        send_after=send_after,
        next_attempt_at=outside_quiet_hours(send_after) if request.channel == Channel.SMS else send_after,
        status=status,
        error_code=error_code,
        last_error=last_error,
    )
    # Uniqueness and the check constraints are the database's job (the insert below);
    # this catches bad lengths and choices with field names.
    message.full_clean(exclude=["patient"], validate_unique=False, validate_constraints=False)
    return message


@transaction.atomic
def messages_enqueue_many(requests: list[MessageRequest]) -> int:
    """Write many messages in the caller's transaction in a fixed number of queries.

    A dedupe key already in the outbox is left alone (the same reminder never exists
    twice), except that a message suppressed for want of consent is released once
    consent has been given. Returns how many new rows were written.
    """
    if not requests:
        return 0
    consents = consented_kinds_by_patient({request.patient.pk for request in requests})
    messages = [_build_message(request, consents.get(request.patient.pk, set())) for request in requests]
    keys = [message.dedupe_key for message in messages]
    existing = set(OutboundMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    OutboundMessage.objects.bulk_create(
        [message for message in messages if message.dedupe_key not in existing], ignore_conflicts=True
    )
    releasable = {m.dedupe_key: m for m in messages if m.dedupe_key in existing and m.status == MessageStatus.PENDING}
    if releasable:
        for held in OutboundMessage.objects.filter(dedupe_key__in=releasable, status=MessageStatus.SUPPRESSED):
            fresh = releasable[held.dedupe_key]
            for name in ("subject", "body", "send_after", "next_attempt_at", "status", "error_code", "last_error"):
                setattr(held, name, getattr(fresh, name))
            held.save()
    return len(messages) - len(existing)


@transaction.atomic
def message_enqueue(
    *, patient: Patient, channel: str, template: str, context: dict, send_after: datetime, dedupe_key: str
) -> OutboundMessage:
    """Write a message to the outbox, in the caller's transaction; the same dedupe key never makes a second row."""
    request = MessageRequest(patient, channel, template, context, send_after, dedupe_key)
    messages_enqueue_many([request])
    return OutboundMessage.objects.get(dedupe_key=dedupe_key)


@transaction.atomic
def message_cancel(*, dedupe_key_prefix: str | None = None, queryset: QuerySet | None = None) -> int:
    """Cancel messages not yet sent (e.g. every reminder of a cancelled session); returns how many."""
    if (dedupe_key_prefix is None) == (queryset is None):
        raise ValueError("Pass exactly one of dedupe_key_prefix or queryset.")
    if queryset is None:
        if not dedupe_key_prefix:
            raise ValidationError({"dedupe_key_prefix": "An empty prefix would cancel every message."})
        queryset = OutboundMessage.objects.filter(dedupe_key__startswith=dedupe_key_prefix)
    # Rows being sent right now are left alone: the provider may already have them.
    return queryset.filter(status__in=[MessageStatus.PENDING, MessageStatus.SUPPRESSED]).update(
        status=MessageStatus.CANCELLED, updated_at=timezone.now()
    )


@transaction.atomic
def message_retry(*, queryset: QuerySet) -> int:
    """Put failed messages back in the queue now (after staff fixed the number, say); returns how many."""
    now = timezone.now()
    return queryset.filter(status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        error_code="",
        last_error="",
        claimed_at=None,
        claimed_by="",
        updated_at=now,
    )
