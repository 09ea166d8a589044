"""The one writer of the outcome facts: recompute exactly what a change touched, from the chart itself.

Each ``*_compute`` function (``episode_facts``, ``activity_facts``) counts from the raw tables for a
few episodes, weeks, tests or intakes; each ``*_refresh`` writes what it computed over what was
there (an upsert and a delete, so a correction or an "entered in error" takes its row out). The
writing services call them through ``iop.hooks.records_changed`` in their own transaction
(``CHANGE_HANDLERS`` below, registered in ``OutcomesConfig.ready``). ``facts_rebuild`` recounts
everything in batches (``manage.py outcomes_rebuild``), and ``facts_recount`` returns what a
from-scratch count gives, for the test that holds the tables equal to it.
"""

from collections.abc import Iterable

from django.db import transaction

from aftercare.models import Discharge
from patients.models import Episode, Intake
from scheduling.models import Session

from ..models import AttendanceWeekFact, DrugTestFact, EpisodeFact, IntakeFact, OutcomeMeasures
from .activity_facts import (
    INTAKE_FACT_COLUMNS,
    TEST_FACT_COLUMNS,
    WEEK_FACT_COLUMNS,
    attendance_weeks_compute,
    attendance_weeks_refresh,
    drug_test_facts_compute,
    drug_test_facts_refresh,
    intake_facts_compute,
    intake_facts_refresh,
    week_fact,
)
from .episode_facts import EPISODE_FACT_COLUMNS, episode_fact, episode_facts_compute, episode_facts_refresh

BATCH = 1000


