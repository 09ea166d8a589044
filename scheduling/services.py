"""Writes to the schedule. Each service validates, saves in one transaction, and says what it refused and why."""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from patients.constants import AuthorizationUnit, ConsentKind
from patients.models import Authorization, Consent, Episode
from patients.services import hours_text

from . import reminders
from .constants import (
    ABSENT_STATUSES,
    BAND_CHECK_WEEKS,
    BILLABLE_DAY_MINUTES,
    GENERATE_AHEAD_WEEKS,
    IOP_COUNTABLE_KINDS,
    MAX_SESSION_MINUTES,
    PATIENT_BOOKED_KINDS,
    AttendanceStatus,
    EnrolmentStatus,
    SessionKind,
    SessionStatus,
)
from .models import Attendance, CalendarFeedToken, ClinicClosure, CurriculumTopic, Enrolment, Group, Session, WeekNote
from .recurrence import clinic_zone, local_date, local_occurrences, to_utc, week_start
from .selectors import (
    enrolment_covers_day,
    group_enrolled_count,
    minutes_to_hours,
    planned_minutes_by_week,
    roster_episodes,
    sessions_of_episode,
    sessions_overlapping,
)


def _save(instance):
    """Validate fields and database constraints with readable messages, then save."""
    instance.full_clean()
    instance.save()
    return instance


def _time_range(start: dt.datetime, end: dt.datetime) -> str:
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    return f"{local_start:%a %b %d} {local_start:%H:%M}–{local_end:%H:%M}"


