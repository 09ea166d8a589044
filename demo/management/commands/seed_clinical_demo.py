"""Add medications, drug tests, sobriety dates and clinical policies to an already-seeded demo clinic.

Run after ``seed_demo``. Medications go through their service and every test is interpreted by
``drug_test_interpret``, so findings, flags and follow-up tasks are what the clinic would see; the
past weeks' results themselves are written in bulk (see ``write_tests``). Each patient's medications and results
follow their story (demo/stories.py): the medications treat the diagnoses, the cup shows
what the patient uses (more often early in the episode, fading as treatment takes hold) and
what they are prescribed (buprenorphine on buprenorphine), never anything else.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.constants import Role
from demo.stories import SUBSTANCE_ANALYTES, Story, story_of
from medications.constants import MEDICATION_CATALOGUE, MedicationSource
from medications.services import medications as medication_services
from patients.constants import CareTeamRole, EpisodeStatus, Substance, UseFrequency
from patients.models import Episode
from programs.models import Program
from testing.constants import AnalyteOutcome, DrugTestStatus, ResultMethod, Specimen, TestReason
from testing.models import AnalyteResult, DrugTest, DrugTestResultSet, Panel, ProgramClinicalPolicy
from testing.services import drug_tests as drug_testing
from testing.services.random_draws import random_draws_run
from testing.validity import SpecimenChecks, specimen_validity

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
        self.cutoffs = {
            panel.pk: [(row.analyte, row.effective_cutoff) for row in panel.panel_analytes.select_related("analyte")]
            for panel in (self.cup, self.breath)
        }
        self.queued: list[tuple[DrugTest, list]] = []
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
                .filter(status__in=[EpisodeStatus.ACTIVE, EpisodeStatus.DISCHARGED])
                .select_related("patient", "primary_clinician")
                .prefetch_related("patient__diagnoses", "patient__care_team__user")
                .order_by("admitted_on", "pk")
            )
            count, medicated = 0, set()
            for index, episode in enumerate(episodes):
                story, _ = story_of(episode.patient, [d.code for d in episode.patient.diagnoses.all()])
                if story is None:
                    continue  # a chart the demo did not write (a developer's own patient)
                if episode.patient_id not in medicated:
                    # A readmitted patient's medications were started at the first admission.
                    self.seed_medications(episode, story)
                    medicated.add(episode.patient_id)
                if episode.status == EpisodeStatus.ACTIVE:
                    self.seed_tests(episode, story, index)
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

    def prescriber_of(self, episode):
        """The prescriber on the patient's care team (the demo's first prescriber when none is)."""
        for member in episode.patient.care_team.all():
            if member.role == CareTeamRole.PRESCRIBER:
                return member.user
        return self.prescriber

    def seed_medications(self, episode, story: Story) -> None:
        prescriber = self.prescriber_of(episode)
        for med in story.medications:
            fields = {"catalogue_code": med.catalogue_code, "dose": med.dose, "frequency": med.frequency}
            if med.source == MedicationSource.OURS:
                fields.update(source=MedicationSource.OURS, prescriber=prescriber, start_date=episode.admitted_on)
            else:
                # Prescribed elsewhere before the admission (the PCP's antidepressant, the OTP's methadone).
                fields.update(
                    source=med.source,
                    outside_prescriber=med.outside_prescriber,
                    start_date=episode.admitted_on - dt.timedelta(days=self.rng.randint(60, 300)),
                )
            medication_services.medication_add(patient=episode.patient, recorded_by=prescriber, **fields)

    def seed_tests(self, episode, story: Story, index: int) -> None:
        """Weekly cups (and breath tests when alcohol is in the story) from admission, up to eight weeks back."""
        patient, collector, rng = episode.patient, episode.primary_clinician, self.rng
        start = max(episode.admitted_on, self.today - dt.timedelta(weeks=WEEKS_OF_TESTS))
        expected = {
            code for med in story.medications for code in MEDICATION_CATALOGUE[med.catalogue_code].expected_analytes
        }
        # Daily cannabis stays in urine for weeks after the last joint, so THC clears late.
        thc_clears_after = rng.uniform(2.5, 4.5)
        # In about half the stories that allow it, the MOUD lapses for a while: the absence flag.
        lapses = story.moud_may_lapse and rng.random() < 0.5
        last_use = episode.admitted_on - dt.timedelta(days=rng.randint(2, 10))
        day = start
        while day < self.today:
            weeks_in = (day - episode.admitted_on).days / 7
            fading = 1.0 if weeks_in < 2 else 0.45 if weeks_in < 4 else 0.12
            positives = set()
            for use in story.uses:
                used = rng.random() < use.early_use * fading
                lingering = (
                    use.substance == Substance.CANNABIS
                    and use.frequency == UseFrequency.DAILY
                    and weeks_in < thc_clears_after
                )
                if used or lingering:
                    positives |= set(SUBSTANCE_ANALYTES[use.substance])
                if used:
                    last_use = day - dt.timedelta(days=1)
            if not (lapses and 3 <= weeks_in < 5):
                positives |= expected
            if Substance.ALCOHOL in story.substances:
                drank = "breath_alcohol" in positives
                self.result(patient, episode, self.breath, day, positives=positives, bac=drank, collector=collector)
            self.result(patient, episode, self.cup, day, positives=positives, collector=collector)
            day += dt.timedelta(days=rng.choice((6, 7, 8)))
        self.write_tests()
        drug_testing.sobriety_date_set(
            patient=patient,
            sober_since=last_use + dt.timedelta(days=1),
            reason="Day after last use (reported or confirmed by test)",
            by=collector,
        )
        if index % 5 == 1:
            # Collected yesterday, still waiting for the lab: shows on "Pending results".
            pending = drug_testing.drug_test_order(
                patient=patient, panel=self.cup, reason=TestReason.FOR_CAUSE, ordered_by=collector,
                ordered_at=self.at(self.today - dt.timedelta(days=1), 16), method="lab", observed=True,
            )  # fmt: skip
            drug_testing.drug_test_collect(
                drug_test=pending, collector=collector, collected_at=pending.ordered_at + dt.timedelta(minutes=20),
                temperature_in_range=True,
            )  # fmt: skip
            drug_testing.drug_test_send(drug_test=pending, lab_name="Regional Toxicology Lab", by=collector)

    def result(self, patient, episode, panel, day, *, positives: set, collector, bac: bool = False) -> None:
        """Queue one scheduled test, collected ten minutes after the order and resulted ten minutes later."""
        ordered_at = self.at(day)
        urine = panel.specimen == Specimen.URINE
        checks = DILUTE_CUP if urine and self.rng.random() < 0.04 else SpecimenChecks()
        validity = specimen_validity(checks, panel.specimen)
        test = DrugTest(
            patient=patient,
            episode=episode,
            panel=panel,
            reason=TestReason.SCHEDULED,
            specimen=panel.specimen,
            method=panel.method,
            observed=self.rng.random() < 0.5,
            status=DrugTestStatus.RESULTED,
            ordered_by=collector,
            ordered_at=ordered_at,
            collector=collector,
            collected_at=ordered_at + dt.timedelta(minutes=10),
            temperature_in_range=True if urine else None,
            creatinine_mg_dl=checks.creatinine_mg_dl if urine else None,
            specific_gravity=checks.specific_gravity if urine else None,
            validity=validity.validity,
            validity_reasons="; ".join(validity.reasons)[:300],
            resulted_at=ordered_at + dt.timedelta(minutes=20),
        )
        readings = []
        for analyte, cutoff in self.cutoffs[panel.pk]:
            positive = analyte.code in positives
            level = Decimal(f"0.0{self.rng.randint(2, 9)}") if analyte.code == "breath_alcohol" and bac else None
            readings.append((analyte, AnalyteOutcome.POSITIVE if positive else AnalyteOutcome.NEGATIVE, level, cutoff))
        self.queued.append((test, readings))

    def write_tests(self) -> None:
        """Write the queued tests in bulk, then read each against the medications through the service.

        Recording a result through ``drug_test_result`` costs about half a second a test (every
        analyte row is validated with queries), which made the demo slow to seed; the rows written
        here are the ones it writes, and ``drug_test_interpret`` then writes the findings and
        follow-up tasks exactly as it does after a result is entered.
        """
        if not self.queued:
            return
        tests = bulk_create_with_history([test for test, _ in self.queued], DrugTest)
        result_sets = bulk_create_with_history(
            [
                DrugTestResultSet(
                    drug_test=test,
                    method=ResultMethod.PRESUMPTIVE,
                    resulted_at=test.resulted_at,
                    recorded_by=test.collector,
                )
                for test in tests
            ],
            DrugTestResultSet,
        )
        bulk_create_with_history(
            [
                AnalyteResult(result_set=result_set, analyte=analyte, outcome=outcome, level=level, cutoff=cutoff)
                for result_set, (_, readings) in zip(result_sets, self.queued, strict=True)
                for analyte, outcome, level, cutoff in readings
            ],
            AnalyteResult,
            batch_size=1000,
        )
        for test in sorted(tests, key=lambda test: test.collected_at):
            drug_testing.drug_test_interpret(drug_test=test, by=test.collector)
        self.queued = []
