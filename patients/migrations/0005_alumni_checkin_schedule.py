"""The daily run that puts alumni check-ins on the clinicians' work lists (editable in the admin)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

CHECKIN_TASK_NAME = "Alumni check-ins due today"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=CHECKIN_TASK_NAME,
        defaults={
            "task": "patients.tasks_aftercare.alumni_checkins_make_due",
            "crontab": every_morning,
            "enabled": True,
            "description": "A task per check-in due (7/30/60/90/180 days after discharge); a second run adds nothing.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=CHECKIN_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0004_discharge_aftercare"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
