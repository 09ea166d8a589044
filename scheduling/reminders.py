"""The schedule's side of the outbox: session reminders and notices to patients, and follow-up tasks for staff.

Reminders are planned by a periodic run over the sessions of the next 48 hours rather
than by signals, so sessions made in bulk (group occurrences, series edits) are covered
and no call site has to remember. Every row carries a dedupe key, so a run repeated, or
two at once, writes nothing twice. Cancellations and moves call in here directly so the
notice goes out at once, in the same transaction as the change.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.constants import TaskKind
from notifications.models import OutboundMessage
from notifications.services import (
    PATIENT_CHANNELS,
    channel_refusal,
    consented_kinds_by_patient,
    message_cancel,
    session_change_notify,
    session_message_prefix,
    session_reminders_enqueue,
    task_create,
)
from patients.constants import EpisodeStatus
from patients.models import Authorization, Episode, Patient
from patients.selectors import patients_visible_to
from programs.models import Program
from testing.constants import PENDING_RESULT_STATUSES
from testing.models import DrugTest
from testing.selectors.measurement import instruments_due

from .constants import (
    AUTHORIZATION_ENDING_DAYS,
    AUTHORIZATION_LOW_UNITS,
    AttendanceStatus,
    EnrolmentStatus,
    SessionStatus,
)
from .models import Attendance, Enrolment, Session
from .recurrence import week_start
from .selectors import FLAG_PROJECTED_SHORTFALL, ledger_weeks

# Sessions starting within this window get their reminders planned; wider than the
# longest default lead time (24 h) so a run missed while workers were down is made up.
REMINDER_PLANNING_HOURS = 48
# A collected specimen still without a result after this long is chased (lab LC-MS/MS
# confirmation usually takes 2–5 days).
DRUG_TEST_PENDING_DAYS = 5


# ---------------------------------------------------------------- who is at a session


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


# ---------------------------------------------------------------- reminders


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


# ---------------------------------------------------------------- missed sessions


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


@transaction.atomic
def missed_sessions_follow_up(*, attendance: list[Attendance]) -> int:
    """Unexcused absences: a same-day task for the primary clinician; two in an ISO week go to their supervisor.

    Called where attendance is recorded. Keys per (session, patient) and per (patient,
    week) make a re-save of the roster harmless. Returns how many absences were followed up.
    """
    missed = [row for row in attendance if row.status == AttendanceStatus.UNEXCUSED]
    if not missed:
        return 0
    rows = (
        Attendance.objects.valid()
        .filter(pk__in=[row.pk for row in missed])
        .select_related("session", "patient", "episode__primary_clinician__supervisor")
    )
    for row in rows:
        episode, patient, session = row.episode, row.patient, row.session
        clinician = episode.primary_clinician
        task = task_create(
            assignee=clinician,
            kind=TaskKind.MISSED_SESSION,
            title=f"Missed session follow-up: {patient.display_name} ({timezone.localtime(session.start):%b %d %H:%M})",
            due_at=_end_of_day(session.day),
            dedupe_key=f"missed-session:{session.pk}:patient:{patient.pk}",
            patient=patient,
        )
        absences = Attendance.objects.valid().filter(
            patient=patient, status=AttendanceStatus.UNEXCUSED, session__week_start=session.week_start
        )
        supervisor = clinician.supervisor
        if supervisor is None or not supervisor.is_active or absences.count() < 2:
            continue
        # The title says no more than the supervisor may see (notifications.StaffTask).
        sees_patient = patients_visible_to(supervisor, among=[patient.pk]).exists()
        who = patient.display_name if sees_patient else f"a patient of {clinician.get_full_name() or clinician}"
        task_create(
            assignee=supervisor,
            kind=TaskKind.MISSED_SESSION_ESCALATION,
            title=f"Two or more unexcused absences in the week of {session.week_start:%b %d}: {who}",
            due_at=_end_of_day(session.day),
            dedupe_key=f"missed-escalation:patient:{patient.pk}:week:{session.week_start:%Y-%m-%d}",
            patient=patient if sees_patient else None,
            escalated_from=task,
        )
    return len(missed)


# ---------------------------------------------------------------- the weekly hours check


def hours_shortfall_tasks(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Active patients projected below their program's weekly minimum this week: a task for the clinician.

    The projection is the compliance dashboard's (attended so far plus still scheduled).
    Returns how many tasks exist for this week after the run.
    """
    today = today or timezone.localdate()
    monday = week_start(today)
    count = 0
    for program in Program.objects.filter(is_active=True):
        episodes = list(
            Episode.objects.valid()
            .filter(program=program, status=EpisodeStatus.ACTIVE, patient__entered_in_error_at__isnull=True)
            .select_related("patient", "program", "primary_clinician")
        )
        ledger = ledger_weeks(episodes, [monday], today=today, now=now)
        for episode in episodes:
            week = ledger[episode.pk][0]
            if FLAG_PROJECTED_SHORTFALL not in week.flags:
                continue
            low = week.low.normalize() if isinstance(week.low, Decimal) else week.low
            task_create(
                assignee=episode.primary_clinician,
                kind=TaskKind.HOURS_SHORTFALL,
                title=(
                    f"Hours shortfall: {episode.patient.display_name} is projected at "
                    f"{week.projected_hours.normalize():f} of {low:f} hours this week"
                ),
                due_at=_end_of_day(today),
                dedupe_key=f"hours-shortfall:episode:{episode.pk}:week:{monday:%Y-%m-%d}",
                patient=episode.patient,
            )
            count += 1
    return count


