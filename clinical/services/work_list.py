"""Work-list tasks of the clinical record: plan reviews due and notes left unsigned."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications.constants import TaskKind
from notifications.services import (
    end_of_day,
    task_create,
)
from programs.models import Program

from ..models import GroupNote, SessionNote
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
