"""The schedule's periodic tasks now live in scheduling/tasks.py, and the daily work-list run in
notifications/tasks.py (each app registers its own follow-up there); beat's rows follow."""

from django.db import migrations

from iop.migration_operations import RenamePeriodicTasks


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0006_program_moves_to_programs_app"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        RenamePeriodicTasks(
            {
                "scheduling.tasks_reminders.plan_session_reminders": "scheduling.tasks.plan_session_reminders",
                "scheduling.tasks_reminders.hours_shortfall_check": "scheduling.tasks.hours_shortfall_check",
                "scheduling.tasks_reminders.work_list_daily": "notifications.tasks.work_list_daily",
            }
        ),
    ]
