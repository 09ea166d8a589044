"""The facts of what happens week by week: attendance per patient-week, resulted drug tests, referrals.

Each ``*_compute`` counts from the chart for the given records, each ``*_refresh`` writes it over
what was there (an upsert and a delete); ``outcomes.services.facts`` decides when.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, Sum
from django.utils import timezone

from patients.models import Episode, Intake, LevelOfCareChange
from scheduling.constants import ATTENDED_STATUSES, BILLABLE_DAY_MINUTES, IOP_COUNTABLE_KINDS
from scheduling.models import Attendance
from testing.constants import FindingKind, SpecimenValidity
from testing.models import DrugTest

from ..models import AttendanceWeekFact, DrugTestFact, IntakeFact

BATCH = 1000
# A test is not negative when it shows use the prescriptions do not explain (ASAM Appropriate Use of
# Drug Testing, 2017: expected medications are not use) or when the specimen was tampered with; a
# specimen the lab could not read counts neither way.
USE_FINDINGS = frozenset({FindingKind.UNEXPECTED_POSITIVE, FindingKind.ALCOHOL_DETECTED})
TAMPERED = frozenset({SpecimenValidity.ADULTERATED, SpecimenValidity.SUBSTITUTED})
UNREADABLE = frozenset({SpecimenValidity.INVALID})

WEEK_FACT_FIELDS = [
    "patient", "program", "minutes", "sessions_recorded", "sessions_attended", "billable_days", "whole_week", "in_band",
]  # fmt: skip
WEEK_FACT_COLUMNS = [
    "patient_id", "program_id", "minutes", "sessions_recorded", "sessions_attended", "billable_days", "whole_week",
    "in_band",
]  # fmt: skip
TEST_FACT_FIELDS = ["episode", "patient", "program", "day", "treatment_week", "negative"]
TEST_FACT_COLUMNS = ["drug_test_id", "episode_id", "patient_id", "program_id", "day", "treatment_week", "negative"]
INTAKE_FACT_FIELDS = ["patient", "referral_date", "status", "program"]
INTAKE_FACT_COLUMNS = ["intake_id", "patient_id", "referral_date", "status", "program_id"]


def _levels_by_episode(episode_ids) -> dict[int, list[tuple[dt.date, str]]]:
    """Each episode's level-of-care changes in order: (effective on, from level, to level)."""
    changes: dict[int, list] = defaultdict(list)
    for row in (
        LevelOfCareChange.objects.valid()
        .filter(episode_id__in=episode_ids)
        .order_by("effective_on", "pk")
        .values("episode_id", "effective_on", "from_level", "to_level")
    ):
        changes[row["episode_id"]].append(row)
    return changes


def _level_on(day: dt.date, current: str, changes: list[dict]) -> str:
    """The level in effect on ``day``: before the first change, that change's starting level."""
    level = changes[0]["from_level"] if changes else current
    for change in changes:
        if change["effective_on"] <= day:
            level = change["to_level"]
    return level


def attendance_weeks_compute(episode_ids: Iterable[int], weeks: Iterable[dt.date] | None = None) -> dict:
    """(episode id, Monday) → the week's attendance, for these episodes (and only these weeks if given)."""
    ids = set(episode_ids)
    if not ids:
        return {}
    owners = {
        episode.pk: episode
        for episode in Episode.objects.valid()
        .filter(pk__in=ids, patient__entered_in_error_at__isnull=True)
        .select_related("program")
        .only("pk", "patient_id", "program", "admitted_on", "discharged_on", "level_of_care")
    }
    if not owners:
        return {}
    levels = _levels_by_episode(owners)
    rows = Attendance.objects.valid().filter(episode_id__in=owners)
    if weeks is not None:
        rows = rows.filter(session__week_start__in=set(weeks))
    days = (
        rows.values("episode_id", "session__week_start", "session__day")
        .annotate(
            minutes=Sum("minutes_attended", filter=Q(session__kind__in=IOP_COUNTABLE_KINDS)),
            recorded=Count("pk"),
            attended=Count("pk", filter=Q(status__in=ATTENDED_STATUSES)),
        )
        .order_by()
    )
    weeks_found: dict[tuple[int, dt.date], dict] = {}
    for day in days:
        key = (day["episode_id"], day["session__week_start"])
        owner = owners[day["episode_id"]]
        week = weeks_found.setdefault(
            key,
            {
                "patient_id": owner.patient_id,
                "program_id": owner.program_id,
                "minutes": 0,
                "sessions_recorded": 0,
                "sessions_attended": 0,
                "billable_days": 0,
            },
        )
        minutes = day["minutes"] or 0
        week["minutes"] += minutes
        week["sessions_recorded"] += day["recorded"]
        week["sessions_attended"] += day["attended"]
        week["billable_days"] += 1 if minutes >= BILLABLE_DAY_MINUTES else 0
    for (episode_id, week_start), week in weeks_found.items():
        owner = owners[episode_id]
        sunday = week_start + dt.timedelta(days=6)
        week["whole_week"] = owner.admitted_on <= week_start and (
            owner.discharged_on is None or owner.discharged_on >= sunday
        )
        low, high = owner.program.weekly_hours_band_for(
            _level_on(week_start, owner.level_of_care, levels.get(episode_id, []))
        )
        week["in_band"] = low * 60 <= week["minutes"] < high * 60
    return weeks_found


