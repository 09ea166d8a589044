"""The periodic schedule of the outbox, as django-celery-beat rows that admins can edit in the admin.

More schedules are added the same way: one IntervalSchedule/CrontabSchedule and one PeriodicTask each.
"""

from django.db import migrations
from django.utils import timezone

DELIVER_TASK_NAME = "Deliver due messages to patients"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_30_seconds, _ = IntervalSchedule.objects.get_or_create(every=30, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=DELIVER_TASK_NAME,
        defaults={
            "task": "notifications.tasks.deliver_due_messages",
            "interval": every_30_seconds,
            "enabled": True,
            # A poll nobody ran within 25 s is dropped, not queued: the next poll covers it,
            # so a backlog of identical polls never builds up in the broker while workers are down.
            "expire_seconds": 25,
            "description": "Polls the outbox for due messages; see notifications/delivery.py.",
        },
    )
    # Tell a running beat (DatabaseScheduler) that the schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=DELIVER_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