def _set_times(session: Session, start: dt.datetime, end: dt.datetime) -> None:
    """Start/end in UTC; the clinic-local day and ISO Monday kept beside them for SQL grouping."""
    session.start = start.astimezone(dt.UTC)
    session.end = end.astimezone(dt.UTC)
    session.duration_minutes = int((end - start).total_seconds() // 60)
    session.day = local_date(start)
    session.week_start = week_start(session.day)


# ---------------------------------------------------------------- recurrence


def group_generate_occurrences(
    *, group: Group, weeks: int = GENERATE_AHEAD_WEEKS, since: dt.date | None = None, until: dt.date | None = None
) -> int:
    """Create the group's missing occurrences from ``since`` (default today) up to ``weeks`` ahead.

    Each occurrence is keyed by (group, original start): an occurrence that exists — even
    moved or cancelled — is never created again, and a day that already holds one of the
    group's occurrences is skipped, so a cancellation survives a series edit. Occurrences
    on clinic closures are created cancelled. Returns how many were created.
    """
    today = timezone.localdate()
    window_start = max(group.starts_on, since or today)
    window_end = until or today + dt.timedelta(weeks=weeks)
    if group.ends_on:
        window_end = min(window_end, group.ends_on)
    if not group.is_active or window_end < window_start:
        return 0
    existing = Session.objects.filter(group=group, day__gte=window_start - dt.timedelta(days=1))
    taken_starts = set(existing.values_list("original_start", flat=True))
    taken_days = {local_date(moment) for moment in taken_starts}
    closures = dict(
        ClinicClosure.objects.filter(date__gte=window_start, date__lte=window_end).values_list("date", "reason")
    )
    topics = list(group.topics.order_by("position"))
    zone = clinic_zone()
    room = group.room
    new_sessions = []
    for index, local_start in local_occurrences(
        group.rrule,
        starts_on=group.starts_on,
        start_time=group.start_time,
        window_start=window_start,
        window_end=window_end,
    ):
        start = to_utc(local_start, zone)
        if start in taken_starts or local_start.date() in taken_days:
            continue
        end = to_utc(local_start + dt.timedelta(minutes=group.duration_minutes), zone)
        session = Session(
            program_id=group.program_id,
            kind=group.kind,
            group=group,
            original_start=start,
            topic=topics[index % len(topics)] if topics else None,
            clinician_id=group.facilitator_id,
            co_facilitator_id=group.co_facilitator_id,
            room=room,
            join_url=room.join_url if room.is_virtual else "",
        )
        _set_times(session, start, end)
        closure = closures.get(session.day)
        if closure:
            session.status = SessionStatus.CANCELLED
            session.cancel_reason = f"Clinic closed: {closure}"[:200]
        new_sessions.append(session)
    # ignore_conflicts: a concurrent run (task and admin action together) may have made some already.
    Session.objects.bulk_create(new_sessions, ignore_conflicts=True)
    return len(new_sessions)


def occurrences_generate_all(*, weeks: int = GENERATE_AHEAD_WEEKS) -> int:
    """Keep every active group generated ``weeks`` ahead (the periodic task and the admin action)."""
    created = 0
    for group in Group.objects.filter(is_active=True).select_related("room"):
        with transaction.atomic():
            created += group_generate_occurrences(group=group, weeks=weeks)
    return created


@transaction.atomic
def group_create(*, created_by, topics: Sequence[str] = (), **fields) -> Group:
    group = _save(Group(**fields))
    CurriculumTopic.objects.bulk_create(
        CurriculumTopic(group=group, position=position, title=title) for position, title in enumerate(topics, 1)
    )
    group_generate_occurrences(group=group)
    return group


SERIES_FIELDS = {
    "name",
    "rrule",
    "start_time",
    "duration_minutes",
    "room",
    "facilitator",
    "co_facilitator",
    "capacity",
    "ends_on",
    "kind",
    "workshop_topic",
    "description",
    "is_active",
}


@transaction.atomic
def group_update_series(*, group: Group, effective_from: dt.date, changed_by, **changes) -> Group:
    """Change the series from ``effective_from`` on; earlier occurrences stay exactly as they were.

    Future occurrences nobody has touched are regenerated from the new rule; moved or
    cancelled ones are exceptions the staff made on purpose, so they are kept.
    """
    unknown = set(changes) - SERIES_FIELDS
    if unknown:
        raise ValidationError(f"These cannot change on a series: {', '.join(sorted(unknown))}.")
    today = timezone.localdate()
    if effective_from < today:
        raise ValidationError(
            {"effective_from": "Series changes apply from today on; past sessions stay as they were."}
        )
    group = Group.objects.select_for_update().get(pk=group.pk)
    for name, value in changes.items():
        setattr(group, name, value)
    _save(group)
    untouched = Session.objects.filter(
        group=group,
        day__gte=effective_from,
        start__gt=timezone.now(),
        status=SessionStatus.SCHEDULED,
        is_moved=False,
    ).exclude(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
    untouched._raw_delete(untouched.db)  # plain rows, no history of their own worth keeping
    group_generate_occurrences(group=group, since=effective_from)
    return group


# ---------------------------------------------------------------- conflicts


def _overlapping(start: dt.datetime, end: dt.datetime):
    return sessions_overlapping(Session.objects.filter(status=SessionStatus.SCHEDULED), start, end)


def _patient_clash(episode_ids: Iterable[int], start, end, exclude_pk=None) -> Session | None:
    episode_ids = list(episode_ids)
    if not episode_ids:
        return None
    enrolled = Exists(
        Enrolment.objects.filter(
            enrolment_covers_day(day=OuterRef("day")), group=OuterRef("group"), episode_id__in=episode_ids
        )
    )
    return (
        _overlapping(start, end)
        .alias(enrolled=enrolled)
        .filter(Q(episode_id__in=episode_ids) | Q(group__isnull=False, enrolled=True))
        .exclude(pk=exclude_pk)
        .first()
    )


def check_conflicts(
    *, start, end, room=None, clinicians: Sequence = (), episode_ids: Sequence[int] = (), exclude_pk=None
) -> None:
    """Refuse a time that double-books the room, a clinician or a patient, naming who and when."""
    errors = {}
    if room is not None:
        clash = _overlapping(start, end).filter(room=room).exclude(pk=exclude_pk).first()
        if clash:
            errors["room"] = f"{room} is already booked {_time_range(clash.start, clash.end)} ({clash.title})."
    people = [person for person in clinicians if person is not None]
    if people:
        clash = (
            _overlapping(start, end)
            .filter(Q(clinician__in=people) | Q(co_facilitator__in=people))
            .select_related("clinician")
            .exclude(pk=exclude_pk)
            .first()
        )
        if clash:
            errors["clinician"] = (
                f"{clash.clinician.get_full_name() or clash.clinician} is already booked "
                f"{_time_range(clash.start, clash.end)} ({clash.title})."
            )
    clash = _patient_clash(episode_ids, start, end, exclude_pk)
    if clash:
        errors["start"] = f"The patient is already booked {_time_range(clash.start, clash.end)} ({clash.title})."
    if errors:
        raise ValidationError(errors)


def _require_telehealth_consent(episode: Episode, room, day: dt.date) -> None:
    if room is None or not room.is_virtual:
        return
    if not Consent.objects.filter(patient_id=episode.patient_id, kind=ConsentKind.TELEHEALTH).active(day).exists():
        raise ValidationError({"room": f"{room} is a telehealth room; record the patient's telehealth consent first."})


# ---------------------------------------------------------------- the band


def band_problems(episode: Episode, mondays: Sequence[dt.date]) -> dict[dt.date, str]:
    """Weeks outside the program's band with no documented reason, each with its shortfall or excess named."""
    if not mondays:
        return {}
    program = episode.program
    low, high = program.weekly_hours_band
    planned = planned_minutes_by_week([episode.pk], min(mondays), max(mondays))
    noted = set(WeekNote.objects.filter(episode=episode, week_start__in=mondays).values_list("week_start", flat=True))
    problems = {}
    for monday in mondays:
        minutes = planned[(episode.pk, monday)].scheduled_minutes if (episode.pk, monday) in planned else 0
        hours = minutes_to_hours(minutes)
        if monday in noted:
            continue
        if hours < low:
            problems[monday] = (
                f"Week of {monday:%b %d}: {hours_text(hours)} hours planned, "
                f"{hours_text(low - hours)} short of the {hours_text(low)}-hour minimum."
            )
        elif hours > high:
            problems[monday] = (
                f"Week of {monday:%b %d}: {hours_text(hours)} hours planned, "
                f"{hours_text(hours - high)} over the {hours_text(high)}-hour maximum "
                "(20 or more is partial hospitalization)."
            )
    return problems


def _enforce_band(*, episode: Episode, mondays: Sequence[dt.date], reason: str, by, only_excess: bool = False) -> None:
    problems = band_problems(episode, mondays)
    if only_excess:
        problems = {monday: text for monday, text in problems.items() if "over the" in text}
    if not problems:
        return
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {
                "__all__": list(problems.values()),
                "reason": "Add sessions, or document why these weeks are outside the band (e.g. a step-down week).",
            }
        )
    WeekNote.objects.bulk_create(
        WeekNote(episode=episode, week_start=monday, reason=reason, recorded_by=by) for monday in problems
    )


def weeks_to_check(starts_on: dt.date, count: int = BAND_CHECK_WEEKS) -> list[dt.date]:
    """Whole ISO weeks from ``starts_on``: a week that starts mid-way is the admission week, not a full one."""
    first = starts_on if starts_on.weekday() == 0 else week_start(starts_on) + dt.timedelta(weeks=1)
    return [first + dt.timedelta(weeks=offset) for offset in range(count)]


@transaction.atomic
def week_note_record(*, episode: Episode, week: dt.date, reason: str, by) -> WeekNote:
    note, _ = WeekNote.objects.get_or_create(
        episode=episode, week_start=week_start(week), defaults={"reason": reason.strip(), "recorded_by": by}
    )
    if note.reason != reason.strip():
        note.reason = reason.strip()
        note.recorded_by = by
    return _save(note)


# ---------------------------------------------------------------- enrolment


@dataclass
class ScheduleResult:
    enrolled: list[Group]
    waitlisted: list[Group]
    ended: list[Group]


def _require_active(episode: Episode) -> None:
    if not episode.is_active or episode.is_entered_in_error:
        raise ValidationError("This episode of care is closed; its schedule cannot change.")


@transaction.atomic
def patient_schedule_save(
    *,
    episode: Episode,
    groups: Sequence[Group],
    starts_on: dt.date,
    by,
    reason: str = "",
    waitlist_if_full: bool = False,
) -> ScheduleResult:
    """Set the groups this patient attends from ``starts_on``: enrol in new ones, end the ones left out.

    Refused when a group clashes with the patient's other sessions, when a full group
    was not meant for the wait list, or when a whole week falls outside the program's
    hours band without a documented reason.
    """
    episode = Episode.objects.select_for_update(of=("self",)).select_related("program", "patient").get(pk=episode.pk)
    _require_active(episode)
    if starts_on < episode.admitted_on:
        raise ValidationError({"starts_on": "The schedule cannot start before admission."})
    wanted = {group.pk: group for group in groups}
    foreign = [group.name for group in groups if group.program_id != episode.program_id]
    if foreign:
        raise ValidationError({"groups": f"Not groups of {episode.program}: {', '.join(foreign)}."})
    current = list(
        Enrolment.objects.filter(episode=episode)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .select_related("group")
    )
    ended = []
    for enrolment in current:
        if enrolment.group_id in wanted:
            continue
        ended.append(enrolment.group)
        if enrolment.starts_on >= starts_on:
            enrolment.delete()  # never started: nothing happened under it
        else:
            enrolment.ends_on = starts_on - dt.timedelta(days=1)
            enrolment.save(update_fields=["ends_on", "updated_at"])
    already = {enrolment.group_id for enrolment in current}
    enrolled, waitlisted = [], []
    for group in groups:
        if group.pk in already:
            continue
        group = Group.objects.select_for_update(of=("self",)).select_related("room").get(pk=group.pk)
        status = EnrolmentStatus.ENROLLED
        if group_enrolled_count(group.pk, starts_on) >= group.capacity:
            if not waitlist_if_full:
                raise ValidationError(
                    {
                        "groups": f"{group.name} is full ({group.capacity} of {group.capacity}). "
                        "Tick “put on the wait list if full” to wait for a place."
                    }
                )
            status = EnrolmentStatus.WAITLISTED
        if status == EnrolmentStatus.ENROLLED:
            _require_telehealth_consent(episode, group.room, starts_on)
            _refuse_group_clash(episode, group, starts_on)
        _save(Enrolment(episode=episode, group=group, status=status, starts_on=starts_on, enrolled_by=by))
        (enrolled if status == EnrolmentStatus.ENROLLED else waitlisted).append(group)
    _enforce_band(episode=episode, mondays=weeks_to_check(starts_on), reason=reason, by=by)
    return ScheduleResult(enrolled=enrolled, waitlisted=waitlisted, ended=ended)


def _refuse_group_clash(episode: Episode, group: Group, starts_on: dt.date) -> None:
    mine = sessions_of_episode(episode).filter(
        status=SessionStatus.SCHEDULED, start__lt=OuterRef("end"), end__gt=OuterRef("start")
    )
    clash = (
        Session.objects.filter(group=group, status=SessionStatus.SCHEDULED, day__gte=starts_on)
        .alias(clashes=Exists(mine.exclude(group=group)))
        .filter(clashes=True)
        .first()
    )
    if clash:
        raise ValidationError(
            {
                "groups": (
                    f"{group.name} on {_time_range(clash.start, clash.end)} clashes with the patient's other sessions."
                )
            }
        )


@transaction.atomic
def enrolment_end(*, enrolment: Enrolment, ends_on: dt.date, by) -> Enrolment:
    if ends_on < enrolment.starts_on:
        enrolment.delete()
        return enrolment
    enrolment.ends_on = ends_on
    return _save(enrolment)


@transaction.atomic
def enrolment_promote(*, enrolment: Enrolment, starts_on: dt.date, by) -> Enrolment:
    """Move a wait-listed patient into the group when a place is free."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("group__room", "episode").get(pk=enrolment.pk)
    )
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        raise ValidationError("This patient is not on the wait list.")
    group = enrolment.group
    if group_enrolled_count(group.pk, starts_on) >= group.capacity:
        raise ValidationError(f"{group.name} is still full ({group.capacity} of {group.capacity}).")
    _require_active(enrolment.episode)
    _require_telehealth_consent(enrolment.episode, group.room, starts_on)
    _refuse_group_clash(enrolment.episode, group, starts_on)
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.starts_on = max(starts_on, enrolment.starts_on)
    enrolment.enrolled_by = by
    return _save(enrolment)


# ---------------------------------------------------------------- booking, moving, cancelling


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
    _require_active(episode)
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
    _set_times(session, start, end)
    _require_telehealth_consent(episode, room, session.day)
    check_conflicts(start=session.start, end=session.end, room=room, clinicians=[clinician], episode_ids=[episode.pk])
    _save(session)
    session.family_contacts.set(contacts)
    if kind in IOP_COUNTABLE_KINDS:
        _enforce_band(episode=episode, mondays=[session.week_start], reason=reason, by=by, only_excess=True)
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
    _set_times(session, start, end)
    session.room = room
    session.is_moved = session.group_id is not None
    _save(session)
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
    _save(session)
    reminders.session_cancelled_notify(session=session)
    return session


@transaction.atomic
def clinic_closure_add(*, date: dt.date, reason: str, by=None) -> ClinicClosure:
    """Close the clinic for a day: every scheduled occurrence that day is cancelled with the reason."""
    closure = _save(ClinicClosure(date=date, reason=reason.strip()))
    closed = list(Session.objects.filter(day=date, status=SessionStatus.SCHEDULED))
    Session.objects.filter(day=date, status=SessionStatus.SCHEDULED).update(
        status=SessionStatus.CANCELLED,
        cancel_reason=f"Clinic closed: {closure.reason}"[:200],
        updated_at=timezone.now(),
    )
    for session in closed:
        reminders.session_cancelled_notify(session=session)
    return closure


# ---------------------------------------------------------------- attendance


@dataclass(frozen=True)
class AttendanceEntry:
    patient_id: int
    status: str
    minutes: int | None


def _validate_entry(session: Session, entry: AttendanceEntry) -> int:
    if entry.status not in AttendanceStatus.values:
        raise ValidationError("Choose present, late, left early, excused or unexcused absence.")
    if entry.status in ABSENT_STATUSES:
        return 0
    minutes = session.duration_minutes if entry.minutes is None else entry.minutes
    if not 0 <= minutes <= session.duration_minutes:
        raise ValidationError(f"Minutes attended must be between 0 and {session.duration_minutes}.")
    return minutes


@transaction.atomic
def attendance_record_many(
    *, session: Session, entries: Sequence[AttendanceEntry], by, now: dt.datetime | None = None
) -> list[Attendance]:
    """Record the roster in a fixed number of queries: one bulk insert and one bulk update, with history.

    Refused before the session starts; minutes run from 0 to the session's length
    (absences are 0). Attended hours then count down the patients' authorizations.
    """
    now = now or timezone.now()
    if session.is_cancelled:
        raise ValidationError("This session was cancelled; there is no attendance to take.")
    if now < session.start:
        raise ValidationError(
            f"Attendance opens when the session starts ({timezone.localtime(session.start):%b %d %H:%M})."
        )
    roster = dict(roster_episodes(session).values_list("patient_id", "pk"))
    errors = {}
    cleaned = {}
    for entry in entries:
        if entry.patient_id not in roster:
            errors[f"patient-{entry.patient_id}"] = "This patient is not on the session's roster."
            continue
        try:
            cleaned[entry.patient_id] = (entry.status, _validate_entry(session, entry))
        except ValidationError as error:
            errors[f"patient-{entry.patient_id}"] = error.messages
    if errors:
        raise ValidationError(errors)
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
        reminders.missed_sessions_follow_up(attendance=to_create + to_update)
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


# ---------------------------------------------------------------- calendar feed


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_token_create(*, user) -> str:
    """Revoke the user's feed URL (if any) and issue a new one; the token is shown once and stored only hashed."""
    CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.create(user=user, token_hash=hash_feed_token(token))
    return token


@transaction.atomic
def calendar_feed_token_revoke(*, user) -> int:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def feed_user_for_token(token: str):
    """The clinician a live feed token belongs to, or None."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeedToken.objects.filter(token_hash=hash_feed_token(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