def week_fact(key, values) -> AttendanceWeekFact:
    return AttendanceWeekFact(episode_id=key[0], week_start=key[1], **values)


def attendance_weeks_refresh(pairs: Iterable[tuple[int, dt.date]] = (), *, episode_ids: Iterable[int] = ()) -> int:
    """Recount the given (episode, Monday) weeks, and every week of ``episode_ids``."""
    whole = set(episode_ids)
    partial = {(episode, week) for episode, week in pairs if episode not in whole}
    computed = {}
    if whole:
        computed.update(attendance_weeks_compute(whole))
        AttendanceWeekFact.objects.filter(episode_id__in=whole).delete()
    if partial:
        found = attendance_weeks_compute({episode for episode, _ in partial}, {week for _, week in partial})
        found = {key: values for key, values in found.items() if key in partial}
        stale = Q()
        for episode, week in partial - set(found):
            stale |= Q(episode_id=episode, week_start=week)
        if stale:
            AttendanceWeekFact.objects.filter(stale).delete()
        computed.update(found)
    if computed:
        AttendanceWeekFact.objects.bulk_create(
            [week_fact(key, values) for key, values in computed.items()],
            update_conflicts=True,
            unique_fields=["episode", "week_start"],
            update_fields=WEEK_FACT_FIELDS,
        )
    return len(computed)


# --- drug tests ------------------------------------------------------------------------------------


def _test_reading(findings: list[dict], validity: str) -> bool | None:
    """True if negative, False if not, None if it counts neither way."""
    if validity in UNREADABLE:
        return None
    if validity in TAMPERED:
        return False
    return not any(finding.get("kind") in USE_FINDINGS for finding in findings or [])


def drug_test_facts_compute(*, test_ids: Iterable[int] = (), episode_ids: Iterable[int] = ()) -> dict[int, dict]:
    """Drug test id → its fact, for the given tests and every test of the given episodes."""
    test_ids, episode_ids = set(test_ids), set(episode_ids)
    if not (test_ids or episode_ids):
        return {}
    tests = DrugTest.objects.valid().filter(Q(pk__in=test_ids) | Q(episode_id__in=episode_ids))
    facts = {}
    for test in tests.filter(
        resulted_at__isnull=False,
        episode__isnull=False,
        episode__entered_in_error_at__isnull=True,
        patient__entered_in_error_at__isnull=True,
    ).values(
        "pk", "episode_id", "patient_id", "episode__program_id", "episode__admitted_on", "collected_at",
        "ordered_at", "findings", "validity",
    ):  # fmt: skip
        negative = _test_reading(test["findings"], test["validity"])
        if negative is None:
            continue
        day = timezone.localdate(test["collected_at"] or test["ordered_at"])
        week = (day - test["episode__admitted_on"]).days // 7 + 1
        if week < 1:
            continue
        facts[test["pk"]] = {
            "episode_id": test["episode_id"],
            "patient_id": test["patient_id"],
            "program_id": test["episode__program_id"],
            "day": day,
            "treatment_week": week,
            "negative": negative,
        }
    return facts


def drug_test_facts_refresh(*, test_ids: Iterable[int] = (), episode_ids: Iterable[int] = ()) -> int:
    test_ids, episode_ids = set(test_ids), set(episode_ids)
    computed = drug_test_facts_compute(test_ids=test_ids, episode_ids=episode_ids)
    DrugTestFact.objects.filter(Q(drug_test_id__in=test_ids) | Q(episode_id__in=episode_ids)).exclude(
        drug_test_id__in=computed
    ).delete()
    if computed:
        DrugTestFact.objects.bulk_create(
            [DrugTestFact(drug_test_id=pk, **values) for pk, values in computed.items()],
            update_conflicts=True,
            unique_fields=["drug_test"],
            update_fields=TEST_FACT_FIELDS,
        )
    return len(computed)


# --- intakes ---------------------------------------------------------------------------------------


def intake_facts_compute(intake_ids: Iterable[int]) -> dict[int, dict]:
    ids = set(intake_ids)
    if not ids:
        return {}
    programs = dict(Episode.objects.valid().filter(intake_id__in=ids).values_list("intake_id", "program_id"))
    return {
        row["pk"]: {
            "patient_id": row["patient_id"],
            "referral_date": row["referral_date"],
            "status": row["status"],
            "program_id": programs.get(row["pk"]),
        }
        for row in Intake.objects.valid()
        .filter(pk__in=ids, patient__entered_in_error_at__isnull=True)
        .values("pk", "patient_id", "referral_date", "status")
    }


def intake_facts_refresh(intake_ids: Iterable[int]) -> int:
    ids = set(intake_ids)
    computed = intake_facts_compute(ids)
    IntakeFact.objects.filter(intake_id__in=ids - set(computed)).delete()
    if computed:
        IntakeFact.objects.bulk_create(
            [IntakeFact(intake_id=pk, **values) for pk, values in computed.items()],
            update_conflicts=True,
            unique_fields=["intake"],
            update_fields=INTAKE_FACT_FIELDS,
        )
    return len(computed)