def _batches(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


# --- what each change touches ----------------------------------------------------------------------


def episode_everything_refresh(episode_ids: Iterable[int]) -> None:
    """An episode itself changed (admitted, its dates or program, entered in error): all it feeds."""
    ids = set(episode_ids)
    episode_facts_refresh(ids)
    attendance_weeks_refresh(episode_ids=ids)
    drug_test_facts_refresh(episode_ids=ids)
    intake_facts_refresh(Episode.objects.filter(pk__in=ids, intake__isnull=False).values_list("intake_id", flat=True))


def _on_episodes(records) -> None:
    episode_everything_refresh(record.pk for record in records)


def _on_episode_parts(records) -> None:
    """A level-of-care change, discharge or outcome measures: the episode's own facts."""
    episode_facts_refresh(record.episode_id for record in records)


def _on_episode_parts_and_weeks(records) -> None:
    """A level-of-care change: the episode's facts, and its weeks (held to the new level's band from then)."""
    episodes = {record.episode_id for record in records}
    episode_facts_refresh(episodes)
    attendance_weeks_refresh(episode_ids=episodes)


def _on_intakes(records) -> None:
    intake_facts_refresh(record.pk for record in records)
    episode_facts_refresh(
        Episode.objects.filter(intake__in=[record.pk for record in records]).values_list("pk", flat=True)
    )


def _on_instruments(records) -> None:
    patients = {record.patient_id for record in records}
    episode_facts_refresh(Episode.objects.filter(patient_id__in=patients).values_list("pk", flat=True))


def _on_attendance(records) -> None:
    # The sessions' weeks in one query: rows read back for an update do not carry their session.
    weeks = dict(
        Session.objects.filter(pk__in={record.session_id for record in records}).values_list("pk", "week_start")
    )
    attendance_weeks_refresh({(record.episode_id, weeks[record.session_id]) for record in records})


def _on_drug_tests(records) -> None:
    drug_test_facts_refresh(test_ids=[record.pk for record in records])


def _on_result_sets(records) -> None:
    drug_test_facts_refresh(test_ids=[record.drug_test_id for record in records])


def _on_analyte_results(records) -> None:
    from testing.models import DrugTestResultSet

    sets = [record.result_set_id for record in records]
    drug_test_facts_refresh(
        test_ids=DrugTestResultSet.objects.filter(pk__in=sets).values_list("drug_test_id", flat=True)
    )


def _on_checkins(records) -> None:
    discharges = [record.discharge_id for record in records]
    episode_facts_refresh(Discharge.objects.filter(pk__in=discharges).values_list("episode_id", flat=True))


def _on_substance_days(records) -> None:
    measures = [record.measures_id for record in records]
    episode_facts_refresh(OutcomeMeasures.objects.filter(pk__in=measures).values_list("episode_id", flat=True))


def _on_patients(records) -> None:
    """A chart marked entered in error takes every fact of the patient with it."""
    patients = [record.pk for record in records]
    episode_everything_refresh(Episode.objects.filter(patient_id__in=patients).values_list("pk", flat=True))
    intake_facts_refresh(Intake.objects.filter(patient_id__in=patients).values_list("pk", flat=True))


CHANGE_HANDLERS = {
    "patients.patient": _on_patients,
    "patients.episode": _on_episodes,
    "patients.levelofcarechange": _on_episode_parts_and_weeks,
    "patients.intake": _on_intakes,
    "patients.instrumentresponse": _on_instruments,
    "scheduling.attendance": _on_attendance,
    "testing.drugtest": _on_drug_tests,
    "testing.drugtestresultset": _on_result_sets,
    "testing.analyteresult": _on_analyte_results,
    "aftercare.discharge": _on_episode_parts,
    "aftercare.alumnicheckin": _on_checkins,
    "outcomes.outcomemeasures": _on_episode_parts,
    "outcomes.substancedays": _on_substance_days,
}


# --- from scratch ----------------------------------------------------------------------------------


def facts_recount() -> dict[str, dict]:
    """Every fact as a from-scratch count gives it (table name → key → values), in batches."""
    episodes = list(Episode.objects.values_list("pk", flat=True))
    result = {"episodes": {}, "weeks": {}, "tests": {}, "intakes": {}}
    for batch in _batches(episodes):
        result["episodes"].update(episode_facts_compute(batch))
        result["weeks"].update(attendance_weeks_compute(batch))
        result["tests"].update(drug_test_facts_compute(episode_ids=batch))
    for batch in _batches(Intake.objects.values_list("pk", flat=True)):
        result["intakes"].update(intake_facts_compute(batch))
    return result


def facts_stored() -> dict[str, dict]:
    """The fact tables as they stand, in the shape ``facts_recount`` returns."""
    return {
        "episodes": {row.pop("episode_id"): row for row in EpisodeFact.objects.values(*EPISODE_FACT_COLUMNS)},
        "weeks": {
            (row.pop("episode_id"), row.pop("week_start")): row
            for row in AttendanceWeekFact.objects.values("episode_id", "week_start", *WEEK_FACT_COLUMNS)
        },
        "tests": {row.pop("drug_test_id"): row for row in DrugTestFact.objects.values(*TEST_FACT_COLUMNS)},
        "intakes": {row.pop("intake_id"): row for row in IntakeFact.objects.values(*INTAKE_FACT_COLUMNS)},
    }


@transaction.atomic
def facts_rebuild() -> dict[str, int]:
    """Empty the fact tables and count everything again (after a bulk load, or to repair)."""
    counted = facts_recount()
    for model in (EpisodeFact, AttendanceWeekFact, DrugTestFact, IntakeFact):
        model.objects.all().delete()
    EpisodeFact.objects.bulk_create(
        [episode_fact(pk, values) for pk, values in counted["episodes"].items()], batch_size=BATCH
    )
    AttendanceWeekFact.objects.bulk_create(
        [week_fact(key, values) for key, values in counted["weeks"].items()], batch_size=BATCH
    )
    DrugTestFact.objects.bulk_create(
        [DrugTestFact(drug_test_id=pk, **values) for pk, values in counted["tests"].items()], batch_size=BATCH
    )
    IntakeFact.objects.bulk_create(
        [IntakeFact(intake_id=pk, **values) for pk, values in counted["intakes"].items()], batch_size=BATCH
    )
    return {name: len(rows) for name, rows in counted.items()}
