"""A drug test's findings reach a person: from a fentanyl-positive urine to the plan review and the overdose alert."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, PrescriberFactory, SupervisorFactory
from clinical.models import TreatmentPlan
from clinical.tests.factories import signed_plan
from medications.constants import CatalogueMedication, MedicationCategory
from medications.services.medications import medication_add
from medications.tests.factories import MedicationFactory
from notifications.constants import TaskKind, TaskSeverity, TaskStatus
from notifications.models import StaffTask
from notifications.services import tasks_escalate_due
from patients.constants import AlertKind
from patients.models import PatientAlert
from patients.tests.factories import EpisodeFactory
from programs.tests.factories import ProgramFactory
from testing.services import drug_tests as drug_testing
from testing.tests.factories import DrugTestFactory, panel, resulted_test
from testing.validity import SpecimenChecks

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    program = ProgramFactory()
    supervisor = SupervisorFactory(programs=[program])
    counselor = CounselorFactory(programs=[program], supervisor=supervisor)
    prescriber = PrescriberFactory(programs=[program])
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    return {"counselor": counselor, "supervisor": supervisor, "prescriber": prescriber, "episode": episode}


def kinds(**filters) -> list[str]:
    return sorted(StaffTask.objects.filter(**filters).values_list("kind", flat=True))


def test_a_negative_test_makes_no_task(clinic):
    resulted_test(clinic["episode"].patient, by=clinic["counselor"])
    assert not StaffTask.objects.exists() and not PatientAlert.objects.exists()


def test_fentanyl_positive_raises_overdose_risk_review_and_a_plan_review(clinic):
    """The issue's walk: a fentanyl-positive urine → review task, overdose-risk alert, plan review, new plan version."""
    patient = clinic["episode"].patient
    plan = signed_plan(clinic["episode"], by=clinic["counselor"])
    test = resulted_test(patient, positives=["fentanyl"], by=clinic["counselor"])
    alert = PatientAlert.objects.get()
    assert alert.kind == AlertKind.OVERDOSE_RISK and "Fentanyl" in alert.message
    assert kinds(assignee=clinic["counselor"]) == sorted(
        [TaskKind.DRUG_TEST_REVIEW, TaskKind.OVERDOSE_RISK, TaskKind.PLAN_REVISION]
    )
    review = StaffTask.objects.get(kind=TaskKind.DRUG_TEST_REVIEW)
    assert "presumptive: confirm before acting" in review.title
    plan_task = StaffTask.objects.get(kind=TaskKind.PLAN_REVISION)
    assert plan_task.severity == TaskSeverity.HIGH
    assert list(plan_task.escalate_to.all()) == [clinic["supervisor"]]
    # The plan reopens: a new draft version, for the clinician to review and sign.
    draft = TreatmentPlan.objects.get(episode=clinic["episode"], version=plan.version + 1)
    assert not draft.is_signed and "Return to use" in draft.revision_reason
    # Reading the test again (the medication list changed) raises nothing twice.
    drug_testing.drug_test_interpret(drug_test=test)
    assert PatientAlert.objects.count() == 1 and StaffTask.objects.count() == 3
    assert TreatmentPlan.objects.filter(episode=clinic["episode"]).count() == 2


def test_signing_the_revised_plan_closes_the_plan_review(clinic):
    from clinical.services import plan_sign

    signed_plan(clinic["episode"], by=clinic["counselor"])
    resulted_test(clinic["episode"].patient, positives=["fentanyl"], by=clinic["counselor"])
    draft = TreatmentPlan.objects.filter(episode=clinic["episode"]).order_by("-version").first()
    plan_sign(plan=draft, by=clinic["counselor"])
    task = StaffTask.objects.get(kind=TaskKind.PLAN_REVISION)
    assert task.status == TaskStatus.DONE and "signed" in task.done_reason
    assert tasks_escalate_due(now=task.escalate_at + dt.timedelta(minutes=1)) == 0


def test_the_plan_review_escalates_to_the_supervisor_after_7_days(clinic):
    resulted_test(clinic["episode"].patient, positives=["fentanyl"], by=clinic["counselor"])
    task = StaffTask.objects.get(kind=TaskKind.PLAN_REVISION)
    assert timezone.localdate(task.due_at) - timezone.localdate() == dt.timedelta(days=7)
    assert tasks_escalate_due(now=task.escalate_at) == 1
    assert StaffTask.objects.get(kind=TaskKind.ESCALATION).assignee == clinic["supervisor"]


