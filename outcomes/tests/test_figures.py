"""Every figure of the outcomes page on a small hand-made clinic where the right answer is known.

T is today. The period is the 90 days [T-119, T-30]; the previous one [T-209, T-120]. Episodes of
the program (P) and of another program (Q, which the figures must leave out):

    E1  admitted T-100, discharged T-40  completed       LOS 60  PHQ-9 16→6, GAD-7 12→5, measured twice
    E2  admitted T-90,  discharged T-80  left early      LOS 10  (patient readmitted as E8 ten days later)
    E3  admitted T-60,  active                                    PHQ-9 9→4, BAM twice, three drug tests
    E4  admitted T-50,  discharged T-35  stepped down    LOS 15  measured twice
    E5  admitted T-35,  active                                    on buprenorphine, tested positive for it
    E6  admitted T-150, discharged T-125 administrative  LOS 25  (previous period)
    E7  admitted T-200, discharged T-100 completed       LOS 100 PHQ-9 20→3
    E8  admitted T-70,  active (E2's patient again)
    E9  program Q: admitted T-60, discharged T-45 left early
"""

import datetime as dt

import pytest
from django.utils import timezone

from aftercare.constants import DischargeType
from aftercare.models import AlumniCheckIn
from aftercare.services.checkins import alumni_checkin_record
from aftercare.services.discharge import episode_discharge
from medications.tests.factories import MedicationFactory
from outcomes.constants import Employment, LivingArrangement, MeasurePoint, PeriodKind
from outcomes.selectors.cohorts import Scope
from outcomes.selectors.figures import outcomes_for
from outcomes.selectors.periods import Period
from outcomes.selectors.statistics import kaplan_meier, median
from outcomes.services.facts import facts_rebuild
from patients.constants import IntakeStatus, LevelOfCare, PatientStatus, Substance
from patients.instruments import Instrument
from patients.tests.factories import EpisodeFactory, InstrumentResponseFactory, IntakeFactory, PatientFactory
from programs.tests.factories import ProgramFactory
from scheduling.constants import AttendanceStatus
from scheduling.models import Attendance
from scheduling.recurrence import week_start
from scheduling.tests.factories import SessionFactory
from testing.tests.factories import resulted_test

from .factories import measures

pytestmark = pytest.mark.django_db

BAM_FIRST = [1, 2, 2, 3, 3, 3, 0, 3, 1, 0, 2, 1, 0, 0, 3, 0, 1]  # use 9, risk 13, protective 2
BAM_LATEST = [0, 0, 1, 1, 0, 1, 0, 1, 3, 2, 0, 3, 3, 4, 1, 3, 3]  # use 2, risk 3, protective 18


def day(offset: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=offset)


def at(offset: int, hour: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day(offset), dt.time(hour, 0)))


def phq9(total: int) -> list[int]:
    """PHQ-9 answers adding up to ``total`` with item 9 at 0 (no safety alert)."""
    items = [0] * 9
    for index in range(total):
        items[index % 8] += 1
    return items


def gad7(total: int) -> list[int]:
    items = [0] * 7
    for index in range(total):
        items[index % 7] += 1
    return items


def score(patient, instrument, items, offset, episode):
    InstrumentResponseFactory(
        patient=patient, instrument=instrument, items=items, administered_at=at(offset), episode=episode
    )


def discharge(episode, offset, kind, counselor, **extra):
    return episode_discharge(
        episode=episode, discharged_on=day(offset), discharge_type=kind, reason="Synthetic.", by=counselor, **extra
    )


def admitted(program, counselor, offset, *, patient=None, referral=None):
    patient = patient or PatientFactory(status=PatientStatus.ADMITTED)
    intake = None
    if referral is not None:
        intake = IntakeFactory(
            patient=patient, referral_date=day(referral), status=IntakeStatus.ADMITTED, closed_at=at(offset)
        )
    return EpisodeFactory(
        patient=patient, program=program, primary_clinician=counselor, admitted_on=day(offset), intake=intake
    )