# ---------------------------------------------------------------- daily work-list run


def _active_episodes_by_patient(patient_ids) -> dict[int, Episode]:
    return {
        episode.patient_id: episode
        for episode in Episode.objects.valid()
        .filter(patient_id__in=patient_ids, status=EpisodeStatus.ACTIVE)
        .select_related("patient", "primary_clinician")
    }


def authorization_tasks(*, today: dt.date | None = None) -> int:
    """Authorizations ending within 7 days or with 3 units or fewer left: a task for the patient's clinician."""
    today = today or timezone.localdate()
    authorizations = list(
        Authorization.objects.valid()
        .filter(policy__entered_in_error_at__isnull=True, ends_on__gte=today)
        .filter(
            Q(ends_on__lte=today + dt.timedelta(days=AUTHORIZATION_ENDING_DAYS))
            | Q(units_authorized__lte=F("units_used") + AUTHORIZATION_LOW_UNITS)
        )
        .select_related("policy")
    )
    episodes = _active_episodes_by_patient({a.policy.patient_id for a in authorizations})
    count = 0
    for authorization in authorizations:
        episode = episodes.get(authorization.policy.patient_id)
        if episode is None:
            continue
        remaining = authorization.units_remaining
        if authorization.ends_on <= today + dt.timedelta(days=AUTHORIZATION_ENDING_DAYS):
            why, key = f"ends {authorization.ends_on:%b %d}", f"ending:{authorization.ends_on:%Y-%m-%d}"
        else:
            why, key = f"{remaining} {authorization.get_unit_display().lower()} left", "low-units"
        task_create(
            assignee=episode.primary_clinician,
            kind=TaskKind.AUTHORIZATION_ENDING,
            title=f"Authorization {authorization.number} {why}: {episode.patient.display_name}",
            due_at=_end_of_day(today),
            dedupe_key=f"authorization:{authorization.pk}:{key}",
            patient=episode.patient,
        )
        count += 1
    return count


def plan_review_tasks(*, today: dt.date | None = None) -> int:
    """Treatment plans due or overdue for review (clinical.selectors): a task for the primary clinician."""
    from clinical.selectors.plans import plans_due_for_review

    today = today or timezone.localdate()
    count = 0
    for program in Program.objects.filter(is_active=True):
        for due in plans_due_for_review(program, on=today):
            plan = due.plan
            task_create(
                assignee=plan.episode.primary_clinician,
                kind=TaskKind.PLAN_REVIEW,
                title=f"Treatment plan review due {plan.review_due_on:%b %d}: {plan.patient.display_name}",
                due_at=_end_of_day(plan.review_due_on),
                dedupe_key=f"plan-review:{plan.pk}:{plan.review_due_on:%Y-%m-%d}",
                patient=plan.patient,
            )
            count += 1
    return count


