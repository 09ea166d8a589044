"""Staff tasks on the work list: created once per cause (dedupe key), done or snoozed with a reason."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient

from ..constants import (
    TaskKind,
    TaskStatus,
)
from ..models import StaffTask


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
) -> StaffTask:
    """Put a task on a work list; the same dedupe key returns the existing task instead of a second one."""
    if kind not in TaskKind.values:
        raise ValidationError({"kind": f"Unknown task kind {kind!r}."})
    task = StaffTask(
        assignee=assignee,
        kind=kind,
        title=title.strip(),
        due_at=due_at,
        dedupe_key=dedupe_key,
        patient=patient,
        escalated_from=escalated_from,
    )
    task.full_clean(exclude=["assignee", "patient", "escalated_from"], validate_unique=False)
    fields = {f.attname: getattr(task, f.attname) for f in StaffTask._meta.concrete_fields if not f.primary_key}
    task, _ = StaffTask.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    return task


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
    task.status = TaskStatus.SNOOZED
    task.snoozed_until = until
    task.snooze_reason = reason.strip()
    task.full_clean(exclude=["assignee", "patient", "escalated_from", "done_by"], validate_unique=False)
    task.save()
    return task
