"""The whole demo clinic (every seed `make run` runs), seeded once, tells one coherent story per patient.

The seeding happens once for the module inside a transaction that is rolled back at the end, so
the other test modules never see it; each test reads it inside its own savepoint.
"""

import datetime as dt
import re
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.constants import Role
from aftercare.models import AftercarePlan, AlumniCheckIn, Discharge
from clinical.models import GroupNoteSection, Problem, SessionNote
from clinical.models.notes import FormatFields
from demo.stories import STORIES, SUBSTANCE_ANALYTES, USE_DISORDER_PREFIX, story_of
from medications.constants import MEDICATION_CATALOGUE
from medications.models import Medication
from outcomes.constants import MeasurePoint, PeriodKind
from outcomes.models import AdmissionProfile, EpisodeFact, OutcomeMeasures, ProgramReporting
from outcomes.selectors.cohorts import Scope
from outcomes.selectors.figures import outcomes_for
from outcomes.selectors.periods import Period
from outcomes.selectors.teds import teds_report
from patients.constants import CareTeamRole, EpisodeStatus, IntakeStatus, PatientStatus
from patients.models import CareTeamMember, Diagnosis, Episode, Intake, Patient, SubstanceUse
from programs.models import Program
from testing.constants import AnalyteOutcome
from testing.models import AnalyteResult

# One worker runs the whole module under pytest-xdist (--dist loadgroup), so the demo is seeded once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_clinic")]

MAKE_RUN_SEEDS = ("seed_demo", "seed_schedule", "seed_clinical_demo", "seed_notes_demo")

