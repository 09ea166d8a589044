"""Sessions by range, episode or patient, and who is on a roster."""

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from patients.models import Episode, Patient
from patients.selectors import patients_visible_to

from ..constants import (
    MAX_SESSION_MINUTES,
    EnrolmentStatus,
)
from ..models import Enrolment, Session


def sessions_overlapping(sessions: QuerySet[Session], start: dt.datetime, end: dt.datetime) -> QuerySet[Session]:
    """Sessions running at any moment in [start, end).

    The lower bound on ``start`` is implied by the others (no session outlasts
    MAX_SESSION_MINUTES, a database constraint), but stating it lets the (…, start)
    indexes read one narrow range instead of every earlier session.
    """
    earliest_start = start - dt.timedelta(minutes=MAX_SESSION_MINUTES)
    return sessions.filter(start__gte=earliest_start, start__lt=end, end__gt=start)


def enrolment_covers_day(prefix: str = "", day=None) -> Q:
    """An enrolled (not wait-listed) enrolment running on ``day``, ended by the episode's discharge."""
    day = F("day") if day is None else day
    return (
        Q(
            **{
                f"{prefix}status": EnrolmentStatus.ENROLLED,
                f"{prefix}starts_on__lte": day,
                f"{prefix}episode__entered_in_error_at__isnull": True,
            }
        )
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day}))
        & (Q(**{f"{prefix}episode__discharged_on__isnull": True}) | Q(**{f"{prefix}episode__discharged_on__gte": day}))
    )


def sessions_of_episode(episode: Episode) -> QuerySet[Session]:
    """Every session on this patient's schedule: their groups' occurrences while enrolled, and their bookings."""
    enrolled = Exists(
        Enrolment.objects.filter(enrolment_covers_day(day=OuterRef("day")), group=OuterRef("group"), episode=episode)
    )
    return Session.objects.alias(enrolled=enrolled).filter(Q(group__isnull=False, enrolled=True) | Q(episode=episode))


def sessions_of_patient(patient: Patient) -> QuerySet[Session]:
    """The patient's sessions across all their episodes (the patient calendar)."""
    enrolled = Exists(
        Enrolment.objects.filter(
            enrolment_covers_day(day=OuterRef("day")), group=OuterRef("group"), episode__patient=patient
        )
    )
    return Session.objects.alias(enrolled=enrolled).filter(Q(group__isnull=False, enrolled=True) | Q(patient=patient))


def roster_episodes(session: Session) -> QuerySet[Episode]:
    """Who belongs at this session: the group's enrolled episodes that day, or the booked patient's episode."""
    if session.group_id is None:
        return Episode.objects.filter(pk=session.episode_id)
    enrolled = Enrolment.objects.filter(enrolment_covers_day(day=session.day), group_id=session.group_id)
    return Episode.objects.valid().filter(pk__in=enrolled.values("episode_id"))


def group_enrolled_count(group_id: int, day: dt.date) -> int:
    return Enrolment.objects.filter(enrolment_covers_day(day=day), group_id=group_id).count()


def rosters_for_day(sessions: list[Session], user) -> dict[int, list[Patient]]:
    """Each session's patients (those this user may see), for sessions of one day: two queries."""
    if not sessions:
        return {}
    days = {session.day for session in sessions}
    visible = patients_visible_to(user)
    group_sessions = {}
    for session in sessions:
        if session.group_id:
            group_sessions.setdefault((session.group_id, session.day), []).append(session.pk)
    rosters: dict[int, list[Patient]] = {session.pk: [] for session in sessions}
    enrolments = (
        Enrolment.objects.filter(group_id__in={g for g, _ in group_sessions}, status=EnrolmentStatus.ENROLLED)
        .filter(starts_on__lte=max(days))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=min(days)))
        .filter(episode__patient__in=visible, episode__entered_in_error_at__isnull=True)
        .select_related("episode__patient")
        .order_by("episode__patient__legal_last_name", "episode__patient__legal_first_name")
    )
    # Episodes discharged on a session's own day: whether they still belong on it depends on the
    # hour the discharge was recorded (a session that evening is after it).
    discharged_that_day: dict[int, dict[int, dt.date]] = {}
    episode_patient: dict[int, int] = {}
    for enrolment in enrolments:
        episode = enrolment.episode
        for (group_id, day), session_ids in group_sessions.items():
            if group_id != enrolment.group_id or day < enrolment.starts_on:
                continue
            if (enrolment.ends_on and day > enrolment.ends_on) or (
                episode.discharged_on and day > episode.discharged_on
            ):
                continue
            for session_id in session_ids:
                rosters[session_id].append(episode.patient)
                if episode.discharged_on == day:
                    discharged_that_day.setdefault(session_id, {})[episode.pk] = episode.discharged_on
                    episode_patient[episode.pk] = episode.patient_id
    if discharged_that_day:
        # A read that lives with the attendance rules it applies (the moment a discharge takes
        # effect); services import this module, so it is imported here.
        from ..services.attendance import discharged_before_session
    by_pk = {session.pk: session for session in sessions}
    for session_id, discharged in discharged_that_day.items():
        gone = {episode_patient[pk] for pk in discharged_before_session(by_pk[session_id], discharged)}
        rosters[session_id] = [patient for patient in rosters[session_id] if patient.pk not in gone]
    booked = [session.patient_id for session in sessions if session.patient_id]
    if booked:
        seen = {patient.pk: patient for patient in visible.filter(pk__in=booked)}
        for session in sessions:
            if session.patient_id in seen:
                rosters[session.pk].append(seen[session.patient_id])
    return rosters
