"""Pages: the work list's tasks, failed messages, the chart's Messages tab and the inbound SMS webhook."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminFactory, CounselorFactory, DirectorFactory
from audit.models import AccessLog
from notifications.constants import Channel, DeliveryError, MessageStatus, TaskStatus
from notifications.models import OutboundMessage, StaffTask
from patients.tests.factories import EpisodeFactory, PatientFactory
from programs.tests.factories import ProgramFactory

from .factories import OutboundMessageFactory, StaffTaskFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def my_patient(counselor):
    return PatientFactory(primary_clinician=counselor)


class TestWorkList:
    def test_shows_my_due_and_overdue_tasks_not_future_done_or_snoozed_ones(self, login, counselor, my_patient):
        overdue = StaffTaskFactory(assignee=counselor, patient=my_patient, title="Call after missed Tuesday")
        StaffTaskFactory(assignee=counselor, title="Future task", due_at=timezone.now() + dt.timedelta(days=3))
        StaffTaskFactory(
            assignee=counselor,
            title="Finished task",
            status=TaskStatus.DONE,
            done_at=timezone.now(),
            done_reason="done",
        )
        StaffTaskFactory(
            assignee=counselor,
            title="Sleeping task",
            status=TaskStatus.SNOOZED,
            snoozed_until=timezone.now() + dt.timedelta(hours=3),
            snooze_reason="voicemail",
        )
        StaffTaskFactory(title="Someone else's task")
        response = login(counselor).get(reverse("notifications:home"))
        assert response.status_code == 200
        text = response.text
        assert overdue.title in text and my_patient.display_name in text and "overdue" in text
        for hidden in ("Future task", "Finished task", "Sleeping task", "Someone else"):
            assert hidden not in text
        assert "My team" not in text
        assert AccessLog.objects.filter(user=counselor, action="work list").count() == 1

    def test_query_count_does_not_grow_with_tasks(self, login, counselor, django_assert_max_num_queries):
        client = login(counselor)
        StaffTaskFactory(assignee=counselor, patient=PatientFactory(primary_clinician=counselor))
        client.get(reverse("notifications:home"))  # the first request of a session does one-off work
        with django_assert_max_num_queries(40) as few:
            client.get(reverse("notifications:home"))
        for _ in range(15):
            StaffTaskFactory(assignee=counselor, patient=PatientFactory(primary_clinician=counselor))
        with django_assert_max_num_queries(len(few)):
            response = client.get(reverse("notifications:home"))
        assert response.text.count('id="task-') == 16

    def test_supervisor_sees_the_team_and_only_patients_they_may_see(self, login, counselor, supervisor, my_patient):
        counselor.supervisor = supervisor
        counselor.save()
        StaffTaskFactory(assignee=counselor, patient=my_patient, title=f"Call {my_patient.display_name}")
        StaffTaskFactory(assignee=counselor, title="Team paperwork")
        response = login(supervisor).get(reverse("notifications:home"))
        text = response.text
        assert "My team&#x27;s tasks" in text or "My team's tasks" in text
        assert "Team paperwork" in text
        assert my_patient.display_name not in text
        assert "a patient outside your caseload" in text

    def test_done_with_htmx_swaps_the_row(self, login, counselor, my_patient):
        task = StaffTaskFactory(assignee=counselor, patient=my_patient)
        response = login(counselor).post(
            reverse("notifications:task_done", args=[task.pk]), {"reason": "Reached, rebooked Thursday"}, **HTMX
        )
        assert response.status_code == 200
        assert f'id="task-{task.pk}"' in response.text and "Done: Reached, rebooked Thursday" in response.text
        task.refresh_from_db()
        assert task.status == TaskStatus.DONE and task.done_by == counselor

    def test_done_without_reason_shows_the_error_in_the_row(self, login, counselor):
        task = StaffTaskFactory(assignee=counselor)
        response = login(counselor).post(reverse("notifications:task_done", args=[task.pk]), {"reason": ""}, **HTMX)
        assert response.status_code == 200 and "is-invalid" in response.text and "open" in response.text
        task.refresh_from_db()
        assert task.status == TaskStatus.OPEN

    def test_snooze_with_htmx_and_without(self, login, counselor):
        task = StaffTaskFactory(assignee=counselor)
        client = login(counselor)
        response = client.post(
            reverse("notifications:task_snooze", args=[task.pk]),
            {"snooze_for": "tomorrow", "reason": "Left a voicemail"},
            **HTMX,
        )
        assert "Snoozed until" in response.text
        task.refresh_from_db()
        local_until = timezone.localtime(task.snoozed_until)
        assert task.status == TaskStatus.SNOOZED and (local_until.hour, local_until.minute) == (8, 0)
        other = StaffTaskFactory(assignee=counselor)
        response = client.post(reverse("notifications:task_snooze", args=[other.pk]), {"snooze_for": "2h"})
        assert response.status_code == 302
        other.refresh_from_db()
        assert other.status == TaskStatus.OPEN

    def test_cannot_touch_someone_elses_task(self, login, counselor):
        task = StaffTaskFactory()
        response = login(counselor).post(reverse("notifications:task_done", args=[task.pk]), {"reason": "x"})
        assert response.status_code == 404


class TestFailedMessages:
    def test_lists_failed_messages_of_visible_patients_with_access_log(self, login, counselor):
        program = ProgramFactory()
        director = DirectorFactory(programs=[program])
        visible = EpisodeFactory(program=program).patient
        hidden = PatientFactory()
        OutboundMessageFactory(
            patient=visible, status=MessageStatus.FAILED, error_code=DeliveryError.INVALID_ADDRESS, last_error="bad"
        )
        OutboundMessageFactory(patient=hidden, status=MessageStatus.FAILED, error_code=DeliveryError.REJECTED)
        OutboundMessageFactory(patient=visible, status=MessageStatus.PENDING)
        response = login(director).get(reverse("notifications:failed_messages"))
        assert response.status_code == 200
        assert visible.display_name in response.text and hidden.display_name not in response.text
        assert "Invalid phone number" in response.text
        assert AccessLog.objects.filter(user=director, action="failed messages").count() == 1
        filtered = login(director).get(reverse("notifications:failed_messages"), {"reason": DeliveryError.REJECTED})
        assert visible.display_name not in filtered.text

    def test_counselors_have_no_access(self, login, counselor):
        assert login(counselor).get(reverse("notifications:failed_messages")).status_code == 403

    def test_nav_entry_only_for_those_who_may_see_it(self, login, counselor):
        assert "Failed messages" in login(AdminFactory()).get(reverse("notifications:home")).text
        assert "Failed messages" not in login(counselor).get(reverse("notifications:home")).text

    def test_query_count_does_not_grow(self, login, django_assert_max_num_queries):
        admin = AdminFactory()
        client = login(admin)
        OutboundMessageFactory(status=MessageStatus.FAILED, error_code=DeliveryError.REJECTED)
        client.get(reverse("notifications:failed_messages"))  # the first request of a session does one-off work
        with django_assert_max_num_queries(40) as few:
            client.get(reverse("notifications:failed_messages"))
        for _ in range(10):
            OutboundMessageFactory(status=MessageStatus.FAILED, error_code=DeliveryError.REJECTED)
        with django_assert_max_num_queries(len(few)):
            response = client.get(reverse("notifications:failed_messages"))
        assert response.text.count("Retry now") == 11

    def test_retry_queues_the_message_again(self, login):
        admin = AdminFactory()
        message = OutboundMessageFactory(status=MessageStatus.FAILED, error_code=DeliveryError.NO_ADDRESS, attempts=1)
        response = login(admin).post(reverse("notifications:message_retry", args=[message.pk]))
        assert response.status_code == 302
        message.refresh_from_db()
        assert (message.status, message.attempts, message.error_code) == (MessageStatus.PENDING, 0, "")

    def test_admin_retry_action(self, login):
        admin = AdminFactory()
        failed = OutboundMessageFactory(status=MessageStatus.FAILED, error_code=DeliveryError.REJECTED)
        sent = OutboundMessageFactory(status=MessageStatus.SENT, sent_at=timezone.now())
        response = login(admin).post(
            reverse("admin:notifications_outboundmessage_changelist"),
            {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
        )
        assert response.status_code == 302
        assert OutboundMessage.objects.get(pk=failed.pk).status == MessageStatus.PENDING
        assert OutboundMessage.objects.get(pk=sent.pk).status == MessageStatus.SENT
        changelist = login(admin).get(
            reverse("admin:notifications_outboundmessage_changelist"), {"status__exact": "failed"}
        )
        assert changelist.status_code == 200
        assert login(admin).get(reverse("admin:notifications_stafftask_changelist")).status_code == 200


class TestChartMessages:
    def test_tab_lists_messages_and_writes_the_access_log(self, login, counselor, my_patient):
        OutboundMessageFactory(patient=my_patient, body="Riverside Health: reminder one")
        response = login(counselor).get(reverse("notifications:chart_messages", args=[my_patient.pk]))
        assert response.status_code == 200
        assert "Riverside Health: reminder one" in response.text and "Opt out of texts" in response.text
        assert AccessLog.objects.filter(patient=my_patient, user=counselor, action="chart messages").exists()
        overview = login(counselor).get(reverse("patients:chart", args=[my_patient.pk]))
        assert reverse("notifications:chart_messages", args=[my_patient.pk]) in overview.text

    def test_other_patients_are_404(self, login, counselor):
        stranger = PatientFactory()
        assert login(counselor).get(reverse("notifications:chart_messages", args=[stranger.pk])).status_code == 404

    def test_opt_out_and_back_in_from_the_chart(self, login, counselor, my_patient):
        pending = OutboundMessageFactory(patient=my_patient, send_after=timezone.now() + dt.timedelta(hours=3))
        client = login(counselor)
        client.post(reverse("notifications:sms_opt_out", args=[my_patient.pk]))
        my_patient.refresh_from_db()
        pending.refresh_from_db()
        assert my_patient.sms_opted_out_at is not None and pending.status == MessageStatus.SUPPRESSED
        page = client.get(reverse("notifications:chart_messages", args=[my_patient.pk]))
        assert "Opted out" in page.text and "Opt back in" in page.text
        client.post(reverse("notifications:sms_opt_in", args=[my_patient.pk]))
        my_patient.refresh_from_db()
        pending.refresh_from_db()
        assert my_patient.sms_opted_out_at is None and pending.status == MessageStatus.PENDING

    def test_query_count_does_not_grow(self, login, counselor, my_patient, django_assert_max_num_queries):
        client = login(counselor)
        url = reverse("notifications:chart_messages", args=[my_patient.pk])
        OutboundMessageFactory(patient=my_patient)
        client.get(url)
        with django_assert_max_num_queries(40) as few:
            client.get(url)
        for _ in range(10):
            OutboundMessageFactory(patient=my_patient, channel=Channel.EMAIL)
        with django_assert_max_num_queries(len(few)):
            client.get(url)


class TestInboundWebhook:
    URL = "/notifications/sms/inbound/"

    @pytest.fixture(autouse=True)
    def secret(self, settings):
        settings.SMS_INBOUND_SECRET = "shared-secret-from-env"

    def test_wrong_or_missing_secret_is_refused(self, client):
        assert client.post(self.URL, {"From": "+16175550142", "Body": "STOP"}).status_code == 403
        response = client.post(self.URL, {"From": "+16175550142", "Body": "STOP"}, HTTP_X_INBOUND_SECRET="guess")
        assert response.status_code == 403

    def test_unset_secret_disables_the_endpoint(self, client, settings):
        settings.SMS_INBOUND_SECRET = ""
        assert client.post(self.URL, {"From": "+1", "Body": "STOP"}, HTTP_X_INBOUND_SECRET="").status_code == 403

    def test_stop_form_encoded_and_start_as_json(self, client):
        patient = PatientFactory(phone="+16175550150")
        headers = {"HTTP_X_INBOUND_SECRET": "shared-secret-from-env"}
        response = client.post(self.URL, {"From": "+16175550150", "Body": "Stop"}, **headers)
        assert response.json() == {"action": "opted_out", "charts": 1}
        patient.refresh_from_db()
        assert patient.sms_opted_out_at is not None
        response = client.post(
            self.URL, {"from": "+16175550150", "text": "START"}, content_type="application/json", **headers
        )
        assert response.json() == {"action": "opted_in", "charts": 1}
        patient.refresh_from_db()
        assert patient.sms_opted_out_at is None

    def test_unparseable_number_is_ignored(self, client):
        response = client.post(
            self.URL, {"From": "not a number", "Body": "STOP"}, HTTP_X_INBOUND_SECRET="shared-secret-from-env"
        )
        assert response.status_code == 200 and response.json()["action"] == "ignored"


def test_counselor_role_may_change_tasks_but_not_messages(db):
    counselor = CounselorFactory()
    assert counselor.has_perm("notifications.change_stafftask")
    assert not counselor.has_perm("notifications.view_outboundmessage")
    assert StaffTask._meta.app_label == "notifications"
