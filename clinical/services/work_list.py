"""Work-list tasks of the clinical record: plan reviews due, notes left unsigned, initial plans not signed in time."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.constants import TaskKind
from notifications.services import (
    end_of_day,
    task_create,
)
from patients.constants import EpisodeStatus
from patients.follow_up import Finding
from patients.models import Episode
from patients.services import finding_follow_up
from programs.models import Program

from ..constants import INITIAL_PLAN_DAYS, INITIAL_PLAN_ESCALATION_DAYS
from ..models import GroupNote, ProgramDocumentationPolicy, SessionNote, TreatmentPlan
from ..selectors.notes import unsigned_notes_overdue
from ..selectors.plans import plans_due_for_review


def plan_review_tasks(*, today: dt.date | None = None) -> int:
    """Treatment plans due or overdue for review (clinical.selectors): a task for the primary clinician."""
    today = today or timezone.localdate()
    count = 0
    for program in Program.objects.filter(is_active=True):
        for due in plans_due_for_review(program, on=today):
            plan = due.plan
            task_create(
                assignee=plan.episode.primary_clinician,
                kind=TaskKind.PLAN_REVIEW,
                title=f"Treatment plan review due {plan.review_due_on:%b %d}: {plan.patient.display_name}",
                due_at=end_of_day(plan.review_due_on),
                dedupe_key=f"plan-review:{plan.pk}:{plan.review_due_on:%Y-%m-%d}",
                patient=plan.patient,
            )
            count += 1
    return count


def unsigned_note_tasks(*, now: dt.datetime | None = None) -> int:
    """Notes left unsigned past the program's limit (clinical.selectors): a task for their author."""
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


def initial_plan_tasks(*, today: dt.date | None = None) -> int:
    """Episodes N days past admission (the program's setting) without a signed plan: a task, then the supervisor."""
    today = today or timezone.localdate()
    policies = dict(ProgramDocumentationPolicy.objects.values_list("program_id", "initial_plan_days"))
    signed = TreatmentPlan.objects.valid().filter(signed_at__isnull=False).values("episode_id")
    episodes = (
        Episode.objects.valid()
        .filter(status=EpisodeStatus.ACTIVE, admitted_on__lte=today - dt.timedelta(days=1))
        .exclude(pk__in=signed)
        .select_related("patient", "program")
    )
    count = 0
    for episode in episodes:
        days = policies.get(episode.program_id, INITIAL_PLAN_DAYS)
        due_on = episode.admitted_on + dt.timedelta(days=days)
        if today < due_on:
            continue
        finding_follow_up(
            patient=episode.patient,
            finding=Finding.INITIAL_PLAN_MISSING,
            key=f"episode:{episode.pk}",
            detail=f"admitted {episode.admitted_on:%b %d}, due {due_on:%b %d}",
            due_at=end_of_day(due_on),
            escalate_at=end_of_day(due_on + dt.timedelta(days=INITIAL_PLAN_ESCALATION_DAYS)),
        )
        count += 1
    return count