def checkin(record, days, counselor, **answers):
    item = AlumniCheckIn.objects.get(discharge=record, days_after_discharge=days)
    alumni_checkin_record(checkin=item, by=counselor, notes="Called twice.", **answers)


@pytest.fixture
def clinic(program, counselor):
    other = ProgramFactory(name="Other program")
    e1 = admitted(program, counselor, 100, referral=110)
    e2 = admitted(program, counselor, 90)
    e3 = admitted(program, counselor, 60, referral=63)
    e4 = admitted(program, counselor, 50)
    e5 = admitted(program, counselor, 35, referral=40)
    e6 = admitted(program, counselor, 150)
    e7 = admitted(program, counselor, 200)
    e9 = admitted(other, counselor, 60)
    IntakeFactory(referral_date=day(45))  # a referral placed in no program yet

    score(e1.patient, Instrument.PHQ9, phq9(16), 99, e1)
    score(e1.patient, Instrument.PHQ9, phq9(6), 45, e1)
    score(e1.patient, Instrument.GAD7, gad7(12), 99, e1)
    score(e1.patient, Instrument.GAD7, gad7(5), 45, e1)
    score(e2.patient, Instrument.PHQ9, phq9(15), 89, e2)
    score(e3.patient, Instrument.PHQ9, phq9(9), 59, e3)
    score(e3.patient, Instrument.PHQ9, phq9(4), 40, e3)
    score(e3.patient, Instrument.BAM, BAM_FIRST, 59, e3)
    score(e3.patient, Instrument.BAM, BAM_LATEST, 40, e3)
    score(e7.patient, Instrument.PHQ9, phq9(20), 199, e7)
    score(e7.patient, Instrument.PHQ9, phq9(3), 101, e7)

    resulted_test(e3.patient, positives=("cocaine",), collected_at=at(58), by=counselor)  # week 1
    resulted_test(e3.patient, collected_at=at(52), by=counselor)  # week 2
    resulted_test(e3.patient, collected_at=at(32), by=counselor)  # week 5
    MedicationFactory(patient=e5.patient, start_date=day(40))
    resulted_test(e5.patient, positives=("buprenorphine",), collected_at=at(33), by=counselor)  # week 1, expected

    measures(
        e1,
        employment=Employment.UNEMPLOYED,
        living_arrangement=LivingArrangement.HOMELESS,
        arrests=1,
        self_help_times=0,
        substances=[(Substance.ALCOHOL, 20, 1)],
    )
    measures(e2, employment=Employment.PART_TIME, substances=[(Substance.COCAINE, 12, 1)])
    measures(
        e4,
        employment=Employment.FULL_TIME,
        living_arrangement=LivingArrangement.INDEPENDENT,
        arrests=0,
        self_help_times=2,
        substances=[(Substance.CANNABIS, 10, 1)],
    )

    r1 = discharge(e1, 40, DischargeType.COMPLETED, counselor)
    r2 = discharge(e2, 80, DischargeType.AGAINST_ADVICE, counselor)
    r4 = discharge(e4, 35, DischargeType.STEP_DOWN, counselor, next_level_of_care=LevelOfCare.OP, referred_to="OP")
    discharge(e6, 125, DischargeType.ADMINISTRATIVE, counselor)
    r7 = discharge(e7, 100, DischargeType.COMPLETED, counselor)
    discharge(e9, 45, DischargeType.AGAINST_ADVICE, counselor)
    e8 = admitted(program, counselor, 70, patient=e2.patient)

    measures(
        e1,
        MeasurePoint.DISCHARGE,
        employment=Employment.PART_TIME,
        living_arrangement=LivingArrangement.DEPENDENT,
        arrests=0,
        self_help_times=8,
        substances=[(Substance.ALCOHOL, 0)],
    )
    measures(
        e4,
        MeasurePoint.DISCHARGE,
        employment=Employment.FULL_TIME,
        living_arrangement=LivingArrangement.INDEPENDENT,
        arrests=0,
        self_help_times=0,
        substances=[(Substance.CANNABIS, 3)],
    )

    checkin(r1, 7, counselor, reached=True, using=False)
    checkin(r1, 30, counselor, reached=True, using=True)
    checkin(r4, 7, counselor, reached=False)
    checkin(r2, 7, counselor, reached=True, using=True)
    checkin(r2, 30, counselor, reached=False)
    checkin(r7, 7, counselor, reached=True)
    checkin(r7, 30, counselor, reached=True, using=False)
    checkin(r7, 90, counselor, reached=True, using=False)

    facts_rebuild()
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5, "e6": e6, "e7": e7, "e8": e8, "e9": e9}


