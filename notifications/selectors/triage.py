"""The work list as a screen to triage: tasks grouped by kind or by patient, repeats collapsed, in bounded pages."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from patients.selectors import visible_patient_ids

from ..constants import TaskKind, TaskStatus
from ..models import SAFETY_TASK_KINDS, StaffTask
from .work_list import end_of_today

SCOPES = ("mine", "team")
GROUPINGS = ("kind", "patient")
ROWS_PER_PAGE = 50
# A collapsed row lists at most this many of its tasks when expanded (the count says how many there are).
MEMBERS_SHOWN = 20


def _listed(now: datetime) -> Q:
    """What a work list shows: open tasks, snoozes that have run out, and any overdue safety task.

    A snooze hides a task from its list until a time, but an overdue safety task (suicide risk,
    withdrawal, medical evaluation, overdose risk) is shown even while snoozed: a snooze must not
    take it out of the assignee's or the supervisor's sight (it cannot move its escalation either).
    """
    overdue_safety = Q(status=TaskStatus.SNOOZED, kind__in=SAFETY_TASK_KINDS, due_at__lt=now)
    return Q(status=TaskStatus.OPEN) | Q(status=TaskStatus.SNOOZED, snoozed_until__lte=now) | overdue_safety


def scope_tasks(user, scope: str, *, now: datetime | None = None) -> QuerySet[StaffTask]:
    """The tasks due today or overdue on this user's own list ("mine") or their supervisees' ("team")."""
    now = now or timezone.now()
    tasks = StaffTask.objects.filter(_listed(now), due_at__lt=end_of_today())
    return tasks.filter(assignee=user) if scope == "mine" else tasks.filter(assignee__supervisor=user)


def scope_counts(user, *, now: datetime | None = None) -> dict[str, int]:
    """How many tasks each tab holds (one query)."""
    now = now or timezone.now()
    return StaffTask.objects.filter(_listed(now), due_at__lt=end_of_today()).aggregate(
        mine=Count("id", filter=Q(assignee=user)), team=Count("id", filter=Q(assignee__supervisor=user))
    )


@dataclass
class TriageRow:
    """Tasks of one assignee for one patient and cause, collapsed; a task without a patient is a row alone."""

    group: str | int | None
    count: int
    severity: int
    due_at: datetime
    member_ids: list[int]
    group_tasks: int
    group_rows: int
    members: list[StaffTask] = field(default_factory=list)

    @property
    def task(self) -> StaffTask:
        """The row's most urgent task, which stands for it."""
        return self.members[0]

    @property
    def is_collapsed(self) -> bool:
        return self.count > 1

    @property
    def hidden_members(self) -> int:
        return self.count - len(self.members)


@dataclass
class TriageGroup:
    key: str | int | None
    label: str
    tasks: int
    rows: int
    patient_visible: bool = False
    items: list[TriageRow] = field(default_factory=list)


@dataclass
class TriagePage:
    scope: str
    grouping: str
    number: int
    has_next: bool
    groups: list[TriageGroup]
    seen_at: datetime

    @property
    def is_team(self) -> bool:
        return self.scope == "team"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def row_count(self) -> int:
        return sum(len(group.items) for group in self.groups)


def _triage_sql(tasks: QuerySet[StaffTask], grouping: str, *, offset: int, limit: int) -> tuple[str, list]:
    base_sql, base_params = tasks.values(
        "id", "assignee_id", "kind", "patient_id", "severity", "due_at"
    ).query.sql_with_params()
    group = "kind" if grouping == "kind" else "patient_id"
    # One statement whatever the number of tasks: rows are collapsed (GROUP BY), each group's totals and
    # its most urgent task come from window functions, and the page is a slice of the ordered rows.
    sql = f"""
        WITH listed AS ({base_sql}),
        collapsed AS (
            SELECT {group} AS grp, COUNT(*) AS n, MIN(severity) AS sev, MIN(due_at) AS due, MIN(id) AS first_id,
                   (ARRAY_AGG(id ORDER BY severity, due_at, id))[1:%s] AS ids
            FROM listed
            GROUP BY assignee_id, kind, COALESCE(patient_id, -id), {group}
        ),
        ranked AS (
            SELECT collapsed.*,
                   MIN(sev) OVER w AS group_sev, MIN(due) OVER w AS group_due,
                   SUM(n) OVER w AS group_tasks, COUNT(*) OVER w AS group_rows
            FROM collapsed WINDOW w AS (PARTITION BY grp)
        )
        SELECT grp, n, sev, due, ids, group_tasks, group_rows FROM ranked
        ORDER BY group_sev, group_due, grp NULLS LAST, sev, due, first_id
        LIMIT %s OFFSET %s
    """  # noqa: S608 (only the grouping column, one of two names, is formatted in)
    return sql, [*base_params, MEMBERS_SHOWN, limit, offset]


