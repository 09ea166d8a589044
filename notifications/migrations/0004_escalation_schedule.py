"""The escalation sweep runs every 5 minutes: a safety task not done in time reaches the supervisor promptly."""

from django.db import migrations
from django.utils import timezone

ESCALATE_TASK_NAME = "Escalate overdue follow-up tasks"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_5_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=ESCALATE_TASK_NAME,
        defaults={
            "task": "notifications.tasks.escalate_overdue_tasks",
            "interval": every_5_minutes,
            "enabled": True,
            # A sweep nobody ran within 4 minutes is dropped: the next one covers it.
            "expire_seconds": 240,
            "description": "Tasks not done by their escalation time go to the supervisor or director; "
            "see notifications/services/tasks.py.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=ESCALATE_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_follow_up_of_findings"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
