"""Writes to the outbox. Each service runs in one transaction: the caller's, when it has one."""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from iop.phones import normalize_phone
from patients.constants import ConsentKind
from patients.models import Consent, Patient

from .constants import (
    FORBIDDEN_WORDS,
    SMS_START_KEYWORDS,
    SMS_STOP_KEYWORDS,
    TEMPLATE_CONTEXT_KEYS,
    Channel,
    DeliveryError,
    MessageStatus,
    MessageTemplate,
    TaskKind,
    TaskStatus,
)
from .models import OutboundMessage, StaffTask
from .quiet_hours import outside_quiet_hours

logger = logging.getLogger(__name__)

CONSENT_FOR_CHANNEL = {Channel.SMS: ConsentKind.REMINDERS_SMS, Channel.EMAIL: ConsentKind.REMINDERS_EMAIL}


# --- rendering -------------------------------------------------------------------------------


def _format_moment(moment: datetime | None) -> tuple[str, str]:
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return date_format(local, "l, F j"), date_format(local, "g:i A")


def template_context(context: dict) -> dict:
    """What a template may show: the neutral clinic name, a date, a time, a callback number, a join link."""
    unknown = set(context) - TEMPLATE_CONTEXT_KEYS
    if unknown:
        # 42 CFR Part 2: only neutral facts reach a patient's phone or inbox.
        raise ValidationError({"context": f"Templates may not be given {', '.join(sorted(unknown))}."})
    date, time = _format_moment(context.get("starts_at"))
    previous_date, previous_time = _format_moment(context.get("previous_starts_at"))
    return {
        "clinic_name": settings.CLINIC_NEUTRAL_NAME,
        "callback_phone": settings.CLINIC_CALLBACK_PHONE,
        "date": date,
        "time": time,
        "previous_date": previous_date,
        "previous_time": previous_time,
        "join_url": context.get("join_url", ""),
    }


def render_message(*, channel: str, template: str, context: dict) -> tuple[str, str]:
    """(subject, body); an email template's first line is its subject."""
    text = render_to_string(f"notifications/{channel}/{template}.txt", template_context(context)).strip()
    if channel == Channel.EMAIL:
        subject, _, body = text.partition("\n")
        return subject.strip(), body.strip() + "\n"
    return "", text


def forbidden_words_in(text: str, extra_words=()) -> list[str]:
    """The forbidden words or phrases found in ``text``, whole-word and case-insensitive."""
    found = []
    for word in (*FORBIDDEN_WORDS, *extra_words):
        if word and re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text, flags=re.IGNORECASE):
            found.append(word)
    return found


# --- consent ---------------------------------------------------------------------------------


def channel_refusal(patient: Patient, channel: str, consented_kinds: set[str]) -> DeliveryError | None:
    """Why this patient may not be messaged on this channel now, or None when they may."""
    if CONSENT_FOR_CHANNEL[channel] not in consented_kinds:
        return DeliveryError.NO_CONSENT
    if channel == Channel.SMS and patient.sms_opted_out_at is not None:
        return DeliveryError.OPTED_OUT
    return None


def consented_kinds_by_patient(patient_ids) -> dict[int, set[str]]:
    """Active reminder consents for many patients in one query."""
    rows = (
        Consent.objects.active()
        .filter(patient_id__in=patient_ids, kind__in=list(CONSENT_FOR_CHANNEL.values()))
        .values_list("patient_id", "kind")
    )
    kinds: dict[int, set[str]] = {}
    for patient_id, kind in rows:
        kinds.setdefault(patient_id, set()).add(kind)
    return kinds


# --- messages --------------------------------------------------------------------------------


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


# --- opt-out ---------------------------------------------------------------------------------


@transaction.atomic
def patient_sms_opt_out(*, patient: Patient, source: str) -> Patient:
    """Stop every text to this patient; pending texts are suppressed at once."""
    now = timezone.now()
    if patient.sms_opted_out_at is None:
        patient.sms_opted_out_at = now
        patient._change_reason = f"SMS opt-out ({source})"[:100]
        patient.save(update_fields=["sms_opted_out_at", "updated_at"])
    patient.outbound_messages.filter(channel=Channel.SMS, status=MessageStatus.PENDING).update(
        status=MessageStatus.SUPPRESSED, error_code=DeliveryError.OPTED_OUT, updated_at=now
    )
    return patient


