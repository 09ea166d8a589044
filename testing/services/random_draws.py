"""Random drug testing: who is tested today, drawn so nobody can predict it, recorded so anyone can check it.

The scheme, for auditors. Every number below is on the day's ``RandomDraw`` record, and
``testing.selectors.random_draws.draw_recheck`` recomputes each patient's choice from it
(the auditor's page, ``/testing/random-draws/``, shows the result).

* **Testing days.** A draw happens only on a day that is both one of the policy's testing
  days and a day the program meets: a patient drawn on a day they are not there cannot be
  collected, and the test slips to a day they could expect. The days used (``d`` a week) are
  recorded as the draw's ``testing_days``. A policy whose testing days miss every meeting
  day is refused in the admin; if the program's meeting days change afterwards, the daily
  run skips the program and logs why.
* **Chance.** The program sets a weekly rate ``r``. On every testing day each active
  patient is drawn with the same probability ``p = 1 - (1 - r) ** (1 / d)``, so the chance
  of *not* being drawn in a week is ``(1 - p) ** d = 1 - r``: the weekly rate is met exactly
  and no weekday is more likely than another. Being drawn yesterday changes nothing today
  (no "safe" days after a test): this part is memoryless.
* **The longest gap ``g`` without a predictable day.** The earlier rule drew a patient on the
  last testing day before their gap since the last collection (or admission) would pass
  ``g``. A patient who counted days knew that day in advance: with 30 % a week on five days
  and ``g`` = 14, 49 % of the tests were forced that way and 53 % fell on a day the patient
  could foresee (a simulated 40-patient program over 20,000 days). Now the last ``W``
  testing days that keep the gap within ``g`` are the patient's *gap window*, with
  ``W = max(3, ceil(floor(g * d / 7) / 3))``: a third of the testing days a stretch of ``g``
  days holds, at least 3 (4 for ``g`` = 14 and five testing days a week). On a window day with ``k``
  testing days left, the last one included, the patient's chance is
  ``p + (1 - p) / k``: the ordinary chance, and if that misses, one in ``k``. One in ``k``
  with ``k`` counting down is how a day picked at random inside the window looks from the
  inside, so a patient not drawn by chance is equally likely to be drawn on each window day:
  knowing the rule tells them the window, not the day. On the last day (``k`` = 1) the
  chance is 1, so the gap never passes ``g``; only a patient missed on every earlier window
  day gets there, ``(1 - p) ** (W - 1) / W`` of those entering the window. In the same
  simulation 56 % of the tests are forced (the window starts earlier, so 13 % more tests in
  all) but only 13 % fall on a day the patient could foresee. A patient already
  past the limit (a missed collection, a day the draw did not run) is drawn on the next
  testing day whatever the number.
* **Reasons**, recorded per drawn patient: "random" when the number is below ``p``; "gap
  window" when it is below the window chance but not ``p``; "longest gap reached" on the
  last day or past it, whatever the number. A test with that last reason is the only kind a
  patient could have foreseen; the auditor's page shows their share.
* **Numbers** come from ``secrets.SystemRandom`` (the operating system's CSPRNG): one
  uniform number per eligible patient and day, rounded to 9 decimals, then compared and
  stored, so the record reproduces the choice exactly.
"""

import logging
import math
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

from ..constants import (
    GAP_WINDOW_MIN_TESTING_DAYS,
    GAP_WINDOW_SHARE_DIVISOR,
    RANDOM_VALUE_DECIMALS,
    RNG_SOURCE,
    DrawReason,
    Specimen,
    TestingMethod,
    TestReason,
)
from ..models import DrugTest, Panel, ProgramClinicalPolicy, RandomDraw

logger = logging.getLogger(__name__)


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


def weekdays_of(codes: Iterable[str]) -> list[int]:
    """Weekday numbers (``date.weekday()``) of RFC 5545 codes, in week order; unknown codes are ignored."""
    return sorted({WEEKDAY_CODES.index(code) for code in codes if code in WEEKDAY_CODES})


def draw_weekdays(policy: ProgramClinicalPolicy, program: Program) -> list[int]:
    """The days a draw may happen: the policy's testing days the program also meets on."""
    return weekdays_of(set(policy.testing_day_codes) & set(program.meeting_day_codes))


def count_testing_days(first: date, last: date, testing_weekdays: Iterable[int]) -> int:
    """How many testing days lie in ``first``…``last``, both included (0 when ``last`` is before ``first``)."""
    weekdays = set(testing_weekdays)
    span = (last - first).days + 1
    if span <= 0:
        return 0
    full_weeks, remainder = divmod(span, 7)
    tail = sum(1 for offset in range(remainder) if (first + timedelta(days=offset)).weekday() in weekdays)
    return full_weeks * len(weekdays) + tail


