"""Random drug testing: who is tested today, drawn so nobody can predict it, recorded so anyone can check it.

The scheme (documented for auditors):

* Each program sets a weekly rate ``r`` (share of active patients tested at least once a
  week) and its testing days (``d`` a week). On every testing day each active patient is
  drawn independently with the same probability ``p = 1 - (1 - r) ** (1 / d)``, so the
  chance of *not* being drawn in a whole week is ``(1 - p) ** d = 1 - r``: the weekly
  rate is met exactly and no weekday is more likely than another. Being drawn yesterday
  changes nothing today (no "safe" days after a test).
* The longest gap ``g`` overrides chance: a patient whose gap since their last
  collection (or admission) would pass ``g`` days before the next testing day is drawn
  today with the reason "longest gap reached". These draws are extra tests on top of the
  random rate, so the random part stays memoryless.
* Numbers come from ``secrets.SystemRandom`` (the operating system's CSPRNG). Each
  patient's uniform number is stored with the draw: drawn at random exactly when it is
  below ``p``.
"""

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from patients.constants import EpisodeStatus
from patients.models import Episode
from programs.constants import WEEKDAY_CODES
from programs.models import Program

from ..constants import RNG_SOURCE, DrawReason, Specimen, TestingMethod, TestReason
from ..models import DrugTest, Panel, ProgramClinicalPolicy, RandomDraw


def daily_probability(weekly_rate: float, testing_days_per_week: int) -> float:
    """Per-testing-day probability whose weekly chance of at least one draw equals ``weekly_rate``."""
    if not 0 < weekly_rate <= 1:
        raise ValueError("The weekly rate lies in (0, 1].")
    if not 1 <= testing_days_per_week <= 7:
        raise ValueError("A program tests on 1 to 7 days a week.")
    return 1 - (1 - weekly_rate) ** (1 / testing_days_per_week)


def next_testing_day(day: date, testing_weekdays: Iterable[int]) -> date:
    """The first testing day after ``day`` (weekday numbers as ``date.weekday()``)."""
    weekdays = set(testing_weekdays)
    for offset in range(1, 8):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() in weekdays:
            return candidate
    raise ValueError("No testing days configured.")


@dataclass
class DrawOutcome:
    drawn: dict[int, str] = field(default_factory=dict)
    random_values: dict[int, float] = field(default_factory=dict)


def choose_patients(
    *,
    last_tested: Mapping[int, date],
    probability: float,
    longest_gap_days: int,
    next_day: date,
    rng,
) -> DrawOutcome:
    """One day's choice among the eligible patients (id → last collection or admission date)."""
    outcome = DrawOutcome()
    # Sorted, so a replay with the same random sequence gives the same result.
    for patient_id in sorted(last_tested):
        value = rng.random()
        outcome.random_values[patient_id] = value
        if value < probability:
            outcome.drawn[patient_id] = DrawReason.RANDOM
        elif (next_day - last_tested[patient_id]).days > longest_gap_days:
            outcome.drawn[patient_id] = DrawReason.GAP
    return outcome


def policy_for(program: Program) -> ProgramClinicalPolicy:
    """The program's policy, or the defaults (unsaved) when none was configured."""
    try:
        return program.clinical_policy
    except ProgramClinicalPolicy.DoesNotExist:
        return ProgramClinicalPolicy(program=program)


def default_random_panel() -> Panel | None:
    return (
        Panel.objects.filter(is_active=True, specimen=Specimen.URINE, method=TestingMethod.POINT_OF_CARE)
        .order_by("name")
        .first()
    )


def last_tested_dates(episodes: list[Episode], on: date) -> dict[int, date]:
    """Per patient: the latest collection before ``on``, or the admission date if later or untested."""
    collected = (
        DrugTest.objects.valid()
        .filter(patient_id__in=[e.patient_id for e in episodes], collected_at__isnull=False)
        .values("patient_id")
        .annotate(last=Max("collected_at"))
    )
    last_collection = {row["patient_id"]: timezone.localdate(row["last"]) for row in collected}
    return {
        episode.patient_id: max(last_collection.get(episode.patient_id, episode.admitted_on), episode.admitted_on)
        for episode in episodes
    }


@transaction.atomic
def random_draw_make(*, program: Program, on: date | None = None, rng=None) -> RandomDraw | None:
    """Make (once) the program's draw for the day and order a test for every drawn patient.

    Returns the day's draw, the existing one on a second run, or None when the program
    does no random testing that day.
    """
    on = on or timezone.localdate()
    # Lock the program row: two workers running the task at once make one draw.
    program = Program.objects.select_for_update().get(pk=program.pk)
    policy = policy_for(program)
    if policy.pk is None or not policy.random_testing_enabled:
        return None
    testing_weekdays = [WEEKDAY_CODES.index(code) for code in policy.testing_day_codes]
    if on.weekday() not in testing_weekdays:
        return None
    existing = RandomDraw.objects.filter(program=program, draw_date=on).first()
    if existing:
        return existing
    episodes = list(
        Episode.objects.valid().filter(program=program, status=EpisodeStatus.ACTIVE, admitted_on__lte=on).order_by("id")
    )
    last_tested = last_tested_dates(episodes, on)
    probability = daily_probability(float(policy.weekly_testing_rate), len(testing_weekdays))
    rng = rng or secrets.SystemRandom()
    outcome = choose_patients(
        last_tested=last_tested,
        probability=probability,
        longest_gap_days=policy.longest_gap_days,
        next_day=next_testing_day(on, testing_weekdays),
        rng=rng,
    )
    draw = RandomDraw(
        program=program,
        draw_date=on,
        weekly_testing_rate=policy.weekly_testing_rate,
        testing_days=policy.testing_days,
        daily_probability=Decimal(f"{probability:.6f}"),
        longest_gap_days=policy.longest_gap_days,
        rng_source=RNG_SOURCE if isinstance(rng, secrets.SystemRandom) else type(rng).__qualname__,
        eligible_patient_ids=sorted(last_tested),
        last_tested_on={str(pid): day.isoformat() for pid, day in sorted(last_tested.items())},
        random_values={str(pid): round(value, 9) for pid, value in sorted(outcome.random_values.items())},
        drawn={str(pid): str(reason) for pid, reason in sorted(outcome.drawn.items())},
    )
    draw.full_clean()
    draw.save()
    panel = policy.random_panel or default_random_panel()
    if panel is not None:
        episodes_by_patient = {episode.patient_id: episode for episode in episodes}
        now = timezone.now()
        for patient_id in sorted(outcome.drawn):
            episode = episodes_by_patient[patient_id]
            DrugTest(
                patient_id=patient_id,
                episode=episode,
                panel=panel,
                reason=TestReason.RANDOM,
                specimen=panel.specimen,
                method=panel.method,
                # Random tests are observed collections by default (ASAM 2017: unobserved random
                # urine is the easiest specimen to substitute).
                observed=True,
                random_draw=draw,
                ordered_at=now,
            ).save()
    return draw


def random_draws_run(*, on: date | None = None) -> list[RandomDraw]:
    """Today's draw for every active program with random testing on (the daily Celery task)."""
    draws = []
    programs = Program.objects.filter(is_active=True, clinical_policy__random_testing_enabled=True).order_by("pk")
    for program in programs:
        draw = random_draw_make(program=program, on=on)
        if draw is not None:
            draws.append(draw)
    return draws
