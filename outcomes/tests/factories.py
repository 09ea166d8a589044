"""Outcome measures, admission profiles and reporting identifiers, and a helper to record measures at a point."""

import factory

from accounts.tests.factories import CounselorFactory
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
from outcomes.models import AdmissionProfile, OutcomeMeasures, ProgramReporting, SubstanceDays
from programs.tests.factories import ProgramFactory


class ProgramReportingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramReporting

    program = factory.SubFactory(ProgramFactory)
    state_fips = "25"
    provider_id = factory.Sequence(lambda n: f"MA{n:07d}")


class AdmissionProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdmissionProfile

    episode = factory.SubFactory("patients.tests.factories.EpisodeFactory")
    patient = factory.SelfAttribute("episode.patient")
    race = Race.WHITE
    ethnicity = Ethnicity.NOT_HISPANIC
    marital_status = MaritalStatus.NEVER_MARRIED
    education = Education.GRADE_12
    veteran = False
    pregnant = None
    prior_episodes = 0
    medication_planned = False
    co_occurring = False
    health_insurance = HealthInsurance.MEDICAID
    primary_payer = PrimaryPayer.MEDICAID
    recorded_by = factory.SubFactory(CounselorFactory)


class OutcomeMeasuresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeMeasures

    episode = factory.SubFactory("patients.tests.factories.EpisodeFactory")
    patient = factory.SelfAttribute("episode.patient")
    point = MeasurePoint.ADMISSION
    employment = Employment.FULL_TIME
    living_arrangement = LivingArrangement.INDEPENDENT
    arrests = 0
    self_help_times = 0
    recorded_by = factory.SubFactory(CounselorFactory)


def measures(episode, point=MeasurePoint.ADMISSION, *, substances=(), **fields) -> OutcomeMeasures:
    """Measures at a point with substance days: ``substances`` = [(substance, days, rank, route, age)…]."""
    record = OutcomeMeasuresFactory(episode=episode, patient=episode.patient, point=point, **fields)
    for substance, days, *teds in substances:
        rank, route, age = [*teds, *(None, "", None)[len(teds) :]]
        SubstanceDays.objects.create(
            measures=record, substance=substance, days=days, rank=rank, route=route or "", first_use_age=age
        )
    return record