def last_allowed_testing_day(last_tested: date, longest_gap_days: int, testing_weekdays: Iterable[int]) -> date | None:
    """The latest testing day whose gap since ``last_tested`` is at most the longest gap (None if there is none)."""
    weekdays = set(testing_weekdays)
    limit = last_tested + timedelta(days=longest_gap_days)
    for back in range(7):
        candidate = limit - timedelta(days=back)
        if candidate <= last_tested:
            return None
        if candidate.weekday() in weekdays:
            return candidate
    return None


def gap_window_testing_days(longest_gap_days: int, testing_days_per_week: int) -> int:
    """``W``: how many testing days before the longest gap form the gap window (module docstring)."""
    testing_days_in_gap = longest_gap_days * testing_days_per_week // 7
    return max(GAP_WINDOW_MIN_TESTING_DAYS, math.ceil(testing_days_in_gap / GAP_WINDOW_SHARE_DIVISOR))


@dataclass(frozen=True)
class DrawRule:
    """What a day's choice depends on besides the patients; every field is on the RandomDraw record."""

    probability: float
    longest_gap_days: int
    testing_weekdays: frozenset[int]

    @property
    def window_testing_days(self) -> int:
        return gap_window_testing_days(self.longest_gap_days, len(self.testing_weekdays))

    def testing_days_left(self, *, last_tested: date, on: date) -> int:
        """Testing days from ``on`` through the last one that keeps the gap within the limit; 0 once past it."""
        last_allowed = last_allowed_testing_day(last_tested, self.longest_gap_days, self.testing_weekdays)
        if last_allowed is None:
            return 0
        return count_testing_days(on, last_allowed, self.testing_weekdays)

    def chance(self, testing_days_left: int) -> float:
        """The patient's chance of being drawn on a day with this many testing days left before the limit."""
        if testing_days_left <= 1:
            return 1.0
        if testing_days_left <= self.window_testing_days:
            return self.probability + (1 - self.probability) / testing_days_left
        return self.probability

    def reason(self, *, testing_days_left: int, value: float) -> DrawReason | None:
        """Why the patient is drawn with this uniform number, or None when they are not."""
        if testing_days_left <= 1:
            return DrawReason.GAP
        if value < self.probability:
            return DrawReason.RANDOM
        if value < self.chance(testing_days_left):
            return DrawReason.GAP_WINDOW
        return None


@dataclass
class DrawOutcome:
    drawn: dict[int, str] = field(default_factory=dict)
    random_values: dict[int, float] = field(default_factory=dict)
    chances: dict[int, float] = field(default_factory=dict)


def choose_patients(*, last_tested: Mapping[int, date], rule: DrawRule, on: date, rng) -> DrawOutcome:
    """One day's choice among the eligible patients (id → last collection or admission date)."""
    outcome = DrawOutcome()
    # Sorted, so a replay with the same random sequence gives the same result.
    for patient_id in sorted(last_tested):
        value = round(rng.random(), RANDOM_VALUE_DECIMALS)
        days_left = rule.testing_days_left(last_tested=last_tested[patient_id], on=on)
        outcome.random_values[patient_id] = value
        outcome.chances[patient_id] = rule.chance(days_left)
        reason = rule.reason(testing_days_left=days_left, value=value)
        if reason is not None:
            outcome.drawn[patient_id] = reason
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
    weekdays = draw_weekdays(policy, program)
    if not weekdays:
        logger.warning(
            "Random draw skipped for program %s: its testing days (%s) and meeting days (%s) share no day.",
            program.code,
            policy.testing_days,
            program.meeting_days,
        )
        return None
    if on.weekday() not in weekdays:
        return None
    existing = RandomDraw.objects.filter(program=program, draw_date=on).first()
    if existing:
        return existing
    episodes = list(
        Episode.objects.valid().filter(program=program, status=EpisodeStatus.ACTIVE, admitted_on__lte=on).order_by("id")
    )
    last_tested = last_tested_dates(episodes, on)
    rule = DrawRule(
        probability=daily_probability(float(policy.weekly_testing_rate), len(weekdays)),
        longest_gap_days=policy.longest_gap_days,
        testing_weekdays=frozenset(weekdays),
    )
    rng = rng or secrets.SystemRandom()
    outcome = choose_patients(last_tested=last_tested, rule=rule, on=on, rng=rng)
    draw = RandomDraw(
        program=program,
        draw_date=on,
        weekly_testing_rate=policy.weekly_testing_rate,
        # The days the draw used (testing days the program meets on): the re-check derives p and the window from them.
        testing_days=",".join(WEEKDAY_CODES[weekday] for weekday in weekdays),
        daily_probability=Decimal(f"{rule.probability:.6f}"),
        longest_gap_days=policy.longest_gap_days,
        rng_source=RNG_SOURCE if isinstance(rng, secrets.SystemRandom) else type(rng).__qualname__,
        eligible_patient_ids=sorted(last_tested),
        last_tested_on={str(pid): day.isoformat() for pid, day in sorted(last_tested.items())},
        random_values={str(pid): value for pid, value in sorted(outcome.random_values.items())},
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