def test_one_unexpected_positive_is_reviewed_but_two_in_14_days_review_the_plan(clinic):
    patient = clinic["episode"].patient
    now = timezone.now()
    resulted_test(patient, positives=["cocaine"], by=clinic["counselor"], collected_at=now - dt.timedelta(days=15))
    resulted_test(patient, positives=["cocaine"], by=clinic["counselor"], collected_at=now - dt.timedelta(hours=2))
    assert kinds(kind=TaskKind.PLAN_REVISION) == []  # 15 days apart: outside the window
    resulted_test(patient, positives=["thc"], by=clinic["counselor"], collected_at=now - dt.timedelta(hours=1))
    assert kinds(kind=TaskKind.PLAN_REVISION) == [TaskKind.PLAN_REVISION]  # two within 14 days
    assert kinds(kind=TaskKind.DRUG_TEST_REVIEW) == [TaskKind.DRUG_TEST_REVIEW] * 3
    assert not PatientAlert.objects.exists()  # cocaine and THC are not opioids


def test_an_opioid_on_naltrexone_is_an_overdose_risk_even_if_a_prescription_explains_it(clinic):
    patient = clinic["episode"].patient
    medication_add(
        patient=patient,
        recorded_by=clinic["prescriber"],
        catalogue_code=CatalogueMedication.NALTREXONE_XR,
        dose="380 mg",
        frequency="every 4 weeks",
        prescriber=clinic["prescriber"],
        start_date=timezone.localdate() - dt.timedelta(days=10),
    )
    MedicationFactory(
        patient=patient,
        catalogue_code="",
        name="Oxycodone (dental, outside prescriber)",
        category=MedicationCategory.OTHER,
        analytes=["oxycodone"],
    )
    resulted_test(patient, positives=["oxycodone"], by=clinic["counselor"])
    alert = PatientAlert.objects.get(kind=AlertKind.OVERDOSE_RISK)
    assert "naltrexone" in alert.message


def test_absent_moud_reaches_the_prescriber(clinic):
    patient = clinic["episode"].patient
    MedicationFactory(
        patient=patient, prescriber=clinic["prescriber"], start_date=timezone.localdate() - dt.timedelta(30)
    )
    resulted_test(patient, by=clinic["counselor"])
    task = StaffTask.objects.get(kind=TaskKind.MOUD_ABSENT)
    assert task.assignee == clinic["prescriber"] and "Buprenorphine" in task.title


def test_an_absent_psychiatric_medication_is_not_an_moud_finding(clinic):
    patient = clinic["episode"].patient
    MedicationFactory(
        patient=patient, category=MedicationCategory.PSYCHIATRIC, name="Clonazepam", analytes=["benzodiazepines"]
    )
    resulted_test(patient, by=clinic["counselor"])
    assert kinds(kind=TaskKind.MOUD_ABSENT) == []


@pytest.mark.parametrize(
    ("checks", "problem"),
    [
        (SpecimenChecks(nitrite_mcg_ml=Decimal("600")), "adulterated specimen"),
        (SpecimenChecks(creatinine_mg_dl=Decimal("1.5"), specific_gravity=Decimal("1.0005")), "substituted specimen"),
        (SpecimenChecks(ph=Decimal("9.5")), "invalid specimen"),
        (SpecimenChecks(temperature_c=Decimal("30.0")), "temperature out of range"),
    ],
)
def test_a_specimen_that_is_not_valid_is_a_finding_at_collection(clinic, checks, problem):
    test = DrugTestFactory(patient=clinic["episode"].patient, panel=panel(), ordered_by=clinic["counselor"])
    in_range = None if checks.temperature_c is not None else True
    drug_testing.drug_test_collect(
        drug_test=test, collector=clinic["counselor"], temperature_in_range=in_range, checks=checks
    )
    task = StaffTask.objects.get()
    assert task.kind == TaskKind.SPECIMEN_PROBLEM and problem in task.title


def test_dilute_twice_in_30_days_is_a_finding_once_is_not(clinic):
    patient = clinic["episode"].patient
    now = timezone.now()

    def dilute(days_ago: float):
        test = DrugTestFactory(
            patient=patient, panel=panel(), ordered_by=clinic["counselor"], ordered_at=now - dt.timedelta(days=days_ago)
        )
        drug_testing.drug_test_collect(
            drug_test=test,
            collector=clinic["counselor"],
            collected_at=now - dt.timedelta(days=days_ago) + dt.timedelta(minutes=5),
            temperature_in_range=True,
            checks=SpecimenChecks(creatinine_mg_dl=Decimal("12"), specific_gravity=Decimal("1.0020")),
        )

    dilute(31)
    dilute(0.5)
    assert not StaffTask.objects.exists()  # 30.5 days apart
    dilute(0.2)
    assert kinds() == [TaskKind.SPECIMEN_PROBLEM]


def test_a_reset_sobriety_date_is_a_return_to_use(clinic):
    patient = clinic["episode"].patient
    today = timezone.localdate()
    drug_testing.sobriety_date_set(
        patient=patient, sober_since=today - dt.timedelta(60), reason="Intake", by=clinic["counselor"]
    )
    assert not StaffTask.objects.exists()  # the first date is not a reset
    drug_testing.sobriety_date_set(
        patient=patient, sober_since=today - dt.timedelta(2), reason="Used alcohol on Saturday", by=clinic["counselor"]
    )
    assert kinds() == [TaskKind.PLAN_REVISION]
