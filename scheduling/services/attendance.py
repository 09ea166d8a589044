"""Attendance in minutes, one session at a time or the whole roster, and the authorization units it uses."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from iop.hooks import records_changed
from patients.constants import AuthorizationUnit, EpisodeStatus
from patients.models import Authorization, Episode

from ..constants import (
    ABSENT_STATUSES,
    BILLABLE_DAY_MINUTES,
    IOP_COUNTABLE_KINDS,
    AttendanceStatus,
)
from ..models import (
    Attendance,
    Session,
)
from ..selectors import (
    roster_episodes,
)
from .follow_up import missed_sessions_follow_up


@dataclass(frozen=True)
class AttendanceEntry:
    patient_id: int
    status: str
    minutes: int | None


def attendance_minutes(session: Session, status: str, minutes: int | None) -> int:
    """The minutes to record: 0 for an absence, else 0 to the session's countable length (its service time).

    Breaks and meals are not service time (HCPCS H0015 / S9480), so a 3-hour group with a
    15-minute break counts at most 165 minutes. Empty minutes for someone present mean all of it.
    """
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": "Choose present, late, left early, excused or unexcused absence."})
    if status in ABSENT_STATUSES:
        return 0
    countable = session.countable_minutes
    minutes = countable if minutes is None else minutes
    if not 0 <= minutes <= countable:
        message = f"Minutes attended must be between 0 and {countable}"
        if session.break_minutes:
            message += f" ({session.duration_minutes} less {session.break_minutes} of breaks)"
        raise ValidationError({"minutes_attended": f"{message}."})
    return minutes


def _validate_entry(session: Session, entry: AttendanceEntry) -> int:
    try:
        return attendance_minutes(session, entry.status, entry.minutes)
    except ValidationError as error:
        raise ValidationError([message for messages in error.message_dict.values() for message in messages]) from None


def attendance_open_check(session: Session, now: dt.datetime) -> None:
    if session.is_cancelled:
        raise ValidationError("This session was cancelled; there is no attendance to take.")
    if now < session.start:
        raise ValidationError(
            f"Attendance opens when the session starts ({timezone.localtime(session.start):%b %d %H:%M})."
        )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def discharged_before_session(session: Session, discharged_on: dict[int, dt.date]) -> dict[int, str]:
    """Roster episodes (id: discharge date) discharged before this session starts, each with a refusal naming them.

    A discharge takes effect when it is recorded, or at the end of its date if recorded later
    (aftercare's ``discharge_moment``); the episode's history holds when it was recorded, read
    only for a session on the discharge day. A session starting at that moment still counts; one
    starting a minute later does not. No query for a roster without discharges, two at most.
    """
    moments: dict[int, dt.datetime] = {}
    same_day = []
    for episode_id, day in discharged_on.items():
        if day is None or session.start <= _day_start(day):
            continue
        if session.start > _day_start(day + dt.timedelta(days=1)):
            moments[episode_id] = _day_start(day + dt.timedelta(days=1))
        else:
            same_day.append(episode_id)
    if same_day:
        recorded = (
            Episode.history.filter(id__in=same_day, status=EpisodeStatus.DISCHARGED)
            .values("id")
            .annotate(at=Min("history_date"))
            .order_by()
        )
        for row in recorded:
            moment = min(row["at"], _day_start(discharged_on[row["id"]] + dt.timedelta(days=1)))
            if session.start > moment:
                moments[row["id"]] = moment
    if not moments:
        return {}
    names = {
        episode.pk: episode.patient.display_name
        for episode in Episode.objects.filter(pk__in=list(moments)).select_related("patient")
    }
    return {
        episode_id: f"{names.get(episode_id, 'This patient')} was discharged "
        f"{timezone.localtime(moment):%b %d %H:%M}, before this session started "
        f"({timezone.localtime(session.start):%b %d %H:%M}): there is no attendance to record."
        for episode_id, moment in moments.items()
    }


def _roster_of(session: Session) -> tuple[dict[int, int], dict[int, dt.date]]:
    """The roster (patient id: episode id) and, for its discharged episodes, their discharge dates: one query."""
    rows = list(roster_episodes(session).values_list("patient_id", "pk", "discharged_on"))
    return {patient_id: pk for patient_id, pk, _ in rows}, {pk: day for _, pk, day in rows if day is not None}


def attendance_check(*, session: Session, patient_id: int, status: str, minutes: int | None, now=None) -> int:
    """Everything attendance_record checks, with errors by field: for forms that save through it (the admin)."""
    attendance_open_check(session, now or timezone.now())
    row = roster_episodes(session).filter(patient_id=patient_id).values_list("pk", "discharged_on").first()
    if row is None:
        raise ValidationError({"patient": "This patient is not on the session's roster."})
    discharged = discharged_before_session(session, {row[0]: row[1]} if row[1] else {})
    if discharged:
        raise ValidationError({"patient": discharged[row[0]]})
    return attendance_minutes(session, status, minutes)


@dataclass(frozen=True)
class RosterSaved:
    """What ``attendance_record_each`` did: the rows written and, by patient id, the rows it refused and why."""

    saved: list[Attendance]
    refused: dict[int, list[str]]


def _roster_cleaned(
    session: Session, entries: Sequence[AttendanceEntry], roster: dict[int, int], discharged_on: dict[int, dt.date]
) -> tuple[dict[int, tuple[str, int]], dict[int, list[str]]]:
    cleaned, refused = {}, {}
    discharged = discharged_before_session(session, discharged_on)
    for entry in entries:
        if entry.patient_id not in roster:
            refused[entry.patient_id] = ["This patient is not on the session's roster."]
            continue
        if roster[entry.patient_id] in discharged:
            refused[entry.patient_id] = [discharged[roster[entry.patient_id]]]
            continue
        try:
            cleaned[entry.patient_id] = (entry.status, _validate_entry(session, entry))
        except ValidationError as error:
            refused[entry.patient_id] = error.messages
    return cleaned, refused


@transaction.atomic
def attendance_record_many(
    *, session: Session, entries: Sequence[AttendanceEntry], by, now: dt.datetime | None = None
) -> list[Attendance]:
    """Record the roster in a fixed number of queries: one bulk insert and one bulk update, with history.

    Refused before the session starts; minutes run from 0 to the session's countable length
    (its length less breaks; absences are 0). Attended hours then count down the patients'
    authorizations. One refused row refuses them all (``attendance_record_each`` saves the rest).
    """
    now = now or timezone.now()
    attendance_open_check(session, now)
    roster, discharged_on = _roster_of(session)
    cleaned, refused = _roster_cleaned(session, entries, roster, discharged_on)
    if refused:
        raise ValidationError({f"patient-{patient_id}": messages for patient_id, messages in refused.items()})
    return _roster_write(session=session, cleaned=cleaned, roster=roster, by=by, now=now)


@transaction.atomic
def attendance_record_each(
    *, session: Session, entries: Sequence[AttendanceEntry], by, now: dt.datetime | None = None
) -> RosterSaved:
    """Record every row the rules accept and name the others, so one bad value loses no other row's edit.

    The same checks and the same fixed number of queries as ``attendance_record_many``; a session
    that is cancelled or has not started still refuses the whole roster (ValidationError).
    """
    now = now or timezone.now()
    attendance_open_check(session, now)
    roster, discharged_on = _roster_of(session)
    cleaned, refused = _roster_cleaned(session, entries, roster, discharged_on)
    saved = _roster_write(session=session, cleaned=cleaned, roster=roster, by=by, now=now) if cleaned else []
    return RosterSaved(saved=saved, refused=refused)


def _roster_write(
    *, session: Session, cleaned: dict[int, tuple[str, int]], roster: dict[int, int], by, now: dt.datetime
) -> list[Attendance]:
    existing = {
        row.patient_id: row for row in Attendance.objects.valid().filter(session=session, patient_id__in=cleaned)
    }
    to_create, to_update = [], []
    for patient_id, (status, minutes) in cleaned.items():
        row = existing.get(patient_id)
        if row is None:
            to_create.append(
                Attendance(
                    session=session,
                    patient_id=patient_id,
                    episode_id=roster[patient_id],
                    status=status,
                    minutes_attended=minutes,
                    recorded_by=by,
                    recorded_at=now,
                )
            )
        elif (row.status, row.minutes_attended) != (status, minutes):
            row.status, row.minutes_attended, row.recorded_by, row.recorded_at = status, minutes, by, now
            row.updated_at = now
            to_update.append(row)
    if to_create:
        bulk_create_with_history(to_create, Attendance, default_user=by)
    if to_update:
        bulk_update_with_history(
            to_update,
            Attendance,
            ["status", "minutes_attended", "recorded_by", "recorded_at", "updated_at"],
            default_user=by,
        )
    if to_create or to_update:
        authorization_units_recount(patient_ids=list(cleaned), day=session.day)
        missed_sessions_follow_up(attendance=to_create + to_update)
        records_changed(to_create + to_update)
    return to_create + to_update


def attendance_record(
    *, session: Session, patient_id: int, status: str, minutes: int | None, by, now=None
) -> Attendance:
    """One roster row (the htmx save on a tablet)."""
    rows = attendance_record_many(
        session=session, entries=[AttendanceEntry(patient_id, status, minutes)], by=by, now=now
    )
    return rows[0] if rows else Attendance.objects.valid().get(session=session, patient_id=patient_id)


def authorization_units_recount(*, patient_ids: Sequence[int], day: dt.date) -> int:
    """Recount units used on the authorizations covering ``day`` from the attendance itself.

    Days (and per-diem units) are billable IOP days — at least 3 countable hours
    (HCPCS H0015 / S9480 per diem); sessions are attended countable sessions. Counting
    from the source keeps the number right after any correction.
    """
    authorizations = list(
        Authorization.objects.valid()
        .filter(policy__patient_id__in=patient_ids, starts_on__lte=day, ends_on__gte=day)
        .select_related("policy")
    )
    if not authorizations:
        return 0
    first = min(a.starts_on for a in authorizations)
    last = max(a.ends_on for a in authorizations)
    daily = (
        Attendance.objects.valid()
        .filter(
            patient_id__in={a.policy.patient_id for a in authorizations},
            session__day__gte=first,
            session__day__lte=last,
            session__kind__in=IOP_COUNTABLE_KINDS,
            minutes_attended__gt=0,
        )
        .values("patient_id", "session__day")
        .annotate(minutes=Sum("minutes_attended"), sessions=Count("pk"))
        .order_by()
    )
    per_patient: dict[int, list[tuple[dt.date, int, int]]] = {}
    for row in daily:
        per_patient.setdefault(row["patient_id"], []).append((row["session__day"], row["minutes"], row["sessions"]))
    for authorization in authorizations:
        days = [
            d
            for d in per_patient.get(authorization.policy.patient_id, [])
            if authorization.starts_on <= d[0] <= authorization.ends_on
        ]
        if authorization.unit == AuthorizationUnit.SESSIONS:
            authorization.units_used = sum(sessions for _, _, sessions in days)
        else:
            authorization.units_used = sum(1 for _, minutes, _ in days if minutes >= BILLABLE_DAY_MINUTES)
    bulk_update_with_history(authorizations, Authorization, ["units_used"])
    return len(authorizations)
