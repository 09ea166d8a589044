"""The work list to triage: bulk done/snooze with a reason and history, grouping and collapse, bounded pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, SupervisorFactory
from audit.models import AccessLog
from notifications.constants import TaskKind, TaskSeverity, TaskStatus
from notifications.models import StaffTask
from notifications.selectors.triage import ROWS_PER_PAGE, scope_tasks, tasks_of_rows, triage_page
from notifications.services import tasks_escalate_due
from notifications.services.tasks import tasks_complete, tasks_snooze
from patients.tests.factories import EpisodeFactory, PatientFactory
from programs.tests.factories import ProgramFactory

from .factories import StaffTaskFactory

pytestmark = pytest.mark.django_db

REASON = "Called each patient and rebooked them this week"


@pytest.fixture
def team():
    program = ProgramFactory()
    supervisor = SupervisorFactory(programs=[program])
    counselor = CounselorFactory(programs=[program], supervisor=supervisor)
    patients = [EpisodeFactory(program=program, primary_clinician=counselor).patient for _ in range(2)]
    return {"program": program, "supervisor": supervisor, "counselor": counselor, "patients": patients}


def missed(counselor, patient, n=1, **fields):
    return [StaffTaskFactory(assignee=counselor, patient=patient, **fields) for _ in range(n)]


class TestBulkServices:
    def test_done_with_a_reason_closes_every_task_and_writes_who_and_why(self, team):
        counselor, supervisor = team["counselor"], team["supervisor"]
        tasks = missed(counselor, team["patients"][0], 3)
        closed, already = tasks_complete(task_ids=[t.pk for t in tasks], by=supervisor, reason=REASON)
        assert len(closed) == 3 and already == 0
        for task in tasks:
            task.refresh_from_db()
            assert (task.status, task.done_by, task.done_reason) == (TaskStatus.DONE, supervisor, REASON)
            latest = task.history.latest()
            assert latest.history_user == supervisor and latest.history_change_reason.startswith("Done: Called")

    @pytest.mark.parametrize("reason", ["", "ok", "done done done", "...................."])
    def test_a_reason_that_says_nothing_is_refused_and_nothing_changes(self, team, reason):
        tasks = missed(team["counselor"], team["patients"][0], 2)
        with pytest.raises(ValidationError) as refused:
            tasks_complete(task_ids=[t.pk for t in tasks], by=team["counselor"], reason=reason)
        assert "reason" in refused.value.message_dict
        with pytest.raises(ValidationError):
            tasks_snooze(
                task_ids=[t.pk for t in tasks],
                by=team["counselor"],
                until=timezone.now() + dt.timedelta(hours=2),
                reason=reason,
            )
        assert not StaffTask.objects.exclude(status=TaskStatus.OPEN).exists()

    def test_someone_elses_task_refuses_the_whole_batch(self, team):
        mine = missed(team["counselor"], team["patients"][0])[0]
        stranger = StaffTaskFactory()
        with pytest.raises(ValidationError, match="your team"):
            tasks_complete(task_ids=[mine.pk, stranger.pk], by=team["counselor"], reason=REASON)
        assert not StaffTask.objects.filter(status=TaskStatus.DONE).exists()

    def test_statements_do_not_grow_with_the_tasks(self, team):
        few = missed(team["counselor"], team["patients"][0], 2)
        many = missed(team["counselor"], team["patients"][1], 20)
        with CaptureQueriesContext(connection) as two:
            tasks_complete(task_ids=[t.pk for t in few], by=team["counselor"], reason=REASON)
        with CaptureQueriesContext(connection) as twenty:
            tasks_complete(task_ids=[t.pk for t in many], by=team["counselor"], reason=REASON)
        assert len(two) == len(twenty) <= 8, [q["sql"][:80] for q in twenty.captured_queries]
        assert not [q for q in twenty.captured_queries if q["sql"].startswith("UPDATE") and "CASE" not in q["sql"]]

    def test_snoozed_tasks_come_back_when_the_snooze_ends(self, team):
        counselor = team["counselor"]
        tasks = missed(counselor, team["patients"][0], 2)
        until = timezone.now() + dt.timedelta(hours=2)
        snoozed, _ = tasks_snooze(task_ids=[t.pk for t in tasks], by=counselor, until=until, reason=REASON)
        assert {t.status for t in snoozed} == {TaskStatus.SNOOZED}
        assert (
            tasks[0].__class__.objects.get(pk=tasks[0].pk).history.latest().history_change_reason.startswith("Snoozed:")
        )
        assert not scope_tasks(counselor, "mine").exists()
        assert scope_tasks(counselor, "mine", now=until + dt.timedelta(seconds=1)).count() == 2

    def test_a_snooze_is_in_the_future_and_at_most_thirty_days(self, team):
        task = missed(team["counselor"], team["patients"][0])[0]
        for until in (timezone.now() - dt.timedelta(minutes=1), timezone.now() + dt.timedelta(days=31)):
            with pytest.raises(ValidationError) as refused:
                tasks_snooze(task_ids=[task.pk], by=team["counselor"], until=until, reason=REASON)
            assert "until" in refused.value.message_dict

    def test_an_overdue_safety_task_cannot_be_snoozed(self, team):
        safety = StaffTaskFactory(
            assignee=team["counselor"], patient=team["patients"][0], kind=TaskKind.SUICIDE_RISK_ASSESSMENT
        )
        with pytest.raises(ValidationError, match="safety"):
            tasks_snooze(
                task_ids=[safety.pk],
                by=team["supervisor"],
                until=timezone.now() + dt.timedelta(hours=2),
                reason=REASON,
            )
        safety.refresh_from_db()
        assert safety.status == TaskStatus.OPEN

    def test_a_snooze_does_not_silence_a_safety_tasks_escalation(self, team):
        counselor, supervisor = team["counselor"], team["supervisor"]
        due = timezone.now() + dt.timedelta(hours=1)
        safety = StaffTaskFactory(
            assignee=counselor,
            patient=team["patients"][0],
            kind=TaskKind.SUICIDE_RISK_ASSESSMENT,
            severity=TaskSeverity.HIGH,
            due_at=due,
            escalate_at=due,
            escalation_title="Suicide risk assessment",
        )
        safety.escalate_to.set([supervisor])
        tasks_snooze(task_ids=[safety.pk], by=counselor, until=due + dt.timedelta(hours=3), reason=REASON)
        assert tasks_escalate_due(now=due) == 1
        assert StaffTask.objects.get(kind=TaskKind.ESCALATION).assignee == supervisor

    def test_an_overdue_safety_task_stays_on_the_supervisors_list_while_snoozed(self, team):
        safety = StaffTaskFactory(
            assignee=team["counselor"],
            patient=team["patients"][0],
            kind=TaskKind.SUICIDE_RISK_ASSESSMENT,
            status=TaskStatus.SNOOZED,
            snoozed_until=timezone.now() + dt.timedelta(hours=5),
            snooze_reason="Patient comes in this evening",
        )
        StaffTaskFactory(
            assignee=team["counselor"],
            patient=team["patients"][0],
            status=TaskStatus.SNOOZED,
            snoozed_until=timezone.now() + dt.timedelta(hours=5),
            snooze_reason="Left a voicemail",
        )
        assert list(scope_tasks(team["supervisor"], "team")) == [safety]
        assert list(scope_tasks(team["counselor"], "mine")) == [safety]


class TestGrouping:
    def test_repeats_collapse_into_one_row_with_a_count_grouped_by_kind(self, team):
        counselor = team["counselor"]
        a, b = team["patients"]
        missed(counselor, a, 3)
        missed(counselor, b, 1)
        StaffTaskFactory(assignee=counselor, patient=a, kind=TaskKind.HOURS_SHORTFALL, title="Hours short")
        StaffTaskFactory(assignee=counselor, kind=TaskKind.OTHER, title="Paperwork 1")
        StaffTaskFactory(assignee=counselor, kind=TaskKind.OTHER, title="Paperwork 2")
        page = triage_page(team["supervisor"], scope="team", grouping="kind")
        groups = {group.key: group for group in page.groups}
        missed_group = groups[TaskKind.MISSED_SESSION]
        assert (missed_group.tasks, missed_group.rows) == (4, 2)
        assert [row.count for row in missed_group.items] == [3, 1]
        assert missed_group.items[0].task.patient == a and missed_group.items[0].task.patient_visible
        # Tasks about no patient never collapse.
        assert [row.count for row in groups[TaskKind.OTHER].items] == [1, 1]
        assert (groups[TaskKind.HOURS_SHORTFALL].tasks, groups[TaskKind.HOURS_SHORTFALL].rows) == (1, 1)

    def test_grouped_by_patient_with_counts_most_urgent_first(self, team):
        counselor = team["counselor"]
        a, b = team["patients"]
        missed(counselor, a, 3)
        StaffTaskFactory(assignee=counselor, patient=a, kind=TaskKind.HOURS_SHORTFALL)
        StaffTaskFactory(
            assignee=counselor,
            patient=b,
            kind=TaskKind.MEDICAL_EVALUATION,
            severity=TaskSeverity.CRITICAL,
            due_at=timezone.now() + dt.timedelta(minutes=30),
        )
        page = triage_page(team["supervisor"], scope="team", grouping="patient")
        assert [(g.key, g.tasks, g.rows) for g in page.groups] == [(b.pk, 1, 1), (a.pk, 4, 2)]
        assert page.groups[0].label == b.display_name

    def test_names_outside_the_supervisors_programs_are_not_shown(self, team):
        outsider = PatientFactory()  # a supervisee's patient in no program of the supervisor's
        missed(team["counselor"], outsider, 2)
        page = triage_page(team["supervisor"], scope="team", grouping="patient")
        assert page.groups[0].label == "A patient outside your caseload"
        assert page.groups[0].items[0].task.patient_visible is False

    def test_a_row_stands_for_its_repeats_seen_when_the_page_was_shown(self, team):
        counselor = team["counselor"]
        a, b = team["patients"]
        repeats = missed(counselor, a, 3)
        missed(counselor, b, 1)
        seen_at = timezone.now()
        later = missed(counselor, a, 1)[0]
        StaffTask.objects.filter(pk=later.pk).update(created_at=seen_at + dt.timedelta(seconds=5))
        ids = tasks_of_rows(team["supervisor"], [repeats[0].pk], seen_at=seen_at)
        assert ids == sorted(t.pk for t in repeats)
        assert tasks_of_rows(CounselorFactory(), [repeats[0].pk]) == []

    def test_pages_hold_a_bounded_number_of_rows(self, team):
        counselor = team["counselor"]
        for _ in range(ROWS_PER_PAGE + 5):
            StaffTaskFactory(assignee=counselor, kind=TaskKind.OTHER)
        first = triage_page(counselor, scope="mine", grouping="kind")
        second = triage_page(counselor, scope="mine", grouping="kind", page=2)
        assert first.row_count == ROWS_PER_PAGE and first.has_next
        assert second.row_count == 5 and not second.has_next
        first_ids = {row.task.pk for g in first.groups for row in g.items}
        assert not first_ids & {row.task.pk for g in second.groups for row in g.items}


class TestPage:
    def make_tasks(self, team, n):
        counselor = team["counselor"]
        for i in range(n):
            patient = team["patients"][i % 2]
            StaffTaskFactory(assignee=counselor, patient=patient, kind=[TaskKind.MISSED_SESSION, TaskKind.OTHER][i % 2])
            StaffTaskFactory(assignee=counselor, patient=PatientFactory(), kind=TaskKind.INSTRUMENT_DUE)

    def test_query_count_is_the_same_at_ten_times_the_tasks(self, team, login, django_assert_max_num_queries):
        client = login(team["supervisor"])
        self.make_tasks(team, 3)
        for grouping in ("kind", "patient"):
            url = reverse("notifications:home") + f"?scope=team&group={grouping}"
            client.get(url)
            with django_assert_max_num_queries(40) as few:
                client.get(url)
            self.make_tasks(team, 27)
            with django_assert_max_num_queries(len(few), info=grouping):
                response = client.get(url)
            assert response.status_code == 200
        assert AccessLog.objects.filter(user=team["supervisor"], action="work list").exists()

    @pytest.mark.parametrize("query", ["page=abc", "page=0", "page=%C2%B2"])
    def test_a_bad_page_is_400_not_500(self, team, login, query):
        response = login(team["supervisor"]).get(reverse("notifications:home") + f"?scope=team&{query}")
        assert response.status_code == 400

    def test_tabs_grouping_and_collapsed_row_on_the_page(self, team, login):
        a = team["patients"][0]
        missed(team["counselor"], a, 3)
        text = login(team["supervisor"]).get(reverse("notifications:home") + "?group=patient").text
        assert "My team's tasks" in text and "By patient" in text
        assert "×3" in text and "Show the 3 tasks" in text and a.display_name in text

    def test_bulk_snooze_of_a_collapsed_row_applies_to_every_repeat(self, team, login):
        repeats = missed(team["counselor"], team["patients"][0], 3)
        other = missed(team["counselor"], team["patients"][1], 1)[0]
        client = login(team["supervisor"])
        response = client.post(
            reverse("notifications:tasks_bulk"),
            {
                "row": [repeats[0].pk],
                "action": "snooze",
                "snooze_for": "tomorrow",
                "reason": REASON,
                "scope": "team",
                "group": "patient",
                "seen": timezone.now().isoformat(),
            },
        )
        assert response.status_code == 302 and "scope=team" in response.url
        assert StaffTask.objects.filter(status=TaskStatus.SNOOZED).count() == 3
        other.refresh_from_db()
        assert other.status == TaskStatus.OPEN
        assert {t.history.latest().history_user for t in StaffTask.objects.filter(pk__in=[r.pk for r in repeats])} == {
            team["supervisor"]
        }

    def test_bulk_refusal_keeps_what_was_typed_and_the_choice(self, team, login):
        task = missed(team["counselor"], team["patients"][0], 1)[0]
        response = login(team["supervisor"]).post(
            reverse("notifications:tasks_bulk"),
            {"row": [task.pk], "action": "done", "reason": "ok done", "scope": "team"},
        )
        assert response.status_code == 400
        assert "at least 20 characters" in response.text and 'value="ok done"' in response.text
        assert (
            f'value="{task.pk}" form="bulk-form" data-row-select aria-label="Choose this task" checked' in response.text
        )
        task.refresh_from_db()
        assert task.status == TaskStatus.OPEN

    def test_bulk_with_a_custom_date_and_time(self, team, login):
        task = missed(team["counselor"], team["patients"][0], 1)[0]
        at = timezone.localtime() + dt.timedelta(days=2)
        response = login(team["supervisor"]).post(
            reverse("notifications:tasks_bulk"),
            {
                "row": [task.pk],
                "action": "snooze",
                "snooze_for": "at",
                "snooze_at": at.strftime("%Y-%m-%dT%H:%M"),
                "reason": REASON,
            },
        )
        assert response.status_code == 302
        task.refresh_from_db()
        assert task.status == TaskStatus.SNOOZED
        assert timezone.localtime(task.snoozed_until).strftime("%Y-%m-%dT%H:%M") == at.strftime("%Y-%m-%dT%H:%M")

    def test_bulk_with_a_bad_row_id_is_400(self, team, login):
        response = login(team["supervisor"]).post(
            reverse("notifications:tasks_bulk"), {"row": ["1x"], "action": "done", "reason": REASON}
        )
        assert response.status_code == 400