def triage_page(user, *, scope: str, grouping: str, page: int = 1, now: datetime | None = None) -> TriagePage:
    """One page of the work list grouped by kind or by patient: three queries, whatever the number of tasks.

    Groups come most urgent first (by their most urgent task: severity, then due time), and rows
    inside a group the same way. Patient names are shown only where the access rule allows.
    """
    now = now or timezone.now()
    tasks = scope_tasks(user, scope, now=now)
    sql, params = _triage_sql(tasks, grouping, offset=(page - 1) * ROWS_PER_PAGE, limit=ROWS_PER_PAGE + 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        records = cursor.fetchall()
    has_next = len(records) > ROWS_PER_PAGE
    rows = [
        TriageRow(
            group=grp, count=n, severity=sev, due_at=due, member_ids=list(ids), group_tasks=int(gt), group_rows=gr
        )
        for grp, n, sev, due, ids, gt, gr in records[:ROWS_PER_PAGE]
    ]
    member_ids = [pk for row in rows for pk in row.member_ids]
    members = (
        StaffTask.objects.filter(pk__in=member_ids).select_related("patient", "assignee").in_bulk()
        if member_ids
        else {}
    )
    visible = visible_patient_ids(user, {task.patient_id for task in members.values() if task.patient_id})
    for task in members.values():
        task.patient_visible = task.patient_id in visible
    groups: list[TriageGroup] = []
    for row in rows:
        row.members = [members[pk] for pk in row.member_ids if pk in members]
        if not row.members:
            continue
        if not groups or groups[-1].key != row.group:
            groups.append(_group_for(row, grouping))
        groups[-1].items.append(row)
    return TriagePage(scope=scope, grouping=grouping, number=page, has_next=has_next, groups=groups, seen_at=now)


def _group_for(row: TriageRow, grouping: str) -> TriageGroup:
    task = row.task
    if grouping == "kind":
        label = TaskKind(row.group).label if row.group in TaskKind.values else str(row.group)
        return TriageGroup(key=row.group, label=label, tasks=row.group_tasks, rows=row.group_rows)
    if row.group is None:
        label = "Not about a patient"
    elif task.patient_visible:
        label = task.patient.display_name
    else:
        label = "A patient outside your caseload"
    return TriageGroup(
        key=row.group, label=label, tasks=row.group_tasks, rows=row.group_rows, patient_visible=task.patient_visible
    )


def tasks_of_rows(user, row_task_ids: list[int], *, seen_at: datetime | None = None) -> list[int]:
    """The ids of every task a chosen row stands for: its repeats (same assignee, patient and cause) still listed.

    Only tasks this user may act on, and only those that existed when the page was shown
    (``seen_at``): a repeat that arrived since was not seen, so it is not acted on.
    """
    if not row_task_ids:
        return []
    now = timezone.now()
    chosen = StaffTask.objects.filter(
        pk__in=row_task_ids,
        patient__isnull=False,
        assignee_id=OuterRef("assignee_id"),
        kind=OuterRef("kind"),
        patient_id=OuterRef("patient_id"),
    )
    tasks = StaffTask.objects.filter(Q(pk__in=row_task_ids) | (Exists(chosen) & _listed(now)))
    if seen_at is not None:
        tasks = tasks.filter(Q(pk__in=row_task_ids) | Q(created_at__lte=seen_at))
    if not user.is_superuser:
        tasks = tasks.filter(Q(assignee=user) | Q(assignee__supervisor=user))
    return list(tasks.order_by("pk").values_list("pk", flat=True))
