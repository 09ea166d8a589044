"""What scheduling calls when it books, cancels or moves a session."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from patients.models import Patient

from ..constants import (
    Channel,
    MessageTemplate,
)
from ..models import OutboundMessage
from .messages import MessageRequest, message_cancel, message_enqueue, messages_enqueue_many

PATIENT_CHANNELS = {"sms": Channel.SMS, "email": Channel.EMAIL}  # phone calls and "none" get no automated text


def session_message_prefix(*, session_id: int, patient_id: int | None = None) -> str:
    return f"session:{session_id}:" + (f"patient:{patient_id}:" if patient_id is not None else "")


@transaction.atomic
def session_reminders_enqueue(
    *, session_id: int, patient: Patient, starts_at: datetime, join_url: str = ""
) -> list[OutboundMessage]:
    """One reminder per lead time (settings.REMINDER_LEAD_TIMES) on the patient's chosen channel."""
    channel = PATIENT_CHANNELS.get(patient.preferred_contact_channel)
    if channel is None:
        return []
    now = timezone.now()
    context = {"starts_at": starts_at, **({"join_url": join_url} if join_url else {})}
    prefix = session_message_prefix(session_id=session_id, patient_id=patient.pk)
    requests = []
    for hours in settings.REMINDER_LEAD_TIMES:
        send_after = starts_at - timedelta(hours=hours)
        if send_after <= now:
            continue  # booked too late for this lead time; a shorter one still applies
        requests.append(
            MessageRequest(
                patient=patient,
                channel=channel,
                template=MessageTemplate.SESSION_REMINDER,
                context=context,
                send_after=send_after,
                # The start time is part of the key, so a moved session gets fresh reminders.
                dedupe_key=f"{prefix}reminder-{hours:g}h:{starts_at:%Y%m%dT%H%MZ}",
            )
        )
    messages_enqueue_many(requests)
    return list(OutboundMessage.objects.filter(dedupe_key__in=[r.dedupe_key for r in requests]).order_by("send_after"))


@transaction.atomic
def session_change_notify(
    *,
    session_id: int,
    patient: Patient,
    starts_at: datetime,
    previous_starts_at: datetime | None = None,
    join_url: str = "",
) -> OutboundMessage | None:
    """A cancelled session (previous_starts_at None) or a moved one: pending reminders go, a notice is sent."""
    message_cancel(dedupe_key_prefix=session_message_prefix(session_id=session_id, patient_id=patient.pk))
    channel = PATIENT_CHANNELS.get(patient.preferred_contact_channel)
    if channel is None:
        return None
    prefix = session_message_prefix(session_id=session_id, patient_id=patient.pk)
    if previous_starts_at is None:
        template, context, key = MessageTemplate.SESSION_CANCELLED, {"starts_at": starts_at}, "cancelled"
    else:
        template = MessageTemplate.SESSION_MOVED
        context = {"starts_at": starts_at, "previous_starts_at": previous_starts_at}
        if join_url:
            context["join_url"] = join_url
        key = f"moved:{starts_at:%Y%m%dT%H%MZ}"
        session_reminders_enqueue(session_id=session_id, patient=patient, starts_at=starts_at, join_url=join_url)
    return message_enqueue(
        patient=patient,
        channel=channel,
        template=template,
        context=context,
        send_after=timezone.now(),
        dedupe_key=f"{prefix}notice-{key}",
    )