def unsigned_note_tasks(*, now: dt.datetime | None = None) -> int:
    """Notes left unsigned past the program's limit (clinical.selectors): a task for their author."""
    from clinical.models import GroupNote, SessionNote
    from clinical.selectors.notes import unsigned_notes_overdue

    now = now or timezone.now()
    author_ids = set(
        SessionNote.objects.valid().filter(signed_at__isnull=True).values_list("author_id", flat=True)
    ) | set(GroupNote.objects.valid().filter(signed_at__isnull=True).values_list("author_id", flat=True))
    count = 0
    for author in get_user_model().objects.filter(pk__in=author_ids, is_active=True):
        for row in unsigned_notes_overdue(author, now=now):
            if row.author.pk != author.pk:
                continue  # a supervisee's note: it goes on the supervisee's own list
            note = row.note
            task_create(
                assignee=author,
                kind=TaskKind.UNSIGNED_NOTE,
                title=f"Sign your note: {row.title}",
                due_at=row.deadline,
                dedupe_key=f"unsigned-note:{note._meta.model_name}:{note.pk}",
                patient=getattr(note, "patient", None),
            )
            count += 1
    return count


def drug_test_pending_tasks(*, now: dt.datetime | None = None) -> int:
    """Specimens collected more than DRUG_TEST_PENDING_DAYS ago and still without a result."""
    now = now or timezone.now()
    tests = list(
        DrugTest.objects.valid().filter(
            status__in=PENDING_RESULT_STATUSES, collected_at__lt=now - dt.timedelta(days=DRUG_TEST_PENDING_DAYS)
        )
    )
    episodes = _active_episodes_by_patient({test.patient_id for test in tests})
    count = 0
    for test in tests:
        episode = episodes.get(test.patient_id)
        if episode is None:
            continue
        task_create(
            assignee=episode.primary_clinician,
            kind=TaskKind.DRUG_TEST_PENDING,
            title=(
                f"Drug test result pending since {timezone.localtime(test.collected_at):%b %d}: "
                f"{episode.patient.display_name}"
            ),
            due_at=_end_of_day(timezone.localdate(now)),
            dedupe_key=f"drug-test-pending:{test.pk}",
            patient=episode.patient,
        )
        count += 1
    return count


def instrument_due_tasks(*, today: dt.date | None = None) -> int:
    """Repeat instruments (PHQ-9, GAD-7, BAM) due by the program's cadence: a task for the clinician."""
    today = today or timezone.localdate()
    count = 0
    for program in Program.objects.filter(is_active=True):
        due = instruments_due(program=program, on=today)
        if not due:
            continue
        episodes = _active_episodes_by_patient(list(due))
        for patient_id, rows in due.items():
            episode = episodes.get(patient_id)
            if episode is None:
                continue
            for row in rows:
                if not row.is_due:
                    continue
                task_create(
                    assignee=episode.primary_clinician,
                    kind=TaskKind.INSTRUMENT_DUE,
                    title=f"{row.title} due {row.due_on:%b %d}: {episode.patient.display_name}",
                    due_at=_end_of_day(max(row.due_on, today)),
                    dedupe_key=f"instrument-due:{patient_id}:{row.instrument}:{row.due_on:%Y-%m-%d}",
                    patient=episode.patient,
                )
                count += 1
    return count


def work_list_run(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily run: every kind of clinical follow-up task, each kind in its own transaction."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    results = {}
    for name, run in (
        ("authorizations", lambda: authorization_tasks(today=today)),
        ("plan_reviews", lambda: plan_review_tasks(today=today)),
        ("unsigned_notes", lambda: unsigned_note_tasks(now=now)),
        ("drug_tests_pending", lambda: drug_test_pending_tasks(now=now)),
        ("instruments_due", lambda: instrument_due_tasks(today=today)),
    ):
        with transaction.atomic():
            results[name] = run()
    return results
