"""Random drug testing: fairness over many simulated days, and the recorded daily draw."""

import datetime as dt
import math
import secrets
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from notifications.models import OutboundMessage
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from testing.constants import RNG_SOURCE, DrawReason, DrugTestStatus
from testing.constants import TestReason as OrderReason
from testing.models import DrugTest, RandomDraw
from testing.services import drug_tests as drug_testing
from testing.services.random_draws import (
    choose_patients,
    daily_probability,
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


def simulate(rng) -> dict:
    """2,000 calendar days of a 40-patient program testing MO–FR; every drawn patient is tested that day."""
    start = dt.date(2024, 1, 1)  # a Monday
    probability = daily_probability(RATE, len(WEEKDAYS))
    # Admissions spread over the first two weeks, as in a real rolling-admission program.
    last_tested = {
        patient: start + dt.timedelta(days=rng.randrange(14)) - dt.timedelta(days=14) for patient in range(PATIENTS)
    }
    random_by_weekday, all_by_weekday, days_by_weekday = Counter(), Counter(), Counter()
    weeks_with_random_draw = defaultdict(set)
    longest_gap = 0
    for offset in range(DAYS):
        day = start + dt.timedelta(days=offset)
        if day.weekday() not in WEEKDAYS:
            continue
        days_by_weekday[day.weekday()] += 1
        outcome = choose_patients(
            last_tested=last_tested,
            probability=probability,
            longest_gap_days=GAP,
            next_day=next_testing_day(day, WEEKDAYS),
            rng=rng,
        )
        for patient, reason in outcome.drawn.items():
            longest_gap = max(longest_gap, (day - last_tested[patient]).days)
            last_tested[patient] = day
            all_by_weekday[day.weekday()] += 1
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
    return {
        "probability": probability,
        "weekly_rate": weekly_rate,
        "weeks": len(full_weeks),
        "daily_rate": sum(random_by_weekday.values()) / patient_days,
        "random_by_weekday": [random_by_weekday[w] for w in WEEKDAYS],
        "all_by_weekday": [all_by_weekday[w] for w in WEEKDAYS],
        "expected_share": [days_by_weekday[w] / sum(days_by_weekday.values()) for w in WEEKDAYS],
        "tests_per_patient_week": sum(all_by_weekday.values()) / (PATIENTS * DAYS / 7),
        "longest_gap": longest_gap,
    }


@pytest.fixture(scope="module")
def result():
    result = simulate(secrets.SystemRandom())
    print(f"\nrandom-draw simulation: {result}")  # the figures for the record (pytest -s)
    return result


class TestFairness:
    """Over 2,000 simulated days with the real CSPRNG (secrets.SystemRandom).

    Tolerances: a patient-week has a random draw with probability 0.30, independently,
    over 40 × 285 = 11,400 patient-weeks, so the observed rate has a standard error of
    √(0.3·0.7/11,400) ≈ 0.0043; ±0.02 is more than 4.5 standard errors (a false failure
    about once in 200,000 runs). The daily rate (57,000 patient-days, SE ≈ 0.0011) gets
    ±0.005. Weekday bias: Pearson chi-square over MO–FR (4 degrees of freedom) must give
    p > 0.001 (a fair draw fails that one run in a thousand).
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
        # Gap draws follow each patient's last test (a draw 14 days later falls on the same
        # weekday), so they are correlated and a chi-square would overstate the evidence;
        # the check is on shares instead: every weekday within 3 points of its fair share.
        total = sum(result["all_by_weekday"])
        for count, share in zip(result["all_by_weekday"], result["expected_share"], strict=True):
            assert abs(count / total - share) < 0.03

    def test_longest_gap_is_never_exceeded(self, result):
        assert result["longest_gap"] <= GAP

    def test_chi_square_detects_a_biased_draw(self):
        # The check has teeth: Mondays drawn 20% more often is caught.
        _, p_value = chi_square_p_value([1200, 1000, 1000, 1000, 1000], [1040] * 5)
        assert p_value < 0.001


class ScriptedRandom:
    """Stands in for SystemRandom where a test needs to know the numbers."""

    def __init__(self, values):
        self.values = list(values)

    def random(self):
        return self.values.pop(0)


@pytest.fixture
def policy(program):
    return ProgramClinicalPolicyFactory(program=program, testing_days="MO,TU,WE,TH,FR,SA,SU")


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
        episode = EpisodeFactory(program=program)
        CareTeamMemberFactory(patient=episode.patient, user=counselor)
        random_draw_make(program=program, rng=ScriptedRandom([0.0]))
        response = login(counselor).get(reverse("testing:testing_lists"))
        listing = response.text[
            response.text.index('id="collection-list"') : response.text.index('id="pending-results"')
        ]
        assert episode.patient.mrn in listing and "chance" in listing


def test_next_testing_day_skips_to_the_next_configured_weekday():
    friday = dt.date(2026, 3, 6)
    assert next_testing_day(friday, WEEKDAYS) == dt.date(2026, 3, 9)
    assert next_testing_day(friday - dt.timedelta(days=1), WEEKDAYS) == friday