@pytest.fixture
def outcomes(clinic, program):
    period = Period(PeriodKind.CUSTOM, day(119), day(30))
    return outcomes_for(Scope((program.pk,), period, period.previous(), timezone.localdate()))


def figure(outcomes, key):
    found = outcomes.figure(key)
    return found.current.value, found.current.numerator, found.current.denominator


def previous(outcomes, key):
    found = outcomes.figure(key)
    return found.previous.value, found.previous.numerator, found.previous.denominator


class TestCensusAndAccess:
    def test_referrals_admissions_discharges_and_census(self, outcomes):
        # Three referrals placed in the program and one in none; the other program's are not counted.
        assert figure(outcomes, "referrals") == (4, 3, None)
        assert figure(outcomes, "admissions") == (6, None, None)  # E1, E2, E3, E4, E5, E8
        assert previous(outcomes, "admissions") == (2, None, None)  # E6, E7
        assert figure(outcomes, "discharges") == (4, None, None)  # E1, E2, E4, E7
        assert previous(outcomes, "discharges") == (1, None, None)  # E6
        assert figure(outcomes, "active_end") == (3, None, None)  # E3, E5, E8 on T-30
        assert previous(outcomes, "active_end") == (1, None, None)  # E7 on T-120

    def test_days_from_referral_to_admission(self, outcomes):
        # E1 waited 10 days, E3 3, E5 5: the median is 5.
        assert figure(outcomes, "days_waiting") == (5.0, None, 3)

    def test_census_by_week(self, outcomes, clinic):
        chart = next(chart for chart in outcomes.charts if chart.key == "census")
        census = dict(zip(chart.labels, chart.series[0]["data"], strict=True))
        monday = week_start(day(30))  # the last week starting in the period
        # On that Monday E3, E5 and E8 are in treatment, and E4 (discharged T-35) too if it was not yet gone.
        expected = sum(
            1
            for episode in ("e3", "e4", "e5", "e8")
            if clinic[episode].admitted_on <= monday
            and (clinic[episode].discharged_on is None or clinic[episode].discharged_on >= monday)
        )
        assert census[f"{monday:%b} {monday.day}"] == expected


class TestRetentionAndCompletion:
    def test_retention_at_30_60_90_days(self, outcomes):
        assert figure(outcomes, "retention_30") == (83.3, 5, 6)  # only E2 left before day 30
        assert figure(outcomes, "dropouts_30") == (16.7, 1, 6)
        assert figure(outcomes, "retention_60") == (75.0, 3, 4)  # E1, E3, E8 of E1, E2, E3, E8
        assert figure(outcomes, "retention_90") == (50.0, 1, 2)  # E1 completed before day 90; E2 left

    def test_completion_median_stay_and_types(self, outcomes):
        assert figure(outcomes, "completion") == (75.0, 3, 4)  # E1, E4 (step-down), E7 of 4
        assert figure(outcomes, "median_stay") == (37.5, None, 4)  # 10, 15, 60, 100
        types = next(chart for chart in outcomes.charts if chart.key == "discharge_types")
        rows = {row[0]: (row[1], row[2]) for row in types.rows}
        assert rows == {
            "Completed the program": (2, 0),
            "Step-down to outpatient (OP)": (1, 0),
            "Left against clinical advice": (1, 0),
            "Administrative discharge": (0, 1),
        }

    def test_retention_curve_censors_the_active(self, outcomes):
        curve = next(chart for chart in outcomes.charts if chart.key == "retention")
        by_day = {row[0]: row[1] for row in curve.rows}
        # Six admissions: E2 leaves on day 10 (5/6 = 83.3 %), E4 on day 15 (5 at risk: × 4/5 = 66.7 %);
        # E5 is censored on day 35; on day 60 E1 leaves and E3 is censored (3 at risk: × 2/3 = 44.4 %).
        assert by_day[7] == 100.0
        assert by_day[14] == 83.3
        assert by_day[30] == 66.7
        assert by_day[60] == 44.4