@transaction.atomic
def patient_sms_opt_in(*, patient: Patient, source: str) -> Patient:
    """Texts may go again; texts suppressed by the opt-out and still in the future are queued again."""
    now = timezone.now()
    if patient.sms_opted_out_at is not None:
        patient.sms_opted_out_at = None
        patient._change_reason = f"SMS opt-in ({source})"[:100]
        patient.save(update_fields=["sms_opted_out_at", "updated_at"])
    patient.outbound_messages.filter(
        channel=Channel.SMS,
        status=MessageStatus.SUPPRESSED,
        error_code=DeliveryError.OPTED_OUT,
        send_after__gt=now,
    ).update(status=MessageStatus.PENDING, error_code="", updated_at=now)
    return patient


def _patients_with_phone(phone: str) -> list[Patient]:
    try:
        number = normalize_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    digits = re.sub(r"\D", "", number)
    return list(Patient.objects.valid().filter(phone_digits=digits).select_for_update())


@transaction.atomic
def sms_opt_out(*, phone: str, source: str) -> list[Patient]:
    """A "STOP" from this number: every chart with it stops getting texts."""
    return [patient_sms_opt_out(patient=patient, source=source) for patient in _patients_with_phone(phone)]


@transaction.atomic
def sms_opt_in(*, phone: str, source: str) -> list[Patient]:
    """A "START" from this number: texts may go again."""
    return [patient_sms_opt_in(patient=patient, source=source) for patient in _patients_with_phone(phone)]


def sms_inbound(*, phone: str, text: str, source: str = "inbound SMS") -> tuple[str, int]:
    """Act on an inbound text: ("opted_out" | "opted_in" | "ignored", number of charts changed)."""
    keyword = (text or "").strip().split(maxsplit=1)[0].upper() if (text or "").strip() else ""
    if keyword in SMS_STOP_KEYWORDS:
        return "opted_out", len(sms_opt_out(phone=phone, source=source))
    if keyword in SMS_START_KEYWORDS:
        return "opted_in", len(sms_opt_in(phone=phone, source=source))
    return "ignored", 0


# --- staff tasks -----------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    assignee,
    kind: str,
    title: str,
    due_at: datetime,
    dedupe_key: str,
    patient: Patient | None = None,
    escalated_from: StaffTask | None = None,
) -> StaffTask:
    """Put a task on a work list; the same dedupe key returns the existing task instead of a second one."""
    if kind not in TaskKind.values:
        raise ValidationError({"kind": f"Unknown task kind {kind!r}."})
    task = StaffTask(
        assignee=assignee,
        kind=kind,
        title=title.strip(),
        due_at=due_at,
        dedupe_key=dedupe_key,
        patient=patient,
        escalated_from=escalated_from,
    )
    task.full_clean(exclude=["assignee", "patient", "escalated_from"], validate_unique=False)
    fields = {f.attname: getattr(task, f.attname) for f in StaffTask._meta.concrete_fields if not f.primary_key}
    task, _ = StaffTask.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    return task


def _check_can_act(task: StaffTask, by) -> None:
    if by.pk != task.assignee_id and not by.is_superuser and task.assignee.supervisor_id != by.pk:
        raise ValidationError("Only the assignee or their supervisor can close or snooze this task.")


@transaction.atomic
def task_complete(*, task: StaffTask, by, reason: str) -> StaffTask:
    task = StaffTask.objects.select_for_update().select_related("assignee").get(pk=task.pk)
    _check_can_act(task, by)
    if task.status == TaskStatus.DONE:
        raise ValidationError("This task is already done.")
    if not (reason or "").strip():
        raise ValidationError({"done_reason": "Say what was done."})
    task.status = TaskStatus.DONE
    task.done_at = timezone.now()
    task.done_by = by
    task.done_reason = reason.strip()
    task.full_clean(exclude=["assignee", "patient", "escalated_from", "done_by"], validate_unique=False)
    task.save()
    return task


@transaction.atomic
def task_snooze(*, task: StaffTask, by, until: datetime, reason: str) -> StaffTask:
    task = StaffTask.objects.select_for_update().select_related("assignee").get(pk=task.pk)
    _check_can_act(task, by)
    if task.status == TaskStatus.DONE:
        raise ValidationError("A task that is done cannot be snoozed.")
    errors = {}
    if until is None or until <= timezone.now():
        errors["snoozed_until"] = "Snooze until a time in the future."
    if not (reason or "").strip():
        errors["snooze_reason"] = "Say why the task waits."
    if errors:
        raise ValidationError(errors)
    task.status = TaskStatus.SNOOZED
    task.snoozed_until = until
    task.snooze_reason = reason.strip()
    task.full_clean(exclude=["assignee", "patient", "escalated_from", "done_by"], validate_unique=False)
    task.save()
    return task


# --- session reminders: what scheduling calls when it books, cancels or moves a session ---------

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
