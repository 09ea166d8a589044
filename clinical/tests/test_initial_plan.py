"""An episode without a signed treatment plan N days after admission reaches the clinician, then the supervisor."""

import datetime as dt

import pytest
from django.utils import timezone

from clinical.models import ProgramDocumentationPolicy
from clinical.services import plan_sign
from clinical.services.work_list import initial_plan_tasks
from clinical.tests.factories import complete_plan
from notifications.constants import TaskKind, TaskStatus
from notifications.models import StaffTask
from notifications.services import tasks_escalate_due
from patients.tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

ADMITTED = dt.date(2026, 3, 2)


@pytest.fixture
def admitted(program, counselor):
    return EpisodeFactory(program=program, primary_clinician=counselor, admitted_on=ADMITTED)


def test_day_6_makes_nothing_day_7_makes_the_task_due_that_day(admitted, counselor):
    assert initial_plan_tasks(today=ADMITTED + dt.timedelta(days=6)) == 0
    assert not StaffTask.objects.exists()
    assert initial_plan_tasks(today=ADMITTED + dt.timedelta(days=7)) == 1
    task = StaffTask.objects.get()
    assert (task.kind, task.assignee) == (TaskKind.INITIAL_PLAN, counselor)
    assert timezone.localdate(task.due_at) == ADMITTED + dt.timedelta(days=7)
    # The daily run repeats: nothing twice.
    initial_plan_tasks(today=ADMITTED + dt.timedelta(days=8))
    assert StaffTask.objects.count() == 1


def test_the_supervisor_hears_of_it_at_day_10(admitted, supervisor):
    initial_plan_tasks(today=ADMITTED + dt.timedelta(days=7))
    task = StaffTask.objects.get()
    assert timezone.localdate(task.escalate_at) == ADMITTED + dt.timedelta(days=10)
    assert tasks_escalate_due(now=task.escalate_at - dt.timedelta(minutes=1)) == 0
    assert tasks_escalate_due(now=task.escalate_at) == 1
    assert StaffTask.objects.get(kind=TaskKind.ESCALATION).assignee == supervisor


def test_the_program_sets_the_number_of_days(admitted, program):
    ProgramDocumentationPolicy.objects.create(program=program, initial_plan_days=3)
    assert initial_plan_tasks(today=ADMITTED + dt.timedelta(days=2)) == 0
    assert initial_plan_tasks(today=ADMITTED + dt.timedelta(days=3)) == 1


def test_a_signed_plan_means_no_task_and_signing_closes_an_open_one(admitted, counselor):
    plan = complete_plan(admitted)
    initial_plan_tasks(today=ADMITTED + dt.timedelta(days=7))
    plan_sign(plan=plan, by=counselor)
    assert StaffTask.objects.get().status == TaskStatus.DONE
    StaffTask.objects.all().delete()
    assert initial_plan_tasks(today=ADMITTED + dt.timedelta(days=8)) == 0
