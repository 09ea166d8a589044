import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from iop.celery import app
from notifications.tasks import deliver_due_messages

pytestmark = pytest.mark.django_db

schedule_migration = importlib.import_module("notifications.migrations.0002_beat_schedule")


def test_the_migration_schedules_delivery_every_30_seconds_and_is_idempotent():
    # Run it again: a second run must not duplicate the row (and restores it after a flushing test).
    schedule_migration.create_schedule(apps, None)
    task = PeriodicTask.objects.get(task="notifications.tasks.deliver_due_messages")
    assert task.enabled and task.interval.every == 30 and task.interval.period == "seconds"
    assert task.expire_seconds and task.expire_seconds < 30
    assert PeriodicTask.objects.filter(task=task.task).count() == 1


def test_the_scheduled_name_is_a_registered_task():
    app.loader.import_default_modules()
    assert deliver_due_messages.name in app.tasks


def test_every_scheduled_task_is_a_registered_task():
    # A task moved to another module keeps its schedule only if beat's row follows it.
    app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert scheduled, "the migrations schedule the periodic tasks"
    assert scheduled <= set(app.tasks), sorted(scheduled - set(app.tasks))
    assert {
        "notifications.tasks.deliver_due_messages",
        "notifications.tasks.work_list_daily",
        "scheduling.tasks.plan_session_reminders",
        "scheduling.tasks.hours_shortfall_check",
        "scheduling.tasks.generate_occurrences_ahead",
        "testing.tasks.draw_random_tests",
        "aftercare.tasks.alumni_checkins_make_due",
    } <= scheduled
