# The chart's clinic: a program with its counselor, director, intake worker and admin; and Maria, the
# hand-made patient whose TEDS records the tests spell out field by field.
import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import SupervisorFactory
from aftercare.constants import DischargeType
from aftercare.services.discharge import episode_discharge
from outcomes.constants import (
    Education,
    Employment,
    Ethnicity,
    HealthInsurance,
    LivingArrangement,
    MaritalStatus,
    MeasurePoint,
    PrimaryPayer,
    Race,
)
from patients.constants import IntakeStatus, PatientStatus, ReferralSource, Route, SexAtBirth, Substance
from patients.tests.conftest import admin_user, counselor, director, intake_worker, other_counselor, program  # noqa: F401
from patients.tests.factories import EpisodeFactory, IntakeFactory, PatientFactory

from .factories import AdmissionProfileFactory, ProgramReportingFactory, measures


@pytest.fixture
def supervisor(db, program):  # noqa: F811
    return SupervisorFactory(programs=[program])


def day(offset: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=offset)


@pytest.fixture
def reporting(program):  # noqa: F811
    return ProgramReportingFactory(program=program, state_fips="25", provider_id="MA0001234")


@pytest.fixture
def maria(program, counselor, reporting):  # noqa: F811
    """Admitted 60 days ago from primary care (referred 65 days ago), discharged 10 days ago having completed."""
    patient = PatientFactory(
        legal_first_name="Maria",
        legal_last_name="Quintero",
        sex_at_birth=SexAtBirth.FEMALE,
        date_of_birth=dt.date(1990, 4, 12),
        status=PatientStatus.ADMITTED,
    )
    intake = IntakeFactory(
        patient=patient,
        referral_source=ReferralSource.PRIMARY_CARE,
        referral_date=day(65),
        status=IntakeStatus.ADMITTED,
        closed_at=timezone.now(),
    )
    episode = EpisodeFactory(
        patient=patient, program=program, primary_clinician=counselor, admitted_on=day(60), intake=intake
    )
    AdmissionProfileFactory(
        episode=episode,
        patient=patient,
        race=Race.BLACK,
        ethnicity=Ethnicity.NOT_HISPANIC,
        marital_status=MaritalStatus.DIVORCED_WIDOWED,
        education=Education.SOME_COLLEGE,
        veteran=False,
        pregnant=False,
        prior_episodes=2,
        medication_planned=True,
        co_occurring=True,
        health_insurance=HealthInsurance.MEDICAID,
        primary_payer=PrimaryPayer.MEDICAID,
        recorded_by=counselor,
    )
    measures(
        episode,
        MeasurePoint.ADMISSION,
        employment=Employment.UNEMPLOYED,
        living_arrangement=LivingArrangement.DEPENDENT,
        arrests=1,
        self_help_times=0,
        substances=[
            (Substance.ALCOHOL, 30, 1, Route.ORAL, 14),
            (Substance.COCAINE, 4, 2, Route.INTRANASAL, 19),
            (Substance.CANNABIS, 0, 3, Route.SMOKED, 16),
        ],
    )
    episode_discharge(
        episode=episode, discharged_on=day(10), discharge_type=DischargeType.COMPLETED, reason="Done.", by=counselor
    )
    measures(
        episode,
        MeasurePoint.DISCHARGE,
        employment=Employment.PART_TIME,
        living_arrangement=LivingArrangement.INDEPENDENT,
        arrests=0,
        self_help_times=8,
        substances=[(Substance.ALCOHOL, 0), (Substance.COCAINE, 0), (Substance.CANNABIS, 2)],
    )
    episode.refresh_from_db()
    return episode
