"""Beat runs the access-log sequencer every 5 seconds and writes a signed checkpoint every 5 minutes.

The intervals are audit.constants.CHAIN_EVERY_SECONDS and CHECKPOINT_EVERY_SECONDS (a test
holds them equal); audit_verify's allowances (AUDIT_CHAIN_MAX_DELAY_SECONDS,
AUDIT_CHECKPOINT_MAX_AGE_SECONDS) assume them.
"""

from django.db import migrations
from django.utils import timezone

CHAIN_TASK_NAME = "Chain the access log"
CHECKPOINT_TASK_NAME = "Checkpoint the access log"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_5_seconds, _ = IntervalSchedule.objects.get_or_create(every=5, period="seconds")
    every_5_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=CHAIN_TASK_NAME,
        defaults={
            "task": "audit.tasks.access_log_chain",
            "interval": every_5_seconds,
            "enabled": True,
            # A run still queued when the next is due is dropped: the next one chains the same rows.
            "expire_seconds": 4,
            "description": "Chains the access-log rows committed since the last run (audit/services.py).",
        },
    )
    PeriodicTask.objects.update_or_create(
        name=CHECKPOINT_TASK_NAME,
        defaults={
            "task": "audit.tasks.access_log_checkpoint",
            "interval": every_5_minutes,
            "enabled": True,
            "expire_seconds": 240,
            "description": "Signs the access-log chain's head into the log stream and AUDIT_CHECKPOINT_FILE; "
            "audit_verify fails when the newest checkpoint is older than AUDIT_CHECKPOINT_MAX_AGE_SECONDS.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[CHAIN_TASK_NAME, CHECKPOINT_TASK_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_chain_after_commit"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
