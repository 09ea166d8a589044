"""The outcome facts stay equal to a from-scratch recount after any sequence of writes and corrections.

Every write goes through the service a user's click goes through (admission, attendance, drug-test
results, instruments, outcome measures, discharge, check-ins, level-of-care changes) or through the
correction every clinical record has (marked entered in error). A seeded random sequence mixes
them; after it, and along the way, ``facts_stored()`` must equal ``facts_recount()``.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aftercare.constants import DischargeType
from aftercare.models import AlumniCheckIn
from aftercare.services.checkins import alumni_checkin_record
from aftercare.services.discharge import episode_discharge
from medications.tests.factories import MedicationFactory
from outcomes.constants import Employment, LivingArrangement, MeasurePoint
from outcomes.services.facts import facts_rebuild, facts_recount, facts_stored
from outcomes.services.measures import SubstanceAnswer, outcome_measures_record
from patients.constants import EpisodeStatus, LevelOfCare, Route, Substance
from patients.instruments import Instrument
from patients.models import Episode, InstrumentResponse
from patients.services import instrument_record, level_of_care_change, patient_admit
from patients.tests.factories import AsamAssessmentFactory, ConsentFactory, IntakeFactory, PatientFactory
from scheduling.constants import AttendanceStatus
from scheduling.models import Attendance
from scheduling.services.attendance import attendance_record
from scheduling.tests.factories import SessionFactory
from testing.models import DrugTest
from testing.tests.factories import resulted_test

pytestmark = pytest.mark.django_db

STEPS = 70
BAM_ANSWERS = [1, 2, 2, 3, 3, 3, 0, 3, 1, 0, 2, 1, 0, 0, 3, 0, 1]


def local(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class Clinic:
    """A small clinic driven by a seeded random generator, one service call per step."""

    def __init__(self, rng: random.Random, program, counselor, intake_worker):
        self.rng, self.program, self.counselor, self.intake_worker = rng, program, counselor, intake_worker
        self.today = timezone.localdate()
        self.done: list[str] = []

    # --- helpers --------------------------------------------------------------------------------

    def active(self) -> list[Episode]:
        return list(Episode.objects.valid().filter(status=EpisodeStatus.ACTIVE, patient__entered_in_error_at=None))

    def episodes(self) -> list[Episode]:
        return list(Episode.objects.valid().filter(patient__entered_in_error_at=None))

    def some_day(self, episode: Episode) -> dt.date:
        last = episode.discharged_on or self.today - dt.timedelta(days=1)
        span = max((last - episode.admitted_on).days, 0)
        return episode.admitted_on + dt.timedelta(days=self.rng.randint(0, span))

    # --- the writes -----------------------------------------------------------------------------

    def admit(self):
        patients = [
            episode.patient
            for episode in Episode.objects.valid().filter(status=EpisodeStatus.DISCHARGED).select_related("patient")
            if not episode.patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).exists()
            and not episode.patient.is_entered_in_error
        ]
        patient = self.rng.choice(patients) if patients and self.rng.random() < 0.3 else PatientFactory()
        admitted_on = self.today - dt.timedelta(days=self.rng.randint(1, 150))
        latest = patient.episodes.valid().order_by("-discharged_on").first()
        if latest is not None and latest.discharged_on and admitted_on <= latest.discharged_on:
            admitted_on = min(latest.discharged_on + dt.timedelta(days=self.rng.randint(1, 40)), self.today)
        intake = IntakeFactory(
            patient=patient,
            referral_date=admitted_on - dt.timedelta(days=self.rng.randint(0, 12)),
            started_by=self.intake_worker,
        )
        AsamAssessmentFactory(patient=patient, intake=intake, assessed_by=self.intake_worker)
        ConsentFactory(patient=patient, recorded_by=self.intake_worker, granted_on=admitted_on - dt.timedelta(days=1))
        patient_admit(
            intake=intake,
            program=self.program,
            primary_clinician=self.counselor,
            admitted_by=self.intake_worker,
            target_weekly_hours=Decimal(self.rng.choice(["9", "12", "15"])),
            admitted_on=admitted_on,
        )

    def attend(self):
        episode = self.rng.choice(self.active())
        day = self.some_day(episode)
        session = SessionFactory(episode=episode, local_start=local(day, 9), minutes=self.rng.choice([60, 180, 200]))
        status = self.rng.choice([AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.UNEXCUSED])
        minutes = None if status == AttendanceStatus.UNEXCUSED else self.rng.randint(30, session.duration_minutes)
        attendance_record(
            session=session, patient_id=episode.patient_id, status=status, minutes=minutes, by=self.counselor
        )

    def correct_attendance(self):
        row = self.rng.choice(list(Attendance.objects.valid().select_related("session")))
        minutes = self.rng.randint(0, row.session.duration_minutes)
        attendance_record(
            session=row.session, patient_id=row.patient_id, status=AttendanceStatus.PRESENT, minutes=minutes,
            by=self.counselor,
        )  # fmt: skip

    def attendance_in_error(self):
        row = self.rng.choice(list(Attendance.objects.valid()))
        row.mark_entered_in_error(by=self.counselor, reason="Marked on the wrong patient.")

    def test(self):
        episode = self.rng.choice(self.active())
        if self.rng.random() < 0.3:
            MedicationFactory(patient=episode.patient, start_date=episode.admitted_on)
        positives = self.rng.choice([(), (), ("cocaine",), ("buprenorphine",), ("thc", "cocaine")])
        resulted_test(
            episode.patient, positives=positives, collected_at=local(self.some_day(episode), 8), by=self.counselor
        )

    def test_in_error(self):
        test = self.rng.choice(list(DrugTest.objects.valid().filter(resulted_at__isnull=False)))
        test.mark_entered_in_error(by=self.counselor, reason="Specimen of another patient.")

    def score(self):
        episode = self.rng.choice(self.episodes())
        instrument = self.rng.choice([Instrument.PHQ9, Instrument.GAD7, Instrument.BAM])
        if instrument == Instrument.PHQ9:
            answers = [self.rng.randint(0, 3) for _ in range(8)] + [0]
        elif instrument == Instrument.GAD7:
            answers = [self.rng.randint(0, 3) for _ in range(7)]
        else:
            answers = BAM_ANSWERS
        instrument_record(
            patient=episode.patient,
            instrument=instrument,
            answers=answers,
            administered_by=self.counselor,
            administered_at=local(self.some_day(episode), 10 + self.rng.randint(0, 6)),
            episode=episode if self.rng.random() < 0.7 else None,
        )

    def score_in_error(self):
        response = self.rng.choice(list(InstrumentResponse.objects.valid()))
        response.mark_entered_in_error(by=self.counselor, reason="Scored for the wrong patient.")

    def measure(self):
        episode = self.rng.choice(self.episodes())
        point = MeasurePoint.DISCHARGE if episode.status == EpisodeStatus.DISCHARGED else MeasurePoint.ADMISSION
        if point == MeasurePoint.DISCHARGE and self.rng.random() < 0.4:
            point = MeasurePoint.ADMISSION
        at_admission = point == MeasurePoint.ADMISSION
        substances = [
            SubstanceAnswer(
                Substance.ALCOHOL, self.rng.randint(0, 30), 1 if at_admission else None,
                Route.ORAL if at_admission else "", 15 if at_admission else None,
            ),
        ]  # fmt: skip
        if self.rng.random() < 0.5:
            substances.append(SubstanceAnswer(Substance.COCAINE, self.rng.randint(0, 30)))
        outcome_measures_record(
            episode=episode,
            point=point,
            by=self.counselor,
            substances=substances,
            employment=self.rng.choice([Employment.FULL_TIME, Employment.UNEMPLOYED]),
            living_arrangement=self.rng.choice(list(LivingArrangement)),
            arrests=self.rng.randint(0, 2),
            self_help_times=self.rng.randint(0, 6),
        )

    def discharge(self):
        episode = self.rng.choice(self.active())
        kind = self.rng.choice([DischargeType.COMPLETED, DischargeType.AGAINST_ADVICE, DischargeType.ADMINISTRATIVE])
        episode_discharge(
            episode=episode, discharged_on=self.some_day(episode), discharge_type=kind, reason="Synthetic.",
            by=self.counselor,
        )  # fmt: skip

    def checkin(self):
        checkin = self.rng.choice(list(AlumniCheckIn.objects.valid().filter(completed_at__isnull=True)))
        reached = self.rng.random() < 0.7
        alumni_checkin_record(
            checkin=checkin,
            by=self.counselor,
            reached=reached,
            using=self.rng.choice([True, False, None]) if reached else None,
            notes="Called.",
        )

    def step_down(self):
        episode = self.rng.choice(self.active())
        level_of_care_change(
            episode=episode,
            to_level=LevelOfCare.OP,
            reason="Stable for weeks; steps down to outpatient.",
            recorded_by=self.counselor,
            effective_on=self.some_day(episode),
            target_weekly_hours=Decimal("6"),
        )

    def episode_in_error(self):
        episode = self.rng.choice(self.episodes())
        episode.mark_entered_in_error(by=self.counselor, reason="Opened on the wrong chart.")

    def patient_in_error(self):
        episode = self.rng.choice(self.episodes())
        episode.patient.mark_entered_in_error(by=self.counselor, reason="Duplicate chart.")

    WEIGHTS = {
        "admit": 8, "attend": 14, "correct_attendance": 3, "attendance_in_error": 2, "test": 8,
        "test_in_error": 2, "score": 8, "score_in_error": 2, "measure": 6, "discharge": 5, "checkin": 4,
        "step_down": 1, "episode_in_error": 1, "patient_in_error": 1,
    }  # fmt: skip

    def step(self) -> None:
        name = self.rng.choices(list(self.WEIGHTS), weights=list(self.WEIGHTS.values()))[0]
        if not self.active() and name not in ("admit",):
            name = "admit"
        try:
            with transaction.atomic():
                getattr(self, name)()
        except (IndexError, ValidationError):
            # Nothing to act on yet (an empty choice), or the service refused (a date the episode does
            # not cover): nothing was written, which the recount must agree with too.
            self.done.append(f"{name} (refused)")
            return
        self.done.append(name)


def assert_facts_equal_recount(done):
    stored, counted = facts_stored(), facts_recount()
    for table in counted:
        assert stored[table].keys() == counted[table].keys(), (table, done)
        for key, values in counted[table].items():
            assert stored[table][key] == values, (table, key, done)


@pytest.mark.parametrize("seed", [13, 2026, 90210])
def test_facts_equal_a_recount_after_random_writes_and_corrections(seed, program, counselor, intake_worker):
    clinic = Clinic(random.Random(seed), program, counselor, intake_worker)
    for number in range(STEPS):
        clinic.step()
        if number % 10 == 9:
            assert_facts_equal_recount(clinic.done)
    assert_facts_equal_recount(clinic.done)
    written = {name for name in clinic.done if "refused" not in name}
    # The sequence really exercised the writers, corrections included.
    assert {"admit", "attend", "test", "score", "measure", "discharge"} <= written
    assert written & {"attendance_in_error", "test_in_error", "score_in_error", "correct_attendance"}
    counted = facts_recount()
    assert counted["episodes"] and counted["weeks"] and counted["tests"] and counted["intakes"]


def test_rebuild_gives_what_the_services_kept(program, counselor, intake_worker):
    clinic = Clinic(random.Random(7), program, counselor, intake_worker)
    for _ in range(25):
        clinic.step()
    kept = facts_stored()
    facts_rebuild()
    assert facts_stored() == kept