class TestAbstinence:
    def test_negative_tests_by_week_with_expected_medication_excluded(self, outcomes):
        assert figure(outcomes, "negative_tests") == (75.0, 3, 4)
        chart = next(chart for chart in outcomes.charts if chart.key == "tests_by_week")
        weeks = dict(zip(chart.labels, chart.series[0]["data"], strict=True))
        assert (weeks["1"], weeks["2"], weeks["5"], weeks["3"]) == (50.0, 100.0, 100.0, None)

    def test_days_of_use_at_admission_and_discharge(self, outcomes):
        # E1 and E4 were measured twice: alcohol 20 → 0, cannabis 10 → 3.
        assert figure(outcomes, "use_days_admission") == (15.0, 30, 2)
        assert figure(outcomes, "use_days_discharge") == (1.5, 3, 2)
        assert figure(outcomes, "abstinent_admission") == (0.0, 0, 2)
        assert figure(outcomes, "abstinent_discharge") == (50.0, 1, 2)


class TestSymptoms:
    def test_phq9_and_gad7_paired_change_response_and_remission(self, outcomes):
        # Paired in the period: E1 16→6, E3 9→4, E7 20→3 (E2 had one score only).
        assert figure(outcomes, "phq9_first") == (15.0, 45, 3)
        assert figure(outcomes, "phq9_latest") == (4.3, 13, 3)
        assert figure(outcomes, "phq9_response") == (100.0, 2, 2)  # E1 and E7 started at 10 or more
        assert figure(outcomes, "phq9_remission") == (50.0, 1, 2)  # E7 under 5
        assert figure(outcomes, "gad7_response") == (100.0, 1, 1)  # E1 12→5

    def test_bam_subscales(self, outcomes):
        assert figure(outcomes, "bam_use_first") == (9.0, 9, 1)
        assert figure(outcomes, "bam_use_latest") == (2.0, 2, 1)
        assert figure(outcomes, "bam_risk_first")[0] == 13.0
        assert figure(outcomes, "bam_risk_latest")[0] == 3.0
        assert figure(outcomes, "bam_protective_first")[0] == 2.0
        assert figure(outcomes, "bam_protective_latest")[0] == 18.0


class TestRecoveryCapital:
    def test_admission_against_discharge(self, outcomes):
        assert figure(outcomes, "working_admission") == (50.0, 1, 2)  # E4 only
        assert figure(outcomes, "working_discharge") == (100.0, 2, 2)
        assert figure(outcomes, "housed_admission") == (50.0, 1, 2)  # E1 was homeless
        assert figure(outcomes, "housed_discharge") == (100.0, 2, 2)
        assert figure(outcomes, "no_arrests_admission") == (50.0, 1, 2)
        assert figure(outcomes, "no_arrests_discharge") == (100.0, 2, 2)
        assert figure(outcomes, "self_help_admission") == (50.0, 1, 2)  # E4 went twice
        assert figure(outcomes, "self_help_discharge") == (50.0, 1, 2)  # E1 went 8 times, E4 none


