"""Beat polls the password-reset outbox every 30 seconds (a django-celery-beat row admins can edit)."""

from django.db import migrations
from django.utils import timezone

SEND_TASK_NAME = "Send password-reset mail"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_30_seconds, _ = IntervalSchedule.objects.get_or_create(every=30, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=SEND_TASK_NAME,
        defaults={
            "task": "accounts.tasks.send_password_reset_mails",
            "interval": every_30_seconds,
            "enabled": True,
            # A poll nobody ran within 25 s is dropped: the next one covers it.
            "expire_seconds": 25,
            "description": "Looks up the addresses typed on the password-reset page and sends the links; "
            "see accounts/password_reset.py.",
        },
    )
    # Tell a running beat (DatabaseScheduler) that the schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SEND_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_mfa_enrolment_codes_password_reset_mails"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
