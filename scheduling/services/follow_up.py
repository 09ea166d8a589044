"""Work-list tasks the schedule makes: unexcused absences (two in a week go to the supervisor) and hours shortfalls."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from notifications.constants import TaskKind
from notifications.services import (
    end_of_day,
    task_create,
)
from patients.constants import EpisodeStatus
from patients.models import Episode
from patients.selectors import patients_visible_to
from programs.models import Program

from ..constants import AttendanceStatus
from ..models import Attendance
from ..recurrence import week_start
from ..selectors import FLAG_PROJECTED_SHORTFALL, ledger_weeks


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
            due_at=end_of_day(session.day),
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
            due_at=end_of_day(session.day),
            dedupe_key=f"missed-escalation:patient:{patient.pk}:week:{session.week_start:%Y-%m-%d}",
            patient=patient if sees_patient else None,
            escalated_from=task,
        )
    return len(missed)


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
                due_at=end_of_day(today),
                dedupe_key=f"hours-shortfall:episode:{episode.pk}:week:{monday:%Y-%m-%d}",
                patient=episode.patient,
            )
            count += 1
    return count