class TestAftercare:
    def test_checkin_reach_and_status(self, outcomes):
        assert figure(outcomes, "checkin_7_reach") == (75.0, 3, 4)  # E1, E2, E7 of E1, E2, E4, E7
        assert figure(outcomes, "checkin_7_using") == (33.3, 1, 3)  # E2
        assert figure(outcomes, "checkin_30_reach") == (50.0, 2, 4)  # E1, E7 (E4's still open counts as due)
        assert figure(outcomes, "checkin_30_using") == (50.0, 1, 2)  # E1
        assert figure(outcomes, "checkin_90_reach") == (100.0, 1, 1)  # only E7's was due
        assert figure(outcomes, "checkin_180_reach") == (None, 0, 0)

    def test_readmission_within_30_and_90_days(self, outcomes):
        assert figure(outcomes, "readmitted_30") == (25.0, 1, 4)  # E2's patient, 10 days later
        assert figure(outcomes, "readmitted_90") == (0.0, 0, 1)  # only E7 was discharged 90+ days ago


class TestEngagement:
    """A second small clinic: two weeks that have ended, two patients, attendance written in minutes."""

    @pytest.fixture
    def engagement(self, program, counselor):
        first = week_start(timezone.localdate()) - dt.timedelta(weeks=3)
        second = first + dt.timedelta(weeks=1)
        steady = EpisodeFactory(program=program, admitted_on=first - dt.timedelta(days=30), target_weekly_hours=10)
        late = EpisodeFactory(program=program, admitted_on=first + dt.timedelta(days=2), target_weekly_hours=9)

        def attend(episode, on, minutes, status=AttendanceStatus.PRESENT):
            start = timezone.make_aware(dt.datetime.combine(on, dt.time(9, 0)))
            session = SessionFactory(episode=episode, local_start=start, minutes=200)
            Attendance.objects.create(
                session=session,
                patient=episode.patient,
                episode=episode,
                status=status,
                minutes_attended=minutes,
                recorded_by=counselor,
                recorded_at=start,
            )

        for offset in (0, 1, 3):  # 3 days of 200 minutes: 10 hours, in the 9-20 band, 3 billable days
            attend(steady, first + dt.timedelta(days=offset), 200)
        for offset in (0, 2):  # 2 days: 6.7 hours, below the band, 2 billable days
            attend(steady, second + dt.timedelta(days=offset), 200)
        attend(steady, second + dt.timedelta(days=4), 0, AttendanceStatus.UNEXCUSED)
        attend(late, first + dt.timedelta(days=3), 180)  # a partial first week: not a whole week
        attend(late, second + dt.timedelta(days=1), 180)  # 3 hours: below the band, 1 billable day
        facts_rebuild()
        period = Period(PeriodKind.CUSTOM, first, second + dt.timedelta(days=6))
        return outcomes_for(Scope((program.pk,), period, period.previous(), timezone.localdate()))

    def test_show_rate_hours_band_and_billable_days(self, engagement):
        assert figure(engagement, "show_rate") == (87.5, 7, 8)
        # Planned: 14 days at 10 h/week = 20 h, 12 days at 9 h/week = 15.4 h; delivered 1,360 minutes.
        assert figure(engagement, "hours_delivered") == (64.1, 22.7, 35.4)
        # Whole patient-weeks: the steady patient's two, the late one's second: 1 of 3 in the band.
        assert figure(engagement, "weeks_in_band") == (33.3, 1, 3)
        assert figure(engagement, "billable_days") == (2.0, 6, 3)


def test_median_and_kaplan_meier_arithmetic():
    assert median({}) is None
    assert median({5: 1}) == 5.0
    assert median({1: 1, 3: 1}) == 2.0
    assert median({1: 2, 7: 1}) == 1.0
    assert kaplan_meier({}, 3) == [None, None, None, None]
    # Two patients: one leaves on day 1, one still in treatment on day 2 (censored).
    assert kaplan_meier({(1, True): 1, (2, False): 1}, 3) == [100.0, 50.0, 50.0, 50.0]
