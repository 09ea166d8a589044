"""Tasks on a person's work list (and their team's), with whether each task's patient is visible to them."""

from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from patients.selectors import patients_visible_to, visible_patient_ids

from ..models import StaffTask


def end_of_today() -> datetime:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def _with_patient_visibility(tasks: QuerySet[StaffTask], user) -> QuerySet[StaffTask]:
    # A task may name a patient the viewer cannot see (a supervisee's patient outside the
    # supervisor's caseload): the template shows the patient only when this flag is set.
    return tasks.annotate(patient_visible=Exists(patients_visible_to(user).filter(pk=OuterRef("patient_id"))))


def _mark_patient_visibility(tasks: list[StaffTask], user) -> list[StaffTask]:
    """The same flag as _with_patient_visibility, for a page of tasks: the access rule is asked
    about these tasks' few patients (one query) instead of probing the caseload per task."""
    named = {task.patient_id for task in tasks if task.patient_id}
    visible = visible_patient_ids(user, named)
    for task in tasks:
        task.patient_visible = task.patient_id in visible
    return tasks


# Most urgent first (critical, high, normal), then the earliest due.
WORK_LIST_ORDER = ("severity", "due_at", "id")


def work_list_tasks(user, *, limit: int = 50) -> list[StaffTask]:
    """This staff member's open tasks due today or overdue, most urgent first (two queries)."""
    tasks = StaffTask.objects.actionable().filter(assignee=user, due_at__lt=end_of_today())
    return _mark_patient_visibility(list(tasks.select_related("patient").order_by(*WORK_LIST_ORDER)[:limit]), user)


def team_tasks(user, *, limit: int = 50) -> list[StaffTask]:
    """The open tasks due today or overdue of the staff this user supervises, most urgent first (two queries)."""
    tasks = StaffTask.objects.actionable().filter(assignee__supervisor=user, due_at__lt=end_of_today())
    return _mark_patient_visibility(
        list(tasks.select_related("patient", "assignee").order_by(*WORK_LIST_ORDER)[:limit]), user
    )


def tasks_user_may_act_on(user) -> QuerySet[StaffTask]:
    """Tasks this user may close or snooze: their own and their supervisees', with patient visibility."""
    tasks = StaffTask.objects.all()
    if not user.is_superuser:
        tasks = tasks.filter(Q(assignee=user) | Q(assignee__supervisor=user))
    return _with_patient_visibility(tasks, user).select_related("patient", "assignee")
