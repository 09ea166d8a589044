"""Standard analytes and panels, and the daily random-draw schedule as a django-celery-beat row.

Both are data admins edit afterwards (cutoffs, panels, the time of the draw); this only
gives a new clinic a working start.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from testing.constants import STANDARD_ANALYTES

RANDOM_DRAW_TASK_NAME = "Draw today's random drug tests"

URINE_CUP = [
    "amphetamines", "methamphetamine", "mdma", "cocaine", "opiates", "oxycodone",
    "fentanyl", "buprenorphine", "methadone", "benzodiazepines", "thc", "pcp",
]  # fmt: skip
ORAL_FLUID = [
    "amphetamines", "methamphetamine", "cocaine", "opiates", "oxycodone",
    "buprenorphine", "methadone", "benzodiazepines", "thc", "pcp",
]  # fmt: skip
PANELS = [
    ("Urine 12-panel cup", "urine", "poc", URINE_CUP),
    ("Breath alcohol", "breath", "poc", ["breath_alcohol"]),
    ("Oral fluid 10-panel", "oral_fluid", "poc", ORAL_FLUID),
    (
        "Urine lab panel (LC-MS/MS)",
        "urine",
        "lab",
        [a.code for a in STANDARD_ANALYTES if a.code != "breath_alcohol"],
    ),
]


def seed(apps, schema_editor):
    Analyte = apps.get_model("patients", "Analyte")
    Panel = apps.get_model("patients", "Panel")
    PanelAnalyte = apps.get_model("patients", "PanelAnalyte")
    for order, standard in enumerate(STANDARD_ANALYTES, start=1):
        Analyte.objects.get_or_create(
            code=standard.code,
            defaults={
                "name": standard.name,
                "default_cutoff": standard.cutoff,
                "unit": standard.unit,
                "display_order": order * 10,
            },
        )
    analytes = {analyte.code: analyte for analyte in Analyte.objects.all()}
    for name, specimen, method, codes in PANELS:
        panel, created = Panel.objects.get_or_create(name=name, defaults={"specimen": specimen, "method": method})
        if created:
            PanelAnalyte.objects.bulk_create(PanelAnalyte(panel=panel, analyte=analytes[code]) for code in codes)

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    # Early morning in the clinic's time zone, before anyone arrives: the draw is ready for
    # the day's first group and was made after the last patient left the day before.
    early_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="5", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.update_or_create(
        name=RANDOM_DRAW_TASK_NAME,
        defaults={
            "task": "patients.tasks.draw_random_tests",
            "crontab": early_morning,
            "enabled": True,
            # A draw that waited 12 hours is still today's; the task is idempotent per program and day.
            "expire_seconds": 12 * 3600,
            "description": "Random drug-test draw per program; see patients/random_testing.py.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=RANDOM_DRAW_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_medications_drug_tests"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
