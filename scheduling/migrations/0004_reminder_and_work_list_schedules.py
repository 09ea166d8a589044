"""Periodic runs of scheduling/reminders.py as django-celery-beat rows, editable by admins in the admin.

Session reminders every 15 minutes; the hours-shortfall check on Thursday mornings (the
weekday is the crontab's day_of_week: change it there); the work-list run every morning.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

REMINDERS_TASK_NAME = "Plan session reminders for the next 48 hours"
SHORTFALL_TASK_NAME = "Weekly hours shortfall check"
WORK_LIST_TASK_NAME = "Daily work-list tasks (authorizations, plan reviews, notes, drug tests, instruments)"


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_15_minutes, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    thursday_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="8", day_of_week="4", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    every_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=REMINDERS_TASK_NAME,
        defaults={
            "task": "scheduling.tasks_reminders.plan_session_reminders",
            "interval": every_15_minutes,
            "enabled": True,
            # A run nobody picked up within 10 minutes is dropped: the next one covers the same window.
            "expire_seconds": 600,
            "description": "Reminders at settings.REMINDER_LEAD_TIMES; dedupe keys make repeats harmless.",
        },
    )
    PeriodicTask.objects.update_or_create(
        name=SHORTFALL_TASK_NAME,
        defaults={
            "task": "scheduling.tasks_reminders.hours_shortfall_check",
            "crontab": thursday_morning,
            "enabled": True,
            "description": "Patients projected below the weekly minimum get a task for their clinician.",
        },
    )
    PeriodicTask.objects.update_or_create(
        name=WORK_LIST_TASK_NAME,
        defaults={
            "task": "scheduling.tasks_reminders.work_list_daily",
            "crontab": every_morning,
            "enabled": True,
            "description": "One task per item and due date; a second run adds nothing.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[REMINDERS_TASK_NAME, SHORTFALL_TASK_NAME, WORK_LIST_TASK_NAME]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_generate_occurrences_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
