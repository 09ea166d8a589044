"""The schedule's side of the outbox: session reminders, and notices of cancellations and moves.

Reminders are planned by a periodic run over the sessions of the next 48 hours rather
than by signals, so sessions made in bulk (group occurrences, series edits) are covered
and no call site has to remember. Every row carries a dedupe key, so a run repeated, or
two at once, writes nothing twice. Cancellations and moves call in here directly so the
notice goes out at once, in the same transaction as the change.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import OutboundMessage
from notifications.services import (
    PATIENT_CHANNELS,
    channel_refusal,
    consented_kinds_by_patient,
    message_cancel,
    session_change_notify,
    session_message_prefix,
    session_reminders_enqueue,
)
from patients.models import Patient

from ..constants import EnrolmentStatus, SessionStatus
from ..models import Enrolment, Session

# Sessions starting within this window get their reminders planned; wider than the
# longest default lead time (24 h) so a run missed while workers were down is made up.
REMINDER_PLANNING_HOURS = 48


def session_patients(sessions: list[Session]) -> dict[int, list[Patient]]:
    """Each session's patients: the group's enrolled patients that day, or the booked patient (two queries)."""
    result: dict[int, list[Patient]] = {session.pk: [] for session in sessions}
    group_sessions = [session for session in sessions if session.group_id]
    if group_sessions:
        days = [session.day for session in group_sessions]
        enrolments = (
            Enrolment.objects.filter(
                group_id__in={session.group_id for session in group_sessions},
                status=EnrolmentStatus.ENROLLED,
                starts_on__lte=max(days),
                episode__entered_in_error_at__isnull=True,
                episode__patient__entered_in_error_at__isnull=True,
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=min(days)))
            .select_related("episode__patient")
        )
        by_group = defaultdict(list)
        for enrolment in enrolments:
            by_group[enrolment.group_id].append(enrolment)
        for session in group_sessions:
            for enrolment in by_group[session.group_id]:
                episode = enrolment.episode
                if enrolment.starts_on > session.day or (enrolment.ends_on and enrolment.ends_on < session.day):
                    continue
                if episode.discharged_on and episode.discharged_on < session.day:
                    continue
                result[session.pk].append(episode.patient)
    booked = [session for session in sessions if session.patient_id]
    if booked:
        patients = Patient.objects.valid().in_bulk({session.patient_id for session in booked})
        for session in booked:
            if session.patient_id in patients:
                result[session.pk].append(patients[session.patient_id])
    return result


def _may_message(patient: Patient, consents: dict[int, set[str]]) -> bool:
    """Only the channel the patient chose, and only with their consent to it and no opt-out."""
    channel = PATIENT_CHANNELS.get(patient.preferred_contact_channel)
    return channel is not None and channel_refusal(patient, channel, consents.get(patient.pk, set())) is None


def _reminder_keys(session: Session, patient_id: int, now: dt.datetime) -> set[str]:
    """The dedupe keys notifications.services.session_reminders_enqueue would write for this pair now."""
    prefix = session_message_prefix(session_id=session.pk, patient_id=patient_id)
    return {
        f"{prefix}reminder-{hours:g}h:{session.start:%Y%m%dT%H%MZ}"
        for hours in settings.REMINDER_LEAD_TIMES
        if session.start - dt.timedelta(hours=hours) > now
    }


def _join_url(session: Session) -> str:
    return session.join_url if session.room.is_virtual else ""


def session_reminders_plan(*, now: dt.datetime | None = None, hours: int = REMINDER_PLANNING_HOURS) -> int:
    """Enqueue the reminders of every scheduled session in the next ``hours`` for every consenting patient.

    Group, individual, family, medication and telehealth sessions alike (a telehealth
    reminder carries the join link). Pairs whose reminders already exist are skipped with
    one lookup, so the run costs little when repeated. Returns how many reminders were written.
    """
    now = now or timezone.now()
    sessions = list(
        Session.objects.filter(
            status=SessionStatus.SCHEDULED, start__gt=now, start__lte=now + dt.timedelta(hours=hours)
        ).select_related("room")
    )
    if not sessions:
        return 0
    patients_by_session = session_patients(sessions)
    consents = consented_kinds_by_patient({p.pk for people in patients_by_session.values() for p in people})
    wanted: dict[tuple[int, int], set[str]] = {}
    for session in sessions:
        for patient in patients_by_session[session.pk]:
            if _may_message(patient, consents):
                wanted[(session.pk, patient.pk)] = _reminder_keys(session, patient.pk, now)
    all_keys = set().union(*wanted.values()) if wanted else set()
    existing = set(OutboundMessage.objects.filter(dedupe_key__in=all_keys).values_list("dedupe_key", flat=True))
    written = 0
    by_pk = {session.pk: session for session in sessions}
    patients = {p.pk: p for people in patients_by_session.values() for p in people}
    for (session_id, patient_id), keys in wanted.items():
        if not keys or keys <= existing:
            continue
        session = by_pk[session_id]
        with transaction.atomic():
            written += len(
                session_reminders_enqueue(
                    session_id=session_id,
                    patient=patients[patient_id],
                    starts_at=session.start,
                    join_url=_join_url(session),
                )
            )
    return written


@transaction.atomic
def session_cancelled_notify(*, session: Session) -> int:
    """A cancelled session: its pending reminders go, and each consenting patient is told (once)."""
    message_cancel(dedupe_key_prefix=session_message_prefix(session_id=session.pk))
    if session.start <= timezone.now():
        return 0
    patients = session_patients([session])[session.pk]
    consents = consented_kinds_by_patient([patient.pk for patient in patients])
    notified = 0
    for patient in patients:
        if _may_message(patient, consents):
            session_change_notify(session_id=session.pk, patient=patient, starts_at=session.start)
            notified += 1
    return notified


@transaction.atomic
def session_moved_notify(*, session: Session, previous_start: dt.datetime) -> int:
    """A moved session: old reminders go, new ones are keyed to the new time, each consenting patient is told."""
    if previous_start == session.start:
        return 0
    message_cancel(dedupe_key_prefix=session_message_prefix(session_id=session.pk))
    if session.start <= timezone.now():
        return 0
    patients = session_patients([session])[session.pk]
    consents = consented_kinds_by_patient([patient.pk for patient in patients])
    notified = 0
    for patient in patients:
        if _may_message(patient, consents):
            session_change_notify(
                session_id=session.pk,
                patient=patient,
                starts_at=session.start,
                previous_starts_at=previous_start,
                join_url=_join_url(session),
            )
            notified += 1
    return notified