# A plan problem names its condition; the condition must be on the chart as a diagnosis (code prefix).
CONDITIONS = {
    "alcohol": ("F10",),
    "opioid": ("F11",),
    "fentanyl": ("F11",),
    "cannabis": ("F12",),
    "sedative": ("F13",),
    "benzodiazepine": ("F13",),
    "cocaine": ("F14",),
    "stimulant": ("F15",),
    "methamphetamine": ("F15",),
    "nicotine": ("F17",),
    "depressive": ("F32", "F33"),
    "anxiety disorder": ("F41",),
    "post-traumatic": ("F43",),
}
# A plan problem that names a medication needs it on the medication list.
MEDICATIONS_NAMED = {
    "buprenorphine": "buprenorphine",
    "methadone": "methadone",
    "clonazepam": "clonazepam",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo as `make run` seeds it; rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        for command in MAKE_RUN_SEEDS:
            call_command(command, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def charts() -> dict[int, tuple]:
    """Patient id → (story, life) for every patient the demo gave a chart."""
    codes = defaultdict(list)
    for patient_id, code in Diagnosis.objects.valid().values_list("patient_id", "code"):
        codes[patient_id].append(code)
    return {patient.pk: story_of(patient, codes[patient.pk]) for patient in Patient.objects.filter(pk__in=codes)}


def test_every_chart_tells_a_known_story(demo):
    stories = charts()
    admitted_ever = set(Episode.objects.values_list("patient_id", flat=True))
    assert admitted_ever and set(stories) == admitted_ever
    assert all(story is not None for story, _ in stories.values())
    assert len({story.key for story, _ in stories.values()}) >= len(STORIES) - 3  # nearly every story is told
    uses = defaultdict(set)
    for patient_id, substance in SubstanceUse.objects.valid().values_list("patient_id", "substance"):
        uses[patient_id].add(substance)
    medications = defaultdict(set)
    for patient_id, code in Medication.objects.valid().values_list("patient_id", "catalogue_code"):
        medications[patient_id].add(code)
    for patient_id, (story, _) in stories.items():
        assert uses[patient_id] == story.substances, story.key
        assert medications[patient_id] == {med.catalogue_code for med in story.medications}, story.key
        # Every substance used has its use disorder on the chart.
        for substance in story.substances:
            assert any(code.startswith(USE_DISORDER_PREFIX[substance]) for code in story.codes), story.key


def test_every_plan_problem_matches_a_diagnosis_and_medication(demo):
    codes = defaultdict(set)
    for patient_id, code in Diagnosis.objects.valid().values_list("patient_id", "code"):
        codes[patient_id].add(code)
    medications = defaultdict(set)
    for patient_id, code in Medication.objects.valid().values_list("patient_id", "catalogue_code"):
        medications[patient_id].add(code)
    problems = Problem.objects.values_list("plan__episode__patient_id", "statement")
    assert problems.count() >= Episode.objects.filter(status=EpisodeStatus.ACTIVE).count() * 2
    for patient_id, statement in problems:
        text = statement.lower()
        named = [prefixes for word, prefixes in CONDITIONS.items() if word in text]
        assert named, f"The problem names no condition: {statement}"
        for prefixes in named:
            assert any(code.startswith(prefixes) for code in codes[patient_id]), (statement, codes[patient_id])
        for word, medication in MEDICATIONS_NAMED.items():
            if word in text:
                assert any(code.startswith(medication) for code in medications[patient_id]), statement
    goals = set(Problem.objects.values_list("goals__statement", flat=True))
    assert len(goals) > len(STORIES) * 2  # goals are the patients' own, not one per story


def note_body(note: SessionNote) -> str:
    return " ".join(getattr(note, f.name) for f in FormatFields._meta.get_fields()).strip()


def test_no_two_patients_share_a_note_body(demo):
    written = list(SessionNote.objects.exclude(kind="group"))
    assert len(written) >= 10
    patients_by_body = defaultdict(set)
    for note in written:
        patients_by_body[note_body(note)].add(note.patient_id)
    assert all(len(patients) == 1 for patients in patients_by_body.values())
    sections = list(GroupNoteSection.objects.exclude(participation=""))
    assert len(sections) >= 20
    for field in ("participation", "progress"):
        patients_by_text = defaultdict(set)
        for section in sections:
            patients_by_text[getattr(section, field)].add(section.patient_id)
        assert all(len(patients) == 1 for patients in patients_by_text.values()), field
    everything = [note_body(note) for note in written] + [s.participation + s.progress for s in sections]
    assert not [text for text in everything if re.search(r"Session \d+ of the week", text)]


def test_drug_test_positives_follow_the_story(demo):
    stories = charts()
    positives = AnalyteResult.objects.filter(outcome=AnalyteOutcome.POSITIVE).values_list(
        "result_set__drug_test__patient_id", "analyte__code"
    )
    assert positives.exists()
    for patient_id, analyte in positives:
        story, _ = stories[patient_id]
        used = {code for substance in story.substances for code in SUBSTANCE_ANALYTES[substance]}
        prescribed = {
            code for med in story.medications for code in MEDICATION_CATALOGUE[med.catalogue_code].expected_analytes
        }
        assert analyte in used | prescribed, (story.key, analyte)
    # Buprenorphine shows on the cups of patients who take it (but for a story's lapse).
    on_buprenorphine = Medication.objects.valid().filter(catalogue_code__startswith="buprenorphine")
    cups = AnalyteResult.objects.filter(
        analyte__code="buprenorphine", result_set__drug_test__patient__in=on_buprenorphine.values("patient")
    )
    assert cups.exists()
    assert cups.filter(outcome=AnalyteOutcome.POSITIVE).count() >= cups.count() * 0.7
    # Use shows early in treatment and fades: more positives in the first two weeks than after four.
    early = later = early_positive = later_positive = 0
    for outcome, collected_at, admitted_on in AnalyteResult.objects.filter(
        analyte__code__in=["cocaine", "methamphetamine", "fentanyl", "breath_alcohol", "opiates"],
        result_set__drug_test__episode__isnull=False,
    ).values_list("outcome", "result_set__drug_test__collected_at", "result_set__drug_test__episode__admitted_on"):
        weeks = (timezone.localdate(collected_at) - admitted_on).days / 7
        if weeks < 2:
            early, early_positive = early + 1, early_positive + (outcome == AnalyteOutcome.POSITIVE)
        elif weeks >= 4:
            later, later_positive = later + 1, later_positive + (outcome == AnalyteOutcome.POSITIVE)
    assert early and later and early_positive / early > 2 * later_positive / later


def test_discharged_patients_have_discharge_aftercare_and_checkins_at_every_stage(demo):
    discharged = Episode.objects.filter(status=EpisodeStatus.DISCHARGED)
    assert discharged.count() >= 10
    assert not discharged.filter(discharge__isnull=True).exists()
    assert not Patient.objects.filter(status=PatientStatus.DISCHARGED, discharges__isnull=True).exists()
    assert AftercarePlan.objects.count() == Discharge.objects.count()
    assert not Discharge.objects.filter(checkins__isnull=True).exists()
    today = timezone.localdate()
    checkins = AlumniCheckIn.objects.all()
    assert checkins.filter(completed_at__isnull=False, reached=True).exists()
    assert checkins.filter(completed_at__isnull=False, reached=False).exists()
    assert checkins.filter(completed_at__isnull=True, due_on__lte=today).exists()  # waiting on the work list
    assert checkins.filter(due_on__gt=today).exists()  # still to come
    assert not checkins.filter(completed_at__isnull=False, due_on__gt=today).exists()


def test_intake_steps_happen_in_order(demo):
    now = timezone.now()
    admitted_on = dict(Episode.objects.values_list("intake_id", "admitted_on"))
    intakes = Intake.objects.prefetch_related("instruments", "asam_assessments")
    history = defaultdict(list)
    for intake_id, when in Intake.history.model.objects.order_by("history_id").values_list("id", "history_date"):
        history[intake_id].append(when)
    for intake in intakes:
        screened = sorted(response.administered_at for response in intake.instruments.all())
        assessed = sorted(assessment.assessed_at for assessment in intake.asam_assessments.all())
        moments = [intake.created_at, *screened, *assessed]
        if intake.closed_at:
            moments.append(intake.closed_at)
        assert moments == sorted(moments), intake.pk
        assert moments[-1] <= now
        assert timezone.localdate(intake.created_at) == intake.referral_date
        if intake.status == IntakeStatus.ADMITTED:
            assert timezone.localdate(intake.closed_at) == admitted_on[intake.pk]
        assert history[intake.pk] == sorted(history[intake.pk])
        assert history[intake.pk][0] >= intake.created_at - dt.timedelta(seconds=1)


def test_care_team_labels_match_each_members_role(demo):
    labels = {
        CareTeamRole.PRIMARY: Role.COUNSELOR,
        CareTeamRole.COUNSELOR: Role.COUNSELOR,
        CareTeamRole.PRESCRIBER: Role.PRESCRIBER,
        CareTeamRole.SUPERVISOR: Role.SUPERVISOR,
    }
    members = CareTeamMember.objects.prefetch_related("user__groups")
    assert {member.role for member in members} >= {CareTeamRole.PRIMARY, CareTeamRole.PRESCRIBER}
    for member in members:
        assert labels[member.role] in {group.name for group in member.user.groups.all()}, member


def test_the_demo_clinic_has_outcomes_to_show_and_teds_records_to_fix(demo):
    assert "Outcomes demo: measures for" in demo  # seed_clinical_demo runs seed_outcomes_demo at its end
    episodes = Episode.objects.valid().filter(patient__entered_in_error_at__isnull=True)
    assert EpisodeFact.objects.count() == episodes.count()
    assert ProgramReporting.objects.count() == Program.objects.count()
    at_admission = OutcomeMeasures.objects.filter(point=MeasurePoint.ADMISSION).count()
    assert 0 < at_admission < episodes.count()  # a few left for the TEDS report to flag
    assert AdmissionProfile.objects.count() == at_admission
    assert OutcomeMeasures.objects.filter(point=MeasurePoint.DISCHARGE).exists()

    today = timezone.localdate()
    period = Period(PeriodKind.CUSTOM, today - dt.timedelta(days=365), today)
    programs = tuple(Program.objects.values_list("pk", flat=True))
    outcomes = outcomes_for(Scope(programs, period, period.previous(), today))
    for key in ("admissions", "discharges", "retention_30", "working_discharge", "phq9_first"):
        assert outcomes.figure(key).current.value, key
    report = teds_report(programs, period)
    assert report.valid and report.invalid

    # A second run (make run on an existing demo) adds nothing, and counts the facts again.
    call_command("seed_outcomes_demo", "--if-empty", stdout=StringIO())
    assert OutcomeMeasures.objects.filter(point=MeasurePoint.ADMISSION).count() == at_admission
