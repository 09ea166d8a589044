"""Add medications, drug tests, sobriety dates and clinical policies to an already-seeded demo clinic.

Run after ``seed_demo``. Everything goes through the real services, so interpretations,
flags and history are what the clinic would see. Positives cluster early in an episode
and fade, as they do in treatment.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.constants import Role
from medications.constants import MedicationSource
from medications.services import medications as medication_services
from patients.constants import EpisodeStatus, Substance
from patients.models import Episode
from programs.models import Program
from testing.constants import AnalyteOutcome, ResultMethod, TestReason
from testing.models import DrugTest, Panel, ProgramClinicalPolicy
from testing.services import drug_tests as drug_testing
from testing.services.random_draws import random_draws_run
from testing.validity import SpecimenChecks

# What a relapse on the primary substance shows on a urine cup.
SUBSTANCE_ANALYTES = {
    Substance.OPIOIDS: ("opiates",),
    Substance.FENTANYL: ("fentanyl",),
    Substance.STIMULANTS: ("methamphetamine", "amphetamines"),
    Substance.COCAINE: ("cocaine",),
    Substance.CANNABIS: ("thc",),
    Substance.BENZODIAZEPINES: ("benzodiazepines",),
}
OPIOID_SUBSTANCES = {Substance.OPIOIDS, Substance.FENTANYL}
WEEKS_OF_TESTS = 8

# A cup whose creatinine and specific gravity read dilute (HHS criteria), now and then.
DILUTE_CUP = SpecimenChecks(creatinine_mg_dl=Decimal("14"), specific_gravity=Decimal("1.0022"))


class Command(BaseCommand):
    help = "Add medications, drug tests, sobriety dates and clinical policies to the demo clinic."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any drug test exists.")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, if_empty=False, seed=2026, **options):
        if if_empty and DrugTest.objects.exists():
            self.stdout.write("Drug tests already exist; clinical demo data not seeded.")
            return
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.cup = Panel.objects.get(name="Urine 12-panel cup")
        self.breath = Panel.objects.get(name="Breath alcohol")
        users = get_user_model().objects.filter(is_active=True)
        self.prescriber = users.filter(groups__name=Role.PRESCRIBER).order_by("username").first()
        self.collector = users.filter(groups__name=Role.COUNSELOR).order_by("username").first()
        if self.prescriber is None or self.collector is None:
            self.stderr.write("Run seed_demo first: no prescriber or counselor to record the data.")
            return
        with transaction.atomic():
            self.seed_policies()
            episodes = (
                Episode.objects.valid()
                .filter(status=EpisodeStatus.ACTIVE)
                .select_related("patient")
                .prefetch_related("patient__substance_use")
                .order_by("pk")
            )
            count = 0
            for index, episode in enumerate(episodes):
                self.seed_patient(episode, index)
                count += 1
            draws = random_draws_run(on=self.today)
        call_command("seed_outcomes_demo", seed=seed, stdout=self.stdout)
        drawn = sum(len(draw.drawn) for draw in draws)
        self.stdout.write(
            self.style.SUCCESS(
                f"Clinical demo: {count} patients with medications and tests; {drawn} drawn for testing today."
            )
        )

    def seed_policies(self) -> None:
        for program in Program.objects.all():
            matrix = "matrix" in program.code
            ProgramClinicalPolicy.objects.get_or_create(
                program=program,
                defaults={
                    # Matrix Model: everyone tested weekly. A longest gap of 7 days does that on a
                    # random day of the gap window; a rate of 1.0 would test everyone every day.
                    "weekly_testing_rate": Decimal("0.350") if matrix else Decimal("0.300"),
                    "longest_gap_days": 7 if matrix else 14,
                    "testing_days": program.meeting_days,
                    "random_panel": self.cup,
                },
            )

    def at(self, day: dt.date, hour: int = 17) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60))))

    def primary_substance(self, episode) -> str:
        uses = sorted(episode.patient.substance_use.all(), key=lambda use: not use.is_primary)
        return uses[0].substance if uses else Substance.ALCOHOL

    def seed_patient(self, episode, index: int) -> None:
        patient = episode.patient
        substance = self.primary_substance(episode)
        start = max(episode.admitted_on, self.today - dt.timedelta(weeks=WEEKS_OF_TESTS))
        expected = set()
        if substance in OPIOID_SUBSTANCES:
            if index % 3 == 2:
                medication_services.medication_add(
                    patient=patient, recorded_by=self.prescriber, catalogue_code="methadone", dose="80 mg",
                    frequency="daily, dosed at the OTP", source=MedicationSource.OTP,
                    outside_prescriber="Harbor Street Opioid Treatment Program", start_date=episode.admitted_on,
                )  # fmt: skip
                expected.add("methadone")
            else:
                medication_services.medication_add(
                    patient=patient, recorded_by=self.prescriber, catalogue_code="buprenorphine_naloxone",
                    dose="16 mg", frequency="once daily", source=MedicationSource.OURS, prescriber=self.prescriber,
                    start_date=episode.admitted_on,
                )  # fmt: skip
                expected.add("buprenorphine")
        elif substance == Substance.ALCOHOL:
            code = "naltrexone_oral" if index % 2 else "acamprosate"
            dose = "50 mg" if code == "naltrexone_oral" else "666 mg"
            medication_services.medication_add(
                patient=patient, recorded_by=self.prescriber, catalogue_code=code, dose=dose,
                frequency="once daily" if code == "naltrexone_oral" else "three times daily",
                source=MedicationSource.OURS, prescriber=self.prescriber, start_date=episode.admitted_on,
            )  # fmt: skip
        if index % 3 == 0:
            medication_services.medication_add(
                patient=patient, recorded_by=self.prescriber, catalogue_code="sertraline", dose="50 mg",
                frequency="once daily", source=MedicationSource.OUTSIDE, outside_prescriber="Dr. Amara Osei, PCP",
                start_date=episode.admitted_on - dt.timedelta(days=200),
            )  # fmt: skip
        last_use = episode.admitted_on - dt.timedelta(days=self.rng.randint(2, 10))
        # One patient in seven stops taking (or diverts) the MOUD for a while: the absence flag.
        skips_medication = index % 7 == 3
        day = start
        while day < self.today:
            weeks_in = (day - episode.admitted_on).days / 7
            relapse_chance = 0.6 if weeks_in < 2 else 0.25 if weeks_in < 4 else 0.07
            used = self.rng.random() < relapse_chance
            if used:
                last_use = day - dt.timedelta(days=1)
            if substance == Substance.ALCOHOL:
                self.result(patient, self.breath, day, positives={"breath_alcohol"} if used else set(), bac=used)
            positives = set(SUBSTANCE_ANALYTES.get(substance, ())) if used else set()
            if not (skips_medication and 3 <= weeks_in < 5):
                positives |= expected
            self.result(patient, self.cup, day, positives=positives)
            day += dt.timedelta(days=self.rng.choice((6, 7, 8)))
        drug_testing.sobriety_date_set(
            patient=patient,
            sober_since=last_use + dt.timedelta(days=1),
            reason="Day after last use (reported or confirmed by test)",
            by=self.collector,
        )
        if index % 5 == 1:
            # Collected yesterday, still waiting for the lab: shows on "Pending results".
            pending = drug_testing.drug_test_order(
                patient=patient, panel=self.cup, reason=TestReason.FOR_CAUSE, ordered_by=self.collector,
                ordered_at=self.at(self.today - dt.timedelta(days=1), 16), method="lab", observed=True,
            )  # fmt: skip
            drug_testing.drug_test_collect(
                drug_test=pending, collector=self.collector, collected_at=pending.ordered_at + dt.timedelta(minutes=20),
                temperature_in_range=True,
            )  # fmt: skip
            drug_testing.drug_test_send(drug_test=pending, lab_name="Regional Toxicology Lab", by=self.collector)

    def result(self, patient, panel, day, *, positives: set, bac: bool = False) -> None:
        ordered_at = self.at(day)
        test = drug_testing.drug_test_order(
            patient=patient, panel=panel, reason=TestReason.SCHEDULED, ordered_by=self.collector,
            ordered_at=ordered_at, observed=self.rng.random() < 0.5,
        )  # fmt: skip
        urine = panel.specimen == "urine"
        drug_testing.drug_test_collect(
            drug_test=test, collector=self.collector, collected_at=ordered_at + dt.timedelta(minutes=10),
            temperature_in_range=True if urine else None,
            checks=DILUTE_CUP if urine and self.rng.random() < 0.04 else None,
        )  # fmt: skip
        results = {}
        for analyte in panel.analytes.all():
            positive = analyte.code in positives
            level = Decimal(f"0.0{self.rng.randint(2, 9)}") if analyte.code == "breath_alcohol" and bac else None
            results[analyte] = (AnalyteOutcome.POSITIVE if positive else AnalyteOutcome.NEGATIVE, level)
        drug_testing.drug_test_result(
            drug_test=test, method=ResultMethod.PRESUMPTIVE, results=results, recorded_by=self.collector,
            resulted_at=ordered_at + dt.timedelta(minutes=20),
        )  # fmt: skip
