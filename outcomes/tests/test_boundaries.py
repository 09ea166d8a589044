"""Each figure's edges, both sides written in the test: day 30 against day 29, a 50 % reduction exactly,
a PHQ-9 of 5, readmission on day 30 against day 31, the hours band's half-open ends, week 1 against week 2."""

import datetime as dt

import pytest
from django.utils import timezone

from aftercare.constants import DischargeType
from aftercare.services.discharge import episode_discharge
from outcomes.constants import PeriodKind
from outcomes.models import AttendanceWeekFact, DrugTestFact
from outcomes.selectors.cohorts import Scope
from outcomes.selectors.figures import outcomes_for
from outcomes.selectors.periods import Period
from outcomes.services.facts import facts_rebuild
from patients.constants import PatientStatus
from patients.instruments import Instrument
from patients.tests.factories import EpisodeFactory, InstrumentResponseFactory, PatientFactory
from scheduling.constants import AttendanceStatus
from scheduling.models import Attendance
from scheduling.recurrence import week_start
from scheduling.tests.factories import SessionFactory
from testing.tests.factories import resulted_test

pytestmark = pytest.mark.django_db


def day(offset: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=offset)


def at(on: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on, dt.time(hour, 0)))


def figures(program, first: int, last: int):
    period = Period(PeriodKind.CUSTOM, day(first), day(last))
    facts_rebuild()
    return outcomes_for(Scope((program.pk,), period, period.previous(), timezone.localdate()))


def figure(outcomes, key):
    found = outcomes.figure(key)
    return found.current.value, found.current.numerator, found.current.denominator


def episode(program, counselor, admitted: int, *, patient=None):
    patient = patient or PatientFactory(status=PatientStatus.ADMITTED)
    return EpisodeFactory(patient=patient, program=program, primary_clinician=counselor, admitted_on=day(admitted))


def discharge(record, offset: int, counselor, kind=DischargeType.AGAINST_ADVICE):
    episode_discharge(episode=record, discharged_on=day(offset), discharge_type=kind, reason="Synthetic.", by=counselor)


def test_retention_counts_day_30_in_and_day_29_out(program, counselor):
    stayed_30 = episode(program, counselor, 100)
    left_at_29 = episode(program, counselor, 100)
    episode(program, counselor, 30)  # admitted 30 days ago: in the 30-day cohort, still in treatment
    episode(program, counselor, 29)  # admitted 29 days ago: not yet in the 30-day cohort
    discharge(stayed_30, 70, counselor)  # 30 days in treatment: retained at 30 days
    discharge(left_at_29, 71, counselor)  # 29 days: left before day 30
    outcomes = figures(program, 120, 1)
    assert figure(outcomes, "admissions") == (4, None, None)
    assert figure(outcomes, "retention_30") == (66.7, 2, 3)
    assert figure(outcomes, "dropouts_30") == (33.3, 1, 3)
    # At 60 days: the two discharged (the one admitted 30 days ago has not reached day 60).
    assert figure(outcomes, "retention_60") == (0.0, 0, 2)
    assert figure(outcomes, "median_stay") == (29.5, None, 2)


def test_completion_before_day_30_counts_as_retained(program, counselor):
    completed_early = episode(program, counselor, 100)
    discharge(completed_early, 80, counselor, DischargeType.COMPLETED)  # 20 days, completed
    outcomes = figures(program, 120, 1)
    assert figure(outcomes, "retention_30") == (100.0, 1, 1)
    assert figure(outcomes, "completion") == (100.0, 1, 1)


def phq9(total: int) -> list[int]:
    items = [0] * 9
    for index in range(total):
        items[index % 8] += 1
    return items


@pytest.mark.parametrize(
    ("first", "latest", "response", "remission"),
    [
        (15, 8, False, False),  # 46.7 % lower: not a response
        (15, 7, True, False),  # 53.3 % lower: a response
        (14, 7, True, False),  # exactly 50 % lower: a response
        (10, 5, True, False),  # a PHQ-9 of 5 is mild, not remission
        (12, 4, True, True),  # under 5: remission
    ],
)
def test_phq9_response_at_exactly_half_and_remission_under_5(program, counselor, first, latest, response, remission):
    record = episode(program, counselor, 60)
    for score, offset in ((first, 59), (latest, 10)):
        InstrumentResponseFactory(
            patient=record.patient,
            episode=record,
            instrument=Instrument.PHQ9,
            items=phq9(score),
            administered_at=at(day(offset)),
        )
    outcomes = figures(program, 90, 1)
    assert figure(outcomes, "phq9_response") == (100.0 if response else 0.0, int(response), 1)
    assert figure(outcomes, "phq9_remission") == (100.0 if remission else 0.0, int(remission), 1)


def test_a_baseline_under_10_is_left_out_of_response_and_remission(program, counselor):
    low, moderate = episode(program, counselor, 60), episode(program, counselor, 60)
    for record, first, latest in ((low, 9, 2), (moderate, 10, 6)):
        for score, offset in ((first, 59), (latest, 10)):
            InstrumentResponseFactory(
                patient=record.patient,
                episode=record,
                instrument=Instrument.PHQ9,
                items=phq9(score),
                administered_at=at(day(offset)),
            )
    outcomes = figures(program, 90, 1)
    assert figure(outcomes, "phq9_response") == (0.0, 0, 1)  # 10 → 6 is 40 % lower
    assert figure(outcomes, "phq9_first") == (9.5, 19, 2)  # the paired means count both
    assert figure(outcomes, "phq9_latest") == (4.0, 8, 2)


def test_readmission_on_day_30_counts_and_day_31_does_not(program, counselor):
    back_on_30, back_on_31 = episode(program, counselor, 150), episode(program, counselor, 150)
    discharge(back_on_30, 120, counselor)
    discharge(back_on_31, 120, counselor)
    episode(program, counselor, 90, patient=back_on_30.patient)
    episode(program, counselor, 89, patient=back_on_31.patient)
    outcomes = figures(program, 200, 100)
    assert figure(outcomes, "readmitted_30") == (50.0, 1, 2)
    assert figure(outcomes, "readmitted_90") == (100.0, 2, 2)


def test_negative_tests_week_1_is_the_admission_day_and_six_after(program, counselor):
    record = episode(program, counselor, 40)
    resulted_test(record.patient, positives=("cocaine",), collected_at=at(record.admitted_on + dt.timedelta(days=6)))
    resulted_test(record.patient, collected_at=at(record.admitted_on + dt.timedelta(days=7)))
    facts_rebuild()
    assert dict(DrugTestFact.objects.values_list("treatment_week", "negative")) == {1: False, 2: True}


@pytest.mark.parametrize(("minutes", "in_band"), [(539, False), (540, True), (1199, True), (1200, False)])
def test_hours_band_is_half_open_9_to_under_20(program, counselor, minutes, in_band):
    monday = week_start(timezone.localdate()) - dt.timedelta(weeks=2)
    record = episode(program, counselor, (timezone.localdate() - monday).days + 10)
    left = minutes
    for offset in range(5):
        length = min(left, 240)
        if not length:
            break
        session = SessionFactory(episode=record, local_start=at(monday + dt.timedelta(days=offset), 9), minutes=240)
        Attendance.objects.create(
            session=session, patient=record.patient, episode=record, status=AttendanceStatus.PRESENT,
            minutes_attended=length, recorded_by=counselor, recorded_at=session.start,
        )  # fmt: skip
        left -= length
    facts_rebuild()
    week = AttendanceWeekFact.objects.get(episode=record, week_start=monday)
    assert (week.minutes, week.in_band, week.whole_week) == (minutes, in_band, True)
