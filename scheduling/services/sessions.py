"""Booking, moving and cancelling sessions, and clinic closures."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import records_update_with_history
from patients.models import Episode

from ..constants import (
    IOP_COUNTABLE_KINDS,
    MAX_SESSION_MINUTES,
    PATIENT_BOOKED_KINDS,
    SessionKind,
    SessionStatus,
)
from ..models import (
    ClinicClosure,
    Session,
)
from ..selectors import (
    roster_episodes,
)
from . import reminders
from .common import session_times_set, validated_save
from .conflicts import check_conflicts, require_telehealth_consent
from .enrolment import require_active_episode
from .hours_band import enforce_band


@transaction.atomic
def session_book(
    *,
    episode: Episode,
    kind: str,
    clinician,
    room,
    start: dt.datetime,
    duration_minutes: int,
    by,
    contacts: Sequence = (),
    notes: str = "",
    reason: str = "",
) -> Session:
    """Book an individual, family or medication session for a patient with a clinician."""
    episode = Episode.objects.select_related("program", "patient").get(pk=episode.pk)
    require_active_episode(episode)
    if kind not in PATIENT_BOOKED_KINDS:
        raise ValidationError(
            {"kind": "Book individual, family or medication sessions here; groups recur on their own."}
        )
    if not duration_minutes or duration_minutes < 15 or duration_minutes > 240:
        raise ValidationError({"duration_minutes": "A booked session lasts 15 to 240 minutes."})
    contacts = list(contacts)
    if kind == SessionKind.FAMILY:
        if not contacts:
            raise ValidationError({"contacts": "Choose who from the family takes part."})
        wrong = [c.name for c in contacts if c.patient_id != episode.patient_id or not c.takes_part_in_family_sessions]
        if wrong:
            raise ValidationError({"contacts": f"Not family-session contacts of this patient: {', '.join(wrong)}."})
    elif contacts:
        raise ValidationError({"contacts": "Only family sessions list family members."})
    end = start + dt.timedelta(minutes=duration_minutes)
    session = Session(
        program=episode.program,
        kind=kind,
        patient=episode.patient,
        episode=episode,
        clinician=clinician,
        room=room,
        join_url=room.join_url if room.is_virtual else "",
        notes=notes,
        booked_by=by,
    )
    session_times_set(session, start, end)
    require_telehealth_consent(episode, room, session.day)
    check_conflicts(start=session.start, end=session.end, room=room, clinicians=[clinician], episode_ids=[episode.pk])
    validated_save(session)
    session.family_contacts.set(contacts)
    if kind in IOP_COUNTABLE_KINDS:
        enforce_band(episode=episode, mondays=[session.week_start], reason=reason, by=by, only_excess=True)
    return session


@transaction.atomic
def session_move(*, session: Session, start: dt.datetime, end: dt.datetime | None = None, by, room=None) -> Session:
    """Move one session (one occurrence of a series, or a booking) under the same conflict rules."""
    session = Session.objects.select_for_update(of=("self",)).select_related("room", "group").get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError("A cancelled session cannot be moved.")
    if session.attendance.exists():
        raise ValidationError("Attendance is already recorded for this session; it cannot move.")
    end = end or start + dt.timedelta(minutes=session.duration_minutes)
    if end <= start:
        raise ValidationError({"end": "A session must end after it starts."})
    if end - start > dt.timedelta(minutes=MAX_SESSION_MINUTES):
        raise ValidationError({"end": "A session lasts at most 12 hours."})
    room = room or session.room
    episodes = (
        [session.episode_id] if session.episode_id else list(roster_episodes(session).values_list("pk", flat=True))
    )
    check_conflicts(
        start=start,
        end=end,
        room=room,
        clinicians=[session.clinician, session.co_facilitator],
        episode_ids=episodes,
        exclude_pk=session.pk,
    )
    previous_start = session.start
    session_times_set(session, start, end)
    session.room = room
    session.is_moved = session.group_id is not None
    validated_save(session)
    reminders.session_moved_notify(session=session, previous_start=previous_start)
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str, by) -> Session:
    """Cancel one session; a series' other occurrences are untouched and regeneration never brings it back."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the session is cancelled."})
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.attendance.valid().exists():
        raise ValidationError("Attendance is already recorded for this session; mark it entered in error first.")
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason.strip()[:200]
    validated_save(session)
    reminders.session_cancelled_notify(session=session)
    return session


@transaction.atomic
def clinic_closure_add(*, date: dt.date, reason: str, by=None) -> ClinicClosure:
    """Close the clinic for a day: every scheduled occurrence that day is cancelled with the reason."""
    closure = validated_save(ClinicClosure(date=date, reason=reason.strip()))
    closed = records_update_with_history(
        records=Session.objects.filter(day=date, status=SessionStatus.SCHEDULED),
        by=by,
        status=SessionStatus.CANCELLED,
        cancel_reason=f"Clinic closed: {closure.reason}"[:200],
    )
    for session in closed:
        reminders.session_cancelled_notify(session=session)
    return closure
