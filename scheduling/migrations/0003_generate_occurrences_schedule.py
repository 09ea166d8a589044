"""The nightly run that keeps every group's occurrences generated 8 weeks ahead (editable in the admin)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

GENERATE_TASK_NAME = "Generate group occurrences 8 weeks ahead"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=GENERATE_TASK_NAME,
        defaults={
            "task": "scheduling.tasks.generate_occurrences_ahead",
            "crontab": nightly,
            "enabled": True,
            "description": "Creates missing occurrences; a second run creates nothing (unique group + start).",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=GENERATE_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0002_groups_sessions_attendance"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
