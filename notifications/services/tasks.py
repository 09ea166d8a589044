"""Staff tasks on the work list: created once per cause (dedupe key), done or snoozed with a reason."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import records_update_with_history
from iop.text import says_something
from patients.models import Patient

from ..constants import (
    TaskKind,
    TaskSeverity,
    TaskStatus,
)
from ..models import SAFETY_TASK_KINDS, StaffTask

# An escalation is due within the hour: the person it reaches is the last line.
ESCALATION_DUE_WITHIN = timedelta(hours=1)
# A snooze puts a task off, not away: further than this, the task wants doing or closing.
LONGEST_SNOOZE = timedelta(days=30)
REASON_SAYS_NOTHING = "Say what was done or why it waits in a few words (at least 20 characters and 3 words)."


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
    severity: int = TaskSeverity.NORMAL,
    escalate_at: datetime | None = None,
    escalate_to: Iterable = (),
    escalation_title: str = "",
) -> StaffTask:
    """Put a task on a work list; the same dedupe key returns the existing task instead of a second one.

    With ``escalate_at``, the task escalates: if it is not done by then, each of ``escalate_to``
    gets a task of its own titled ``escalation_title`` (see ``tasks_escalate_due``).
    """
    if kind not in TaskKind.values:
        raise ValidationError({"kind": f"Unknown task kind {kind!r}."})
    escalate_to = [user for user in escalate_to if user is not None and user.pk != getattr(assignee, "pk", None)]
    if escalate_at is not None and not escalate_to:
        escalate_at = None  # nobody above the assignee to escalate to (e.g. a director's own task)
    task = StaffTask(
        assignee=assignee,
        kind=kind,
        title=title.strip(),
        due_at=due_at,
        dedupe_key=dedupe_key,
        patient=patient,
        escalated_from=escalated_from,
        severity=severity,
        escalate_at=escalate_at,
        escalation_title=(escalation_title or title).strip()[:200] if escalate_at else "",
    )
    task.full_clean(exclude=["assignee", "patient", "escalated_from"], validate_unique=False)
    fields = {f.attname: getattr(task, f.attname) for f in StaffTask._meta.concrete_fields if not f.primary_key}
    task, created = StaffTask.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    if created and escalate_at is not None:
        task.escalate_to.set(escalate_to)
    return task


@transaction.atomic
def tasks_escalate_due(*, now: datetime | None = None) -> int:
    """Escalate every task not done by its escalation time: one task for each person it escalates to.

    Each task is claimed once (``escalated_at`` set by a conditional update), so two sweeps at
    the same moment, or a sweep repeated after a crash, escalate nothing twice.
    """
    now = now or timezone.now()
    due = list(
        StaffTask.objects.filter(escalate_at__lte=now, escalated_at__isnull=True)
        .exclude(status=TaskStatus.DONE)
        .select_related("patient", "assignee")
        .prefetch_related("escalate_to")
        .order_by("escalate_at")
    )
    made = 0
    for task in due:
        claimed = records_update_with_history(
            records=StaffTask.objects.filter(pk=task.pk, escalated_at__isnull=True), escalated_at=now
        )
        if not claimed:
            continue
        for person in task.escalate_to.all():
            task_create(
                assignee=person,
                kind=TaskKind.ESCALATION,
                title=f"Not done in time by {task.assignee.get_full_name() or task.assignee}: {task.escalation_title}",
                due_at=now + ESCALATION_DUE_WITHIN,
                dedupe_key=f"escalation:{task.pk}:{person.pk}",
                patient=task.patient,
                escalated_from=task,
                severity=min(task.severity, TaskSeverity.HIGH),
            )
            made += 1
    return made


@transaction.atomic
def tasks_close_for(*, dedupe_key_prefix: str, reason: str, by=None) -> int:
    """Close the open tasks of a cause that has been dealt with (an alert resolved, a plan revised).

    The person who dealt with it need not be the assignee: the work is done, so the task goes,
    and so do the escalations made from it.
    """
    if not dedupe_key_prefix or not reason.strip():
        raise ValueError("Name the tasks (a key prefix) and why they close.")
    open_tasks = StaffTask.objects.filter(dedupe_key__startswith=dedupe_key_prefix).exclude(status=TaskStatus.DONE)
    escalations = StaffTask.objects.filter(escalated_from__in=open_tasks.values("pk")).exclude(status=TaskStatus.DONE)
    now = timezone.now()
    changes = {"status": TaskStatus.DONE, "done_at": now, "done_by": by, "done_reason": reason.strip()[:300]}
    # Escalations first: once their source is done, the subquery above would no longer find them.
    closed = records_update_with_history(records=escalations, by=by, **changes)
    return len(closed) + len(records_update_with_history(records=open_tasks, by=by, **changes))


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
    _refuse_snoozing_overdue_safety([task])
    task.status = TaskStatus.SNOOZED
    task.snoozed_until = until
    task.snooze_reason = reason.strip()
    task.full_clean(exclude=["assignee", "patient", "escalated_from", "done_by"], validate_unique=False)
    task.save()
    return task


def _refuse_snoozing_overdue_safety(tasks: list[StaffTask]) -> None:
    # The escalation sweep ignores snoozes (tasks_escalate_due skips only done tasks) and the work
    # list shows an overdue safety task even while snoozed; refusing says so instead of pretending.
    now = timezone.now()
    overdue = [task for task in tasks if task.kind in SAFETY_TASK_KINDS and task.due_at < now]
    if overdue:
        kinds = sorted({task.get_kind_display() for task in overdue})
        raise ValidationError(
            f"{len(overdue)} overdue safety task(s) ({', '.join(kinds)}) cannot be snoozed: do the assessment, "
            "or mark it done saying what was done. Its escalation stands."
        )


def _lock_tasks_to_act_on(*, task_ids: Iterable[int], by) -> tuple[list[StaffTask], int]:
    """Lock the chosen tasks; refuse the lot if one is not the user's or their supervisees'.

    Returns the tasks still to act on and how many were already done (by someone else meanwhile).
    """
    task_ids = set(task_ids)
    if not task_ids:
        raise ValidationError("Choose at least one task.")
    tasks = list(
        StaffTask.objects.select_for_update(of=("self",))
        .filter(pk__in=task_ids)
        .select_related("assignee")
        .order_by("pk")
    )
    refused = [task for task in tasks if not _may_act(task, by)]
    if refused or len(tasks) != len(task_ids):
        raise ValidationError("Only your own tasks and your team's can be closed or snoozed; nothing was changed.")
    still_to_do = [task for task in tasks if task.status != TaskStatus.DONE]
    return still_to_do, len(tasks) - len(still_to_do)


def _may_act(task: StaffTask, by) -> bool:
    return by.pk == task.assignee_id or by.is_superuser or task.assignee.supervisor_id == by.pk


@transaction.atomic
def tasks_complete(*, task_ids: Iterable[int], by, reason: str) -> tuple[list[StaffTask], int]:
    """Mark many tasks done with one reason; each task's history names who and why.

    A constant number of statements (lock, update, history) whatever the number of tasks. The reason
    must say something (``iop.text.says_something``). Returns the tasks closed and how many of the
    chosen ones were already done.
    """
    reason = (reason or "").strip()
    if not says_something(reason):
        raise ValidationError({"reason": REASON_SAYS_NOTHING})
    tasks, already_done = _lock_tasks_to_act_on(task_ids=task_ids, by=by)
    closed = records_update_with_history(
        records=tasks,
        by=by,
        reason=f"Done: {reason}",
        status=TaskStatus.DONE,
        done_at=timezone.now(),
        done_by=by,
        done_reason=reason[:300],
    )
    return closed, already_done


@transaction.atomic
def tasks_snooze(*, task_ids: Iterable[int], by, until: datetime, reason: str) -> tuple[list[StaffTask], int]:
    """Snooze many tasks until a moment, with one reason; they come back on the list when it passes.

    The escalation time is left as it is: a snooze defers the task on its owner's list, never the
    escalation (see ``SAFETY_TASK_KINDS``); an overdue safety task is refused outright.
    """
    reason = (reason or "").strip()
    now = timezone.now()
    errors = {}
    if until is None or until <= now:
        errors["until"] = "Snooze until a time in the future."
    elif until > now + LONGEST_SNOOZE:
        errors["until"] = f"Snooze for at most {LONGEST_SNOOZE.days} days; close the task if it is no longer needed."
    if not says_something(reason):
        errors["reason"] = REASON_SAYS_NOTHING
    if errors:
        raise ValidationError(errors)
    tasks, already_done = _lock_tasks_to_act_on(task_ids=task_ids, by=by)
    _refuse_snoozing_overdue_safety(tasks)
    snoozed = records_update_with_history(
        records=tasks,
        by=by,
        reason=f"Snoozed: {reason}",
        status=TaskStatus.SNOOZED,
        snoozed_until=until,
        snooze_reason=reason[:300],
    )
    return snoozed, already_done
