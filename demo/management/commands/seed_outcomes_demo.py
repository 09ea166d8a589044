"""Give the demo clinic its outcomes: the measures asked at admission and discharge, TEDS identifiers, facts.

Run after ``seed_demo``, ``seed_schedule`` and ``seed_clinical_demo`` (``seed_clinical_demo`` calls it
at its end). The answers are synthetic and drawn from a seeded generator, so the page is the same on
every machine. They go through the outcomes services, as the chart's forms would; a few episodes are
left without them so the TEDS validation report has something to flag; the discharge measures are
asked of the discharges ``seed_demo`` wrote (with their aftercare plans and check-ins). The earlier
seeds write in bulk, past the services that keep the outcome facts, so the facts
are counted once at the end.
"""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from aftercare.models import Discharge
from outcomes.constants import (
    COMPLETION_TYPES,
    PRIOR_EPISODES_MAX,
    Education,
    Employment,
    Ethnicity,
    HealthInsurance,
    LivingArrangement,
    MaritalStatus,
    MeasurePoint,
    NotInLaborForce,
    PrimaryPayer,
    Race,
)
from outcomes.models import OutcomeMeasures, ProgramReporting
from outcomes.selectors.measures import chart_substances, profile_initial
from outcomes.services.facts import facts_rebuild
from outcomes.services.measures import SubstanceAnswer, admission_measures_record, outcome_measures_record
from patients.constants import SexAtBirth
from patients.models import Episode
from programs.models import Program

DEMO_STATE_FIPS = "25"  # Massachusetts, where the demo clinic's addresses are
# Every Nth episode is left without its admission (or discharge) measures: the TEDS report flags it.
ADMISSION_GAP, DISCHARGE_GAP = 11, 7


class Command(BaseCommand):
    help = "Record synthetic outcome measures for the demo clinic's episodes and count the outcome facts."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only count the facts when measures exist.")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, if_empty=False, seed=2026, **options):
        if if_empty and OutcomeMeasures.objects.exists():
            counts = facts_rebuild()
            self.stdout.write(f"Outcome measures already exist; facts recounted: {counts}.")
            return
        self.rng = random.Random(seed)
        with transaction.atomic():
            for program in Program.objects.order_by("pk"):
                ProgramReporting.objects.get_or_create(
                    program=program, defaults={"state_fips": DEMO_STATE_FIPS, "provider_id": f"MA{program.pk:07d}"}
                )
            episodes = list(
                Episode.objects.valid()
                .filter(patient__entered_in_error_at__isnull=True)
                .select_related("patient", "primary_clinician", "program")
                .order_by("pk")
            )
            discharges = {row.episode_id: row for row in Discharge.objects.valid()}
            measured = 0
            for index, episode in enumerate(episodes):
                measured += self.seed_episode(episode, index, discharges.get(episode.pk))
            counts = facts_rebuild()
        self.stdout.write(
            self.style.SUCCESS(f"Outcomes demo: measures for {measured} of {len(episodes)} episodes; facts {counts}.")
        )

    def seed_episode(self, episode: Episode, index: int, discharge: Discharge | None) -> int:
        substances = chart_substances(episode)
        if not substances or index % ADMISSION_GAP == ADMISSION_GAP - 1:
            return 0
        rng, by = self.rng, episode.primary_clinician
        working = rng.random() < 0.45
        housed = rng.random() < 0.88
        admission_measures_record(
            episode=episode,
            by=by,
            profile=self.profile(episode),
            measures=self.measures(working=working, housed=housed, arrests=rng.choice([0, 0, 0, 0, 1, 2])),
            substances=[
                SubstanceAnswer(
                    substance=row["substance"],
                    days=rng.randint(8, 30) if row["rank"] == 1 else rng.randint(0, 12),
                    rank=row["rank"],
                    route=row["route"] or "oral",
                    first_use_age=row["first_use_age"] or rng.randint(13, 25),
                )
                for row in substances
            ],
        )
        if discharge is None or index % DISCHARGE_GAP == DISCHARGE_GAP - 1:
            return 1
        completed = discharge.discharge_type in COMPLETION_TYPES
        # Those who complete treatment more often leave working, housed and abstinent (SAMHSA NOMs).
        better = 0.6 if completed else 0.2
        outcome_measures_record(
            episode=episode,
            point=MeasurePoint.DISCHARGE,
            by=by,
            substances=[
                SubstanceAnswer(substance=row["substance"], days=0 if rng.random() < better else rng.randint(1, 12))
                for row in substances
            ],
            **self.measures(
                working=working or rng.random() < better / 2,
                housed=housed or rng.random() < better,
                arrests=0 if rng.random() < 0.9 else 1,
                self_help=rng.randint(2, 16) if rng.random() < better + 0.2 else 0,
            ),
        )
        return 1

    def measures(self, *, working: bool, housed: bool, arrests: int, self_help: int | None = None) -> dict:
        rng = self.rng
        employment = rng.choice([Employment.FULL_TIME, Employment.PART_TIME]) if working else None
        if employment is None:
            employment = rng.choice([Employment.UNEMPLOYED, Employment.UNEMPLOYED, Employment.NOT_IN_LABOR_FORCE])
        return {
            "employment": employment,
            "not_in_labor_force": rng.choice(list(NotInLaborForce))
            if employment == Employment.NOT_IN_LABOR_FORCE
            else "",
            "in_school": rng.random() < 0.08,
            "living_arrangement": (
                rng.choice([LivingArrangement.INDEPENDENT, LivingArrangement.INDEPENDENT, LivingArrangement.DEPENDENT])
                if housed
                else LivingArrangement.HOMELESS
            ),
            "arrests": arrests,
            "self_help_times": rng.choice([0, 0, 1, 3, 6]) if self_help is None else self_help,
        }

    def profile(self, episode: Episode) -> dict:
        rng = self.rng
        prefilled = profile_initial(episode)
        female = episode.patient.sex_at_birth == SexAtBirth.FEMALE
        return {
            "race": rng.choice([Race.WHITE, Race.WHITE, Race.BLACK, Race.ASIAN, Race.MULTIPLE, Race.OTHER]),
            "ethnicity": rng.choice([Ethnicity.NOT_HISPANIC] * 4 + [Ethnicity.PUERTO_RICAN, Ethnicity.MEXICAN]),
            "marital_status": rng.choice(list(MaritalStatus)),
            "education": rng.choice(list(Education)),
            "veteran": rng.random() < 0.07,
            "pregnant": (rng.random() < 0.05) if female else None,
            "prior_episodes": min(prefilled.get("prior_episodes", 0) + rng.choice([0, 0, 1, 2]), PRIOR_EPISODES_MAX),
            "medication_planned": bool(prefilled.get("medication_planned")),
            "co_occurring": bool(prefilled.get("co_occurring")) or rng.random() < 0.3,
            "health_insurance": rng.choice([HealthInsurance.MEDICAID, HealthInsurance.PRIVATE, HealthInsurance.NONE]),
            "primary_payer": rng.choice([PrimaryPayer.MEDICAID, PrimaryPayer.PRIVATE, PrimaryPayer.OTHER_GOVERNMENT]),
        }
