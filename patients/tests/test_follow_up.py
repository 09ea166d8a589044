"""Every finding reaches a person: the follow-up table, its engine, the instrument findings at each cut-off."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, DirectorFactory, PrescriberFactory, SupervisorFactory
from notifications.constants import TaskKind, TaskSeverity, TaskStatus
from notifications.models import StaffTask
from notifications.services import tasks_escalate_due
from patients.constants import AlertKind, AlertSeverity, CareTeamRole
from patients.follow_up import (
    CIWA_SEVERE_AT,
    CIWA_WITHDRAWAL_AT,
    COWS_SEVERE_AT,
    COWS_WITHDRAWAL_AT,
    FOLLOW_UP_RULES,
    Due,
    Finding,
)
from patients.instruments import Instrument
from patients.models import PatientAlert
from patients.services import alert_resolve, due_time, finding_follow_up, instrument_record
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory
from patients.tests.instrument_answers import answers_for
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    program = ProgramFactory(day_ends_at=dt.time(21, 0))
    supervisor = SupervisorFactory(programs=[program])
    counselor = CounselorFactory(programs=[program], supervisor=supervisor)
    prescriber = PrescriberFactory(programs=[program])
    director = DirectorFactory(programs=[program])
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    episode.patient.primary_clinician = counselor
    episode.patient.save()
    return {
        "program": program,
        "supervisor": supervisor,
        "counselor": counselor,
        "prescriber": prescriber,
        "director": director,
        "episode": episode,
        "patient": episode.patient,
    }


def test_every_finding_has_one_rule_with_a_source_and_someone_to_act():
    assert set(FOLLOW_UP_RULES) == set(Finding.values)
    for rule in FOLLOW_UP_RULES.values():
        assert rule.source and rule.tasks, rule.finding
        assert all(task.to for task in rule.tasks)
        assert (rule.alert_kind is None) == (rule.alert_message == "")


class TestSuicidalIdeation:
    def phq9(self, patient, item9: int, by):
        answers = [0] * 9
        answers[8] = item9
        return instrument_record(patient=patient, instrument=Instrument.PHQ9, answers=answers, administered_by=by)

    def test_item_9_zero_makes_nothing(self, clinic):
        self.phq9(clinic["patient"], 0, clinic["counselor"])
        assert not PatientAlert.objects.exists() and not StaffTask.objects.exists()

    def test_item_9_above_zero_raises_the_alert_and_a_same_day_task_that_escalates(self, clinic):
        response = self.phq9(clinic["patient"], 1, clinic["counselor"])
        alert = PatientAlert.objects.get()
        assert (alert.kind, alert.severity, alert.source_instrument) == (AlertKind.SAFETY, AlertSeverity.HIGH, response)
        task = StaffTask.objects.get()
        assert task.kind == TaskKind.SUICIDE_RISK_ASSESSMENT
        assert task.assignee == clinic["counselor"] and task.severity == TaskSeverity.HIGH
        assert list(task.escalate_to.all()) == [clinic["supervisor"]]
        assert task.escalate_at == task.due_at
        # Same day: the evening program's day ends at 21:00, at least two hours away.
        assert timezone.localdate(task.due_at) == timezone.localdate(response.administered_at)

    def test_saving_the_same_finding_again_changes_nothing(self, clinic):
        response = self.phq9(clinic["patient"], 2, clinic["counselor"])
        finding_follow_up(
            patient=clinic["patient"], finding=Finding.SUICIDAL_IDEATION, key=f"instrument:{response.pk}", detail="x"
        )
        assert PatientAlert.objects.count() == 1 and StaffTask.objects.count() == 1

    def test_not_done_by_the_end_of_the_day_reaches_the_supervisor_once(self, clinic):
        self.phq9(clinic["patient"], 3, clinic["counselor"])
        task = StaffTask.objects.get()
        assert tasks_escalate_due(now=task.escalate_at - dt.timedelta(minutes=1)) == 0
        assert tasks_escalate_due(now=task.escalate_at) == 1
        assert tasks_escalate_due(now=task.escalate_at + dt.timedelta(hours=1)) == 0
        escalation = StaffTask.objects.get(kind=TaskKind.ESCALATION)
        assert escalation.assignee == clinic["supervisor"] and escalation.escalated_from == task
        assert "Suicide risk assessment" in escalation.title

    def test_resolving_the_alert_with_the_assessment_closes_the_task_before_it_escalates(self, clinic):
        self.phq9(clinic["patient"], 1, clinic["counselor"])
        alert = PatientAlert.objects.get()
        alert_resolve(
            alert=alert,
            by=clinic["counselor"],
            resolution="C-SSRS: passive ideation, no plan; safety plan made with the patient.",
            risk_level="low",
            action="safety_plan",
        )
        task = StaffTask.objects.get()
        assert task.status == TaskStatus.DONE and "risk low" in task.done_reason
        assert tasks_escalate_due(now=task.escalate_at + dt.timedelta(minutes=1)) == 0

    @pytest.mark.parametrize("note", [".", "ok", "done done done", "...................."])
    def test_a_note_that_says_nothing_is_refused(self, clinic, note):
        self.phq9(clinic["patient"], 1, clinic["counselor"])
        with pytest.raises(ValidationError, match="at least 20 characters"):
            alert_resolve(
                alert=PatientAlert.objects.get(),
                by=clinic["counselor"],
                resolution=note,
                risk_level="low",
                action="none",
            )

    def test_the_risk_level_and_action_are_required(self, clinic):
        self.phq9(clinic["patient"], 1, clinic["counselor"])
        with pytest.raises(ValidationError) as refused:
            alert_resolve(
                alert=PatientAlert.objects.get(),
                by=clinic["counselor"],
                resolution="Assessed by phone; the patient denies intent and agreed to come in tomorrow.",
            )
        assert set(refused.value.message_dict) == {"resolution_risk_level", "resolution_action"}

    def test_only_a_supervisor_marks_a_safety_alert_entered_in_error(self, clinic):
        self.phq9(clinic["patient"], 1, clinic["counselor"])
        alert = PatientAlert.objects.get()
        with pytest.raises(ValidationError, match="supervisor or director"):
            alert.mark_entered_in_error(by=clinic["counselor"], reason="Wrong patient")
        alert.mark_entered_in_error(by=clinic["supervisor"], reason="Entered on the wrong chart")
        assert alert.is_entered_in_error


@pytest.mark.parametrize(
    ("instrument", "score", "finding"),
    [
        (Instrument.COWS, COWS_WITHDRAWAL_AT - 1, None),
        (Instrument.COWS, COWS_WITHDRAWAL_AT, Finding.WITHDRAWAL),
        (Instrument.COWS, COWS_SEVERE_AT - 1, Finding.WITHDRAWAL),
        (Instrument.COWS, COWS_SEVERE_AT, Finding.SEVERE_WITHDRAWAL),
        (Instrument.COWS, 48, Finding.SEVERE_WITHDRAWAL),
        (Instrument.CIWAAR, CIWA_WITHDRAWAL_AT - 1, None),
        (Instrument.CIWAAR, CIWA_WITHDRAWAL_AT, Finding.WITHDRAWAL),
        (Instrument.CIWAAR, CIWA_SEVERE_AT - 1, Finding.WITHDRAWAL),
        (Instrument.CIWAAR, CIWA_SEVERE_AT, Finding.SEVERE_WITHDRAWAL),
        (Instrument.CIWAAR, 30, Finding.SEVERE_WITHDRAWAL),
    ],
)
def test_withdrawal_scores_on_both_sides_of_each_cut_off(clinic, instrument, score, finding):
    response = instrument_record(
        patient=clinic["patient"],
        instrument=instrument,
        answers=answers_for(instrument, score),
        administered_by=clinic["counselor"],
    )
    assert response.score == score
    alerts = PatientAlert.objects.all()
    if finding is None:
        assert not alerts.exists() and not StaffTask.objects.exists()
        return
    alert = alerts.get()
    assert alert.kind == AlertKind.WITHDRAWAL
    tasks = StaffTask.objects.order_by("assignee_id")
    if finding == Finding.WITHDRAWAL:
        assert alert.severity == AlertSeverity.HIGH
        assert [(t.kind, t.assignee) for t in tasks] == [(TaskKind.WITHDRAWAL_EVALUATION, clinic["prescriber"])]
    else:
        assert alert.severity == AlertSeverity.CRITICAL and "Medical evaluation now" in alert.message
        assert {t.assignee for t in tasks} == {clinic["prescriber"], clinic["supervisor"], clinic["director"]}
        assert all(t.kind == TaskKind.MEDICAL_EVALUATION and t.severity == TaskSeverity.CRITICAL for t in tasks)
        assert all(t.due_at <= timezone.now() + dt.timedelta(hours=1) for t in tasks)


def test_the_care_teams_prescriber_comes_before_the_programs(clinic):
    ours = PrescriberFactory()
    CareTeamMemberFactory(patient=clinic["patient"], user=ours, role=CareTeamRole.PRESCRIBER)
    instrument_record(
        patient=clinic["patient"],
        instrument=Instrument.COWS,
        answers=answers_for(Instrument.COWS, COWS_WITHDRAWAL_AT),
        administered_by=clinic["counselor"],
    )
    assert StaffTask.objects.get().assignee == ours


def test_a_patient_not_yet_admitted_reaches_the_person_who_gave_the_screen():
    patient = PatientFactory()
    intake_worker = CounselorFactory()
    instrument_record(patient=patient, instrument=Instrument.PHQ9, answers=[0] * 8 + [1], administered_by=intake_worker)
    assert StaffTask.objects.get().assignee == intake_worker


class TestDueTimes:
    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))

    def test_same_day_is_the_end_of_the_programs_day_or_two_hours_later(self, clinic):
        monday = dt.date(2026, 3, 2)
        assert due_time(Due.SAME_DAY, at=self.at(monday, 10), episode=clinic["episode"]) == self.at(monday, 21)
        assert due_time(Due.SAME_DAY, at=self.at(monday, 20), episode=clinic["episode"]) == self.at(monday, 22)

    def test_next_business_day_skips_the_weekend(self, clinic):
        friday = dt.date(2026, 3, 6)
        monday = dt.date(2026, 3, 9)
        due = due_time(Due.NEXT_BUSINESS_DAY, at=self.at(friday, 10), episode=clinic["episode"])
        assert due == self.at(monday, 21)
        thursday = dt.date(2026, 3, 5)
        assert due_time(Due.NEXT_BUSINESS_DAY, at=self.at(thursday, 10), episode=clinic["episode"]) == self.at(
            friday, 21
        )

    def test_without_an_episode_the_clinic_day_ends_at_five(self):
        monday = dt.date(2026, 3, 2)
        assert due_time(Due.SAME_DAY, at=self.at(monday, 9), episode=None) == self.at(monday, 17)


def test_the_work_list_puts_the_critical_task_first(login, clinic):
    prescriber = clinic["prescriber"]
    instrument_record(
        patient=clinic["patient"],
        instrument=Instrument.CIWAAR,
        answers=answers_for(Instrument.CIWAAR, CIWA_WITHDRAWAL_AT),
        administered_by=clinic["counselor"],
    )
    other = EpisodeFactory(program=clinic["program"], primary_clinician=clinic["counselor"])
    instrument_record(
        patient=other.patient,
        instrument=Instrument.COWS,
        answers=answers_for(Instrument.COWS, COWS_SEVERE_AT),
        administered_by=clinic["counselor"],
    )
    page = login(prescriber).get(reverse("notifications:home")).text
    assert page.index("Medical evaluation now") < page.index("Withdrawal evaluation today")
