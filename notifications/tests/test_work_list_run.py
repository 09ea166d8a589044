"""The daily work-list run: every app's follow-up producers, each in its own transaction."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.services import work_list
from notifications.services.work_list import DAILY_PRODUCERS, end_of_day, work_list_run

pytestmark = pytest.mark.django_db


def test_every_app_registers_its_daily_follow_up():
    assert set(DAILY_PRODUCERS) == {
        "authorizations",  # patients
        "plan_reviews",  # clinical
        "unsigned_notes",  # clinical
        "initial_plans",  # clinical
        "drug_tests_pending",  # testing
        "instruments_due",  # testing
    }


def test_the_run_passes_the_day_and_time_and_reports_each_count(monkeypatch):
    seen = {}
    monkeypatch.setattr(
        work_list,
        "DAILY_PRODUCERS",
        {"one": lambda today, now: seen.setdefault("one", (today, now)) and 2, "two": lambda today, now: 0},
    )
    now = timezone.make_aware(dt.datetime(2026, 3, 2, 6, 0))
    assert work_list_run(now=now) == {"one": 2, "two": 0}
    assert seen["one"] == (dt.date(2026, 3, 2), now)


def test_a_failing_producer_keeps_the_tasks_the_others_made(monkeypatch):
    from notifications.models import StaffTask
    from notifications.tests.factories import StaffTaskFactory

    def makes_one(today, now):
        StaffTaskFactory()
        return 1

    def fails(today, now):
        StaffTaskFactory()
        raise RuntimeError("a producer's bug")

    monkeypatch.setattr(work_list, "DAILY_PRODUCERS", {"a_makes_one": makes_one, "b_fails": fails})
    with pytest.raises(RuntimeError):
        work_list_run()
    assert StaffTask.objects.count() == 1  # b's half-made task rolled back with its transaction


def test_end_of_day_is_2359_clinic_time():
    due = end_of_day(dt.date(2026, 3, 2))
    assert timezone.localtime(due).time() == dt.time(23, 59)
    assert timezone.localdate(due) == dt.date(2026, 3, 2)
