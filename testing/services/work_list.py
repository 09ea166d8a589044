"""Work-list tasks of testing: results pending too long and repeat instruments due."""

import datetime as dt

from django.utils import timezone

from notifications.constants import TaskKind
from notifications.services import (
    end_of_day,
    task_create,
)
from patients.selectors import active_episodes_by_patient
from programs.models import Program

from ..constants import PENDING_RESULT_STATUSES
from ..models import DrugTest
from ..selectors.measurement import instruments_due

# A collected specimen still without a result after this long is chased (lab LC-MS/MS
# confirmation usually takes 2–5 days).
DRUG_TEST_PENDING_DAYS = 5


def drug_test_pending_tasks(*, now: dt.datetime | None = None) -> int:
    """Specimens collected more than DRUG_TEST_PENDING_DAYS ago and still without a result."""
    now = now or timezone.now()
    tests = list(
        DrugTest.objects.valid().filter(
            status__in=PENDING_RESULT_STATUSES, collected_at__lt=now - dt.timedelta(days=DRUG_TEST_PENDING_DAYS)
        )
    )
    episodes = active_episodes_by_patient({test.patient_id for test in tests})
    count = 0
    for test in tests:
        episode = episodes.get(test.patient_id)
        if episode is None:
            continue
        task_create(
            assignee=episode.primary_clinician,
            kind=TaskKind.DRUG_TEST_PENDING,
            title=(
                f"Drug test result pending since {timezone.localtime(test.collected_at):%b %d}: "
                f"{episode.patient.display_name}"
            ),
            due_at=end_of_day(timezone.localdate(now)),
            dedupe_key=f"drug-test-pending:{test.pk}",
            patient=episode.patient,
        )
        count += 1
    return count


def instrument_due_tasks(*, today: dt.date | None = None) -> int:
    """Repeat instruments (PHQ-9, GAD-7, BAM) due by the program's cadence: a task for the clinician."""
    today = today or timezone.localdate()
    count = 0
    for program in Program.objects.filter(is_active=True):
        due = instruments_due(program=program, on=today)
        if not due:
            continue
        episodes = active_episodes_by_patient(list(due))
        for patient_id, rows in due.items():
            episode = episodes.get(patient_id)
            if episode is None:
                continue
            for row in rows:
                if not row.is_due:
                    continue
                task_create(
                    assignee=episode.primary_clinician,
                    kind=TaskKind.INSTRUMENT_DUE,
                    title=f"{row.title} due {row.due_on:%b %d}: {episode.patient.display_name}",
                    due_at=end_of_day(max(row.due_on, today)),
                    dedupe_key=f"instrument-due:{patient_id}:{row.instrument}:{row.due_on:%Y-%m-%d}",
                    patient=episode.patient,
                )
                count += 1
    return count
