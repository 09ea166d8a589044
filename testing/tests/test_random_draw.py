"""Random drug testing: fairness over many simulated days, the gap window, and the recorded daily draw."""

import datetime as dt
import logging
import math
import random
import secrets
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from notifications.models import OutboundMessage
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from testing.constants import RNG_SOURCE, DrawReason, DrugTestStatus
from testing.constants import TestReason as OrderReason
from testing.models import DrugTest, ProgramClinicalPolicy, RandomDraw
from testing.services import drug_tests as drug_testing
from testing.services.random_draws import (
    DrawRule,
    choose_patients,
    count_testing_days,
    daily_probability,
    gap_window_testing_days,
    last_allowed_testing_day,
    next_testing_day,
    random_draw_make,
    random_draws_run,
)
from testing.tasks import draw_random_tests
from testing.tests.factories import DrugTestFactory, ProgramClinicalPolicyFactory

WEEKDAYS = [0, 1, 2, 3, 4]  # MO–FR
RATE = 0.30
GAP = 14
DAYS = 2000
PATIENTS = 40


def chi_square_p_value(observed: list[int], expected: list[float]) -> tuple[float, float]:
    """Pearson's chi-square and its p-value; for even degrees of freedom 2k the tail is
    exactly exp(-x/2) · Σ_{i<k} (x/2)^i / i!, so no statistics library is needed."""
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    dof = len(observed) - 1
    assert dof % 2 == 0
    half = statistic / 2
    p_value = math.exp(-half) * sum(half**i / math.factorial(i) for i in range(dof // 2))
    return statistic, p_value


def rule_for(weekdays=WEEKDAYS, rate=RATE, gap=GAP) -> DrawRule:
    return DrawRule(
        probability=daily_probability(rate, len(weekdays)), longest_gap_days=gap, testing_weekdays=frozenset(weekdays)
    )


def fixed_day_reason(rule: DrawRule, last_tested: dt.date, day: dt.date, value: float) -> str | None:
    """The rule before issue 11: forced on the last testing day before the gap would pass the limit."""
    if value < rule.probability:
        return DrawReason.RANDOM
    if (next_testing_day(day, rule.testing_weekdays) - last_tested).days > rule.longest_gap_days:
        return DrawReason.GAP
    return None


def simulate(rng, *, fixed_day: bool = False) -> dict:
    """2,000 calendar days of a 40-patient program testing MO–FR; every drawn patient is tested that day."""
    start = dt.date(2024, 1, 1)  # a Monday
    rule = rule_for()
    probability = rule.probability
    # Admissions spread over the first two weeks, as in a real rolling-admission program.
    last_tested = {
        patient: start + dt.timedelta(days=rng.randrange(14)) - dt.timedelta(days=14) for patient in range(PATIENTS)
    }
    random_by_weekday, all_by_weekday, days_by_weekday = Counter(), Counter(), Counter()
    reasons, forced_by_window_day = Counter(), Counter()
    weeks_with_random_draw = defaultdict(set)
    longest_gap = foreseeable = 0
    for offset in range(DAYS):
        day = start + dt.timedelta(days=offset)
        if day.weekday() not in WEEKDAYS:
            continue
        days_by_weekday[day.weekday()] += 1
        if fixed_day:
            drawn = {}
            for patient in sorted(last_tested):
                reason = fixed_day_reason(rule, last_tested[patient], day, rng.random())
                if reason:
                    drawn[patient] = reason
            certain = {p for p in last_tested if rule.testing_days_left(last_tested=last_tested[p], on=day) <= 1}
        else:
            outcome = choose_patients(last_tested=last_tested, rule=rule, on=day, rng=rng)
            drawn = outcome.drawn
            certain = {patient for patient, chance in outcome.chances.items() if chance >= 1}
        for patient, reason in drawn.items():
            days_left = rule.testing_days_left(last_tested=last_tested[patient], on=day)
            longest_gap = max(longest_gap, (day - last_tested[patient]).days)
            last_tested[patient] = day
            all_by_weekday[day.weekday()] += 1
            reasons[reason] += 1
            foreseeable += patient in certain
            if reason != DrawReason.RANDOM:
                # 1 = the window's first day, W = its last (the day the gap reaches the limit).
                forced_by_window_day[rule.window_testing_days - days_left + 1] += 1
            if reason == DrawReason.RANDOM:
                random_by_weekday[day.weekday()] += 1
                weeks_with_random_draw[patient].add(day.isocalendar()[:2])
    # Each patient's gap up to the end of the simulation counts too.
    end = start + dt.timedelta(days=DAYS - 1)
    longest_gap = max(longest_gap, *((end - last).days for last in last_tested.values()))
    full_weeks = {(start + dt.timedelta(days=d)).isocalendar()[:2] for d in range(0, DAYS - 7, 7)}
    weekly_rate = sum(len(weeks & full_weeks) for weeks in weeks_with_random_draw.values()) / (
        PATIENTS * len(full_weeks)
    )
    patient_days = PATIENTS * sum(days_by_weekday.values())
    tests = sum(all_by_weekday.values())
    forced = tests - reasons[DrawReason.RANDOM]
    return {
        "probability": probability,
        "weekly_rate": weekly_rate,
        "weeks": len(full_weeks),
        "daily_rate": sum(random_by_weekday.values()) / patient_days,
        "random_by_weekday": [random_by_weekday[w] for w in WEEKDAYS],
        "all_by_weekday": [all_by_weekday[w] for w in WEEKDAYS],
        "expected_share": [days_by_weekday[w] / sum(days_by_weekday.values()) for w in WEEKDAYS],
        "tests_per_patient_week": tests / (PATIENTS * DAYS / 7),
        "longest_gap": longest_gap,
        "forced_share": forced / tests,
        "foreseeable_share": foreseeable / tests,
        "forced_by_window_day": [forced_by_window_day[i] for i in range(1, rule.window_testing_days + 1)],
        "forced_outside_window": sum(n for i, n in forced_by_window_day.items() if i < 1),
    }


@pytest.fixture(scope="module")
def result():
    result = simulate(secrets.SystemRandom())
    print(f"\nrandom-draw simulation: {result}")  # the figures for the record (pytest -s)
    return result


@pytest.fixture(scope="module")
def fixed_day_result():
    result = simulate(secrets.SystemRandom(), fixed_day=True)
    print(f"\nrandom-draw simulation, the rule before the gap window: {result}")
    return result


class TestFairness:
    """Over 2,000 simulated days with the real CSPRNG (secrets.SystemRandom).

    Tolerances: a patient-week has a random draw with probability 0.30, independently,
    over 40 × 285 = 11,400 patient-weeks, so the observed rate has a standard error of
    √(0.3·0.7/11,400) ≈ 0.0043; ±0.02 is more than 4.5 standard errors (a false failure
    about once in 200,000 runs). The daily rate (57,000 patient-days, SE ≈ 0.0011) gets
    ±0.005. Weekday bias: Pearson chi-square over MO–FR (4 degrees of freedom) must give
    p > 0.001 (a fair draw fails that one run in a thousand). Predictability: about 8,700
    tests, so a share's standard error is under 0.006; the bounds below are 7 or more
    standard errors from the expected 0.13 (new rule) and 0.53 (the rule before it).
    """

    def test_daily_probability_meets_the_weekly_rate_exactly(self):
        assert (1 - daily_probability(0.30, 5)) ** 5 == pytest.approx(0.70)
        assert (1 - daily_probability(0.50, 3)) ** 3 == pytest.approx(0.50)
        assert daily_probability(1.0, 4) == 1.0

    def test_weekly_rate_is_close_to_the_target(self, result):
        assert abs(result["weekly_rate"] - RATE) < 0.02
        assert abs(result["daily_rate"] - result["probability"]) < 0.005

    def test_no_weekday_is_favoured_by_the_random_draw(self, result):
        total = sum(result["random_by_weekday"])
        _, p_value = chi_square_p_value(result["random_by_weekday"], [total * s for s in result["expected_share"]])
        assert p_value > 0.001

    def test_gap_draws_do_not_pile_up_on_a_weekday(self, result):
        # Gap draws follow each patient's last test, so they are correlated and a chi-square
        # would overstate the evidence; the check is on shares instead: every weekday within
        # 3 points of its fair share.
        total = sum(result["all_by_weekday"])
        for count, share in zip(result["all_by_weekday"], result["expected_share"], strict=True):
            assert abs(count / total - share) < 0.03

    def test_longest_gap_is_never_exceeded(self, result):
        assert result["longest_gap"] <= GAP

    def test_forced_tests_spread_evenly_over_the_window(self, result):
        # Every forced test falls inside the window, and each of its 4 days takes about a
        # quarter (a fixed day would take all); ±0.06 is 10 standard errors of ~4,800 tests.
        window = result["forced_by_window_day"]
        assert len(window) == 4 and result["forced_outside_window"] == 0
        shares = [count / sum(window) for count in window]
        assert all(abs(share - 1 / 4) < 0.06 for share in shares), shares
        assert max(shares) < 0.35

    def test_few_tests_fall_on_a_day_the_patient_could_foresee(self, result, fixed_day_result):
        # The figure: about half the tests were forced on a day the patient could count to.
        assert 0.45 < fixed_day_result["forced_share"] < 0.53
        assert fixed_day_result["foreseeable_share"] > 0.45
        # The gap window forces a few more tests but leaves only the window's last day foreseeable.
        assert result["forced_share"] > fixed_day_result["forced_share"]
        assert result["foreseeable_share"] < 0.18

    def test_chi_square_detects_a_biased_draw(self):
        # The check has teeth: Mondays drawn 20% more often is caught.
        _, p_value = chi_square_p_value([1200, 1000, 1000, 1000, 1000], [1040] * 5)
        assert p_value < 0.001


# A week starting on Monday 2 March 2026, for the rule's boundaries.
MONDAY = dt.date(2026, 3, 2)


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


class TestGapWindow:
    """Both sides of each number: MO–FR, 30 % a week, longest gap 14 days, last tested Monday 2 March."""

    rule = rule_for()
    p = rule.probability

    def test_count_testing_days_counts_both_ends(self):
        assert count_testing_days(day(0), day(0), WEEKDAYS) == 1
        assert count_testing_days(day(0), day(6), WEEKDAYS) == 5
        assert count_testing_days(day(5), day(6), WEEKDAYS) == 0  # a weekend
        assert count_testing_days(day(1), day(0), WEEKDAYS) == 0  # the wrong way round
        assert count_testing_days(day(0), day(14), WEEKDAYS) == 11

    def test_the_last_allowed_day_is_day_g_when_the_program_tests_then(self):
        assert last_allowed_testing_day(day(0), 14, WEEKDAYS) == day(14)  # Monday 16 March: gap exactly 14
        assert last_allowed_testing_day(day(0), 13, WEEKDAYS) == day(11)  # day 13 is a Sunday: the Friday before
        assert last_allowed_testing_day(day(0), 1, WEEKDAYS) == day(1)
        assert last_allowed_testing_day(day(4), 2, WEEKDAYS) is None  # Friday + 2 is Sunday: no testing day

    def test_the_window_is_a_third_of_the_testing_days_the_gap_holds_and_at_least_three(self):
        assert self.rule.window_testing_days == 4  # 14 days hold 10 testing days: ⌈10 / 3⌉
        assert gap_window_testing_days(21, 5) == 5  # 15 testing days
        assert gap_window_testing_days(14, 3) == 3  # 6 testing days: ⌈6 / 3⌉ = 2, raised to 3
        assert gap_window_testing_days(7, 1) == 3

    def test_days_left_before_the_limit(self):
        # The window is Wednesday 11, Thursday 12, Friday 13 and Monday 16 March.
        left = [self.rule.testing_days_left(last_tested=day(0), on=day(offset)) for offset in (8, 9, 10, 11, 14, 15)]
        assert left == [5, 4, 3, 2, 1, 0]

    def test_the_day_before_the_window_is_ordinary_chance(self):
        assert self.rule.chance(5) == self.p
        assert self.rule.reason(testing_days_left=5, value=self.p - 1e-9) == DrawReason.RANDOM
        assert self.rule.reason(testing_days_left=5, value=self.p) is None

    def test_the_windows_first_day_adds_one_in_four(self):
        chance = self.p + (1 - self.p) / 4
        assert self.rule.chance(4) == pytest.approx(chance)
        assert self.rule.reason(testing_days_left=4, value=self.p - 1e-9) == DrawReason.RANDOM
        assert self.rule.reason(testing_days_left=4, value=self.p) == DrawReason.GAP_WINDOW
        assert self.rule.reason(testing_days_left=4, value=chance - 1e-9) == DrawReason.GAP_WINDOW
        assert self.rule.reason(testing_days_left=4, value=chance + 1e-9) is None

    def test_the_chance_rises_as_the_window_runs_out(self):
        assert [self.rule.chance(k) for k in (4, 3, 2)] == pytest.approx([self.p + (1 - self.p) / k for k in (4, 3, 2)])
        assert self.rule.reason(testing_days_left=2, value=0.5) == DrawReason.GAP_WINDOW
        assert self.rule.reason(testing_days_left=2, value=0.55) is None

    def test_day_g_and_after_draw_whatever_the_number(self):
        for days_left in (1, 0):
            assert self.rule.chance(days_left) == 1.0
            assert self.rule.reason(testing_days_left=days_left, value=0.999999999) == DrawReason.GAP
            # Even a number that would have drawn by chance: the reason says the day was certain.
            assert self.rule.reason(testing_days_left=days_left, value=0.0) == DrawReason.GAP

    def test_choose_patients_records_the_rounded_number_it_compared(self):
        rule = rule_for()
        far, window, due = 1, 2, 3
        # On Wednesday 11 March: far from the limit, 4 testing days left, and the last day.
        last_tested = {far: day(9), window: day(0), due: day(-5)}
        outcome = choose_patients(
            last_tested=last_tested, rule=rule, on=day(9), rng=ScriptedRandom([0.5, 0.2000000004, 0.99])
        )
        assert outcome.random_values == {far: 0.5, window: 0.2, due: 0.99}
        assert outcome.drawn == {window: DrawReason.GAP_WINDOW, due: DrawReason.GAP}
        assert outcome.chances[far] == rule.probability and outcome.chances[due] == 1.0


SIMULATED_DAYS = 150


def longest_stretch(weekdays: list[int]) -> int:
    return max(later - earlier for earlier, later in zip(weekdays, [*weekdays[1:], weekdays[0] + 7], strict=True))


@st.composite
def programs(draw):
    """A program's draw days, rate and a longest gap the policy accepts (at least the longest stretch)."""
    weekdays = sorted(draw(st.sets(st.integers(0, 6), min_size=1)))
    gap = draw(st.integers(longest_stretch(weekdays), 30))
    rate = draw(st.floats(0.01, 1.0))
    return weekdays, gap, rate


@given(program=programs(), seed=st.integers(0, 2**32 - 1))
@hypothesis_settings(max_examples=150, deadline=None)
def test_no_gap_ever_passes_the_longest_gap(program, seed):
    """Whatever the days, rate, gap and numbers: on every testing day no patient's gap exceeds g."""
    weekdays, gap, rate = program
    rule = rule_for(weekdays, rate, gap)
    rng = random.Random(seed)
    start = dt.date(2026, 1, 5)
    admitted = {patient: start + dt.timedelta(days=rng.randrange(60)) for patient in range(6)}
    last_tested: dict[int, dt.date] = {}
    for offset in range(SIMULATED_DAYS):
        today = start + dt.timedelta(days=offset)
        for patient, admitted_on in admitted.items():
            if admitted_on <= today:
                last_tested.setdefault(patient, admitted_on)
        if today.weekday() not in weekdays:
            continue
        for patient, last in last_tested.items():
            assert (today - last).days <= gap, (patient, last, today)
        outcome = choose_patients(last_tested=last_tested, rule=rule, on=today, rng=rng)
        for patient in outcome.drawn:
            last_tested[patient] = today


@given(program=programs())
@hypothesis_settings(max_examples=200, deadline=None)
def test_no_day_of_the_window_is_a_safe_bet(program):
    """For a patient entering the window untested, the test day's odds, worked out exactly from the rule.

    The patient is certainly tested by the window's last day, and the likeliest day (the first)
    has chance p + (1 − p) / W: one in four for the default program, where the fixed day had 1.
    """
    weekdays, gap, rate = program
    rule = rule_for(weekdays, rate, gap)
    width = rule.window_testing_days
    untested, odds = 1.0, []
    for days_left in range(width, 0, -1):
        odds.append(untested * rule.chance(days_left))
        untested *= 1 - rule.chance(days_left)
    assert untested == 0 and sum(odds) == pytest.approx(1)
    assert max(odds) == pytest.approx(odds[0])
    assert odds[0] == pytest.approx(rule.probability + (1 - rule.probability) / width)
    if rule.probability <= 0.5:
        assert max(odds) <= 0.5 + 0.5 / 3


class ScriptedRandom:
    """Stands in for SystemRandom where a test needs to know the numbers."""

    def __init__(self, values):
        self.values = list(values)

    def random(self):
        return self.values.pop(0)


EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"


@pytest.fixture
def policy(program):
    """Testing every day on a program that meets every day, so any date is a draw day."""
    program.meeting_days = EVERY_DAY
    program.save()
    return ProgramClinicalPolicyFactory(program=program, testing_days=EVERY_DAY)


def a_monday():
    return dt.date(2026, 3, 2)


ADMITTED = dt.date(2026, 2, 20)


@pytest.mark.django_db
class TestDailyDraw:
    def test_draw_is_recorded_for_the_auditor_and_orders_tests(self, program, policy):
        drawn_episode = EpisodeFactory(program=program, admitted_on=a_monday() - dt.timedelta(days=3))
        spared_episode = EpisodeFactory(program=program, admitted_on=a_monday() - dt.timedelta(days=3))
        EpisodeFactory(discharged=True, program=program)
        draw = random_draw_make(program=program, on=a_monday(), rng=ScriptedRandom([0.01, 0.99]))
        first, second = sorted([drawn_episode.patient_id, spared_episode.patient_id])
        assert draw.eligible_patient_ids == [first, second]
        assert draw.drawn == {str(first): DrawReason.RANDOM}
        assert draw.random_values == {str(first): 0.01, str(second): 0.99}
        assert draw.daily_probability == Decimal(f"{daily_probability(0.30, 7):.6f}")
        assert draw.weekly_testing_rate == Decimal("0.300") and draw.longest_gap_days == 14
        assert draw.testing_days == EVERY_DAY
        order = DrugTest.objects.get(random_draw=draw)
        assert order.patient_id == first and order.reason == OrderReason.RANDOM and order.observed
        assert order.status == DrugTestStatus.ORDERED and order.ordered_by is None

    def test_a_second_run_the_same_day_changes_nothing(self, program, policy):
        EpisodeFactory(program=program, admitted_on=ADMITTED)
        first = random_draw_make(program=program, on=a_monday(), rng=ScriptedRandom([0.0]))
        again = random_draw_make(program=program, on=a_monday(), rng=ScriptedRandom([0.0]))
        assert first.pk == again.pk
        assert DrugTest.objects.count() == 1

    def test_the_database_allows_one_draw_per_program_and_day(self, program, policy):
        draw = random_draw_make(program=program, on=a_monday())
        with pytest.raises(IntegrityError), transaction.atomic():
            RandomDraw.objects.create(
                program=program, draw_date=draw.draw_date, weekly_testing_rate=Decimal("0.3"), testing_days="MO",
                daily_probability=Decimal("0.1"), longest_gap_days=14,
            )  # fmt: skip

    def test_patient_near_the_longest_gap_is_drawn_whatever_the_dice(self, program, policy, counselor):
        overdue = EpisodeFactory(program=program, admitted_on=a_monday() - dt.timedelta(days=20))
        recent = EpisodeFactory(program=program, admitted_on=a_monday() - dt.timedelta(days=20))
        test = DrugTestFactory(patient=recent.patient, ordered_at=dt.datetime(2026, 2, 28, 9, tzinfo=dt.UTC))
        drug_testing.drug_test_collect(
            drug_test=test, collector=counselor, collected_at=test.ordered_at, temperature_in_range=True
        )
        draw = random_draw_make(program=program, on=a_monday(), rng=ScriptedRandom([0.99, 0.99]))
        assert draw.drawn == {str(overdue.patient_id): DrawReason.GAP}
        assert draw.last_tested_on[str(recent.patient_id)] == "2026-02-28"

    def test_the_gap_window_draws_on_the_real_record(self, program, policy):
        # Testing every day, g = 14: 14 testing days, a window of ⌈14 / 3⌉ = 5. On Monday, a patient
        # last tested 10 days ago has 5 testing days left (the window's first day), 9 days ago 6.
        p = daily_probability(0.30, 7)
        first_day = EpisodeFactory(program=program, admitted_on=a_monday() - dt.timedelta(days=10))
        before = EpisodeFactory(program=program, admitted_on=a_monday() - dt.timedelta(days=9))
        number = p + (1 - p) / 5 - 0.001  # below the window's chance, above the ordinary one
        draw = random_draw_make(program=program, on=a_monday(), rng=ScriptedRandom([number, number]))
        assert draw.drawn == {str(first_day.patient_id): DrawReason.GAP_WINDOW}
        assert draw.random_values == {
            str(first_day.patient_id): round(number, 9),
            str(before.patient_id): round(number, 9),
        }
        assert DrugTest.objects.get(random_draw=draw).patient_id == first_day.patient_id

    def test_no_draw_on_a_day_the_program_does_not_test(self, program):
        ProgramClinicalPolicyFactory(program=program, testing_days="MO,WE")
        EpisodeFactory(program=program, admitted_on=ADMITTED)
        assert random_draw_make(program=program, on=a_monday() + dt.timedelta(days=1)) is None
        assert random_draw_make(program=program, on=a_monday()) is not None

    def test_program_without_a_policy_is_not_drawn(self, program):
        EpisodeFactory(program=program, admitted_on=ADMITTED)
        assert random_draw_make(program=program, on=a_monday()) is None
        assert random_draws_run(on=a_monday()) == []

    def test_the_real_draw_uses_the_system_csprng_and_tells_the_patient_nothing(self, program, policy):
        for _ in range(5):
            EpisodeFactory(program=program, admitted_on=ADMITTED)
        messages_before = OutboundMessage.objects.count()
        draws = random_draws_run(on=a_monday())
        assert [d.rng_source for d in draws] == [RNG_SOURCE]
        assert OutboundMessage.objects.count() == messages_before

    def test_daily_task_and_its_beat_schedule(self, program, policy):
        EpisodeFactory(program=program, admitted_on=ADMITTED)
        result = draw_random_tests.apply().get()
        assert set(result) == {program.code}
        assert draw_random_tests.apply().get() == result  # idempotent
        beat = PeriodicTask.objects.get(task="testing.tasks.draw_random_tests")
        assert beat.enabled and beat.crontab is not None

    def test_drawn_patients_are_on_todays_collection_list(self, login, counselor, program, policy):
        # Admitted two days ago: far from the longest gap, so drawn by chance.
        episode = EpisodeFactory(program=program, admitted_on=timezone.localdate() - dt.timedelta(days=2))
        CareTeamMemberFactory(patient=episode.patient, user=counselor)
        random_draw_make(program=program, rng=ScriptedRandom([0.0]))
        response = login(counselor).get(reverse("testing:testing_lists"))
        listing = response.text[
            response.text.index('id="collection-list"') : response.text.index('id="pending-results"')
        ]
        assert episode.patient.mrn in listing and "chance" in listing


@pytest.mark.django_db
class TestMeetingDays:
    """A draw happens only on a testing day the program meets on (the program fixture meets MO, TU, TH)."""

    def test_draws_only_on_testing_days_the_program_meets(self, program):
        ProgramClinicalPolicyFactory(program=program, testing_days="MO,WE,FR")
        EpisodeFactory(program=program, admitted_on=ADMITTED)
        tuesday, wednesday, friday = (a_monday() + dt.timedelta(days=n) for n in (1, 2, 4))
        assert random_draw_make(program=program, on=tuesday) is None  # meets, not a testing day
        assert random_draw_make(program=program, on=wednesday) is None  # a testing day, no meeting
        assert random_draw_make(program=program, on=friday) is None
        draw = random_draw_make(program=program, on=a_monday())
        # The chance spreads the weekly rate over the one day draws happen, and the record says so.
        assert draw.testing_days == "MO"
        assert draw.daily_probability == Decimal(f"{daily_probability(0.30, 1):.6f}")

    def test_no_shared_day_means_no_draw_and_a_logged_reason(self, program, caplog):
        ProgramClinicalPolicyFactory(program=program, testing_days="WE,FR")
        EpisodeFactory(program=program, admitted_on=ADMITTED)
        with caplog.at_level(logging.WARNING, logger="testing.services.random_draws"):
            days = [random_draw_make(program=program, on=a_monday() + dt.timedelta(days=n)) for n in range(7)]
            assert random_draws_run(on=a_monday()) == []
        assert days == [None] * 7 and not RandomDraw.objects.exists()
        assert f"Random draw skipped for program {program.code}" in caplog.text
        assert "share no day" in caplog.text

    def test_the_policy_refuses_testing_days_the_program_never_meets(self, program):
        policy = ProgramClinicalPolicyFactory.build(program=program, testing_days="WE,FR")
        with pytest.raises(ValidationError) as error:
            policy.full_clean()
        assert "Mon, Tue, Thu" in error.value.message_dict["testing_days"][0]
        policy.testing_days = "WE,TH"
        policy.full_clean()
        # With random testing off, the days are not used.
        policy.testing_days, policy.random_testing_enabled = "WE", False
        policy.full_clean()

    def test_the_policy_refuses_a_longest_gap_the_draw_days_cannot_keep(self, program):
        # Draws on MO, TU, TH: Thursday to Monday is 4 days.
        policy = ProgramClinicalPolicyFactory.build(program=program, testing_days="MO,TU,WE,TH", longest_gap_days=3)
        with pytest.raises(ValidationError) as error:
            policy.full_clean()
        assert "up to 4 days apart" in error.value.message_dict["longest_gap_days"][0]
        policy.longest_gap_days = 4
        policy.full_clean()

    def test_the_admin_shows_the_reason_next_to_the_field(self, login, admin_user, program):
        form = {
            "program": program.pk, "random_testing_enabled": "on", "weekly_testing_rate": "0.30",
            "longest_gap_days": "14", "testing_days": "SA,SU", "phq9_every_days": "14", "gad7_every_days": "14",
            "bam_every_days": "7",
        }  # fmt: skip
        response = login(admin_user).post(reverse("admin:testing_programclinicalpolicy_add"), form)
        assert response.status_code == 200
        assert "A draw happens only on a day the program meets" in response.text
        assert not ProgramClinicalPolicy.objects.filter(program=program).exists()


def test_next_testing_day_skips_to_the_next_configured_weekday():
    friday = dt.date(2026, 3, 6)
    assert next_testing_day(friday, WEEKDAYS) == dt.date(2026, 3, 9)
    assert next_testing_day(friday - dt.timedelta(days=1), WEEKDAYS) == friday
