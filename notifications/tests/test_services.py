import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications import services
from notifications.constants import Channel, DeliveryError, MessageStatus, MessageTemplate, TaskKind, TaskStatus
from notifications.models import OutboundMessage, StaffTask
from patients.constants import ConsentKind
from patients.tests.factories import ConsentFactory, PatientFactory

from .factories import StaffTaskFactory, consenting_patient

pytestmark = pytest.mark.django_db

CLINIC = ZoneInfo("America/New_York")


def enqueue(patient, *, channel=Channel.SMS, key="session:1:patient:1:reminder-24h", send_after=None, **context):
    starts_at = timezone.now() + dt.timedelta(days=1)
    return services.message_enqueue(
        patient=patient,
        channel=channel,
        template=MessageTemplate.SESSION_REMINDER,
        context={"starts_at": starts_at, **context},
        send_after=send_after or timezone.now(),
        dedupe_key=key,
    )


class TestEnqueue:
    def test_renders_a_neutral_text_and_stores_it_pending(self, recorder, settings):
        patient = consenting_patient(recorded_by=recorder)
        message = enqueue(patient)
        assert message.status == MessageStatus.PENDING
        assert message.body.startswith(f"{settings.CLINIC_NEUTRAL_NAME}: reminder of your appointment on ")
        assert settings.CLINIC_CALLBACK_PHONE in message.body

    def test_the_same_dedupe_key_never_makes_a_second_row(self, recorder):
        patient = consenting_patient(recorded_by=recorder)
        first = enqueue(patient)
        second = enqueue(patient)
        assert first.pk == second.pk
        assert OutboundMessage.objects.count() == 1

    def test_without_consent_to_the_channel_the_message_is_suppressed(self, recorder):
        patient = consenting_patient(channels=[Channel.EMAIL], recorded_by=recorder)
        message = enqueue(patient, channel=Channel.SMS)
        assert message.status == MessageStatus.SUPPRESSED
        assert message.error_code == DeliveryError.NO_CONSENT

    def test_a_suppressed_message_is_revived_once_the_patient_consents(self, recorder):
        patient = PatientFactory()
        assert enqueue(patient).status == MessageStatus.SUPPRESSED
        ConsentFactory(patient=patient, kind=ConsentKind.REMINDERS_SMS, recorded_by=recorder)
        message = enqueue(patient)
        assert message.status == MessageStatus.PENDING and message.error_code == ""
        assert OutboundMessage.objects.count() == 1

    def test_revoked_consent_suppresses(self, recorder):
        patient = PatientFactory()
        ConsentFactory(
            patient=patient,
            kind=ConsentKind.REMINDERS_SMS,
            recorded_by=recorder,
            revoked_at=timezone.now(),
            revocation_reason="Asked in person",
        )
        assert enqueue(patient).status == MessageStatus.SUPPRESSED

    def test_opted_out_patient_gets_no_sms_but_email_still_goes(self, recorder):
        patient = consenting_patient(recorded_by=recorder)
        services.patient_sms_opt_out(patient=patient, source="test")
        assert enqueue(patient, key="a").error_code == DeliveryError.OPTED_OUT
        assert enqueue(patient, channel=Channel.EMAIL, key="b").status == MessageStatus.PENDING

    def test_an_sms_due_in_quiet_hours_waits_for_their_end(self, recorder, settings):
        settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = "21:00", "08:00"
        patient = consenting_patient(recorded_by=recorder)
        late_evening = dt.datetime(2030, 3, 4, 22, 30, tzinfo=CLINIC)
        sms = enqueue(patient, send_after=late_evening, key="sms")
        email = enqueue(patient, send_after=late_evening, key="email", channel=Channel.EMAIL)
        assert sms.send_after == late_evening
        assert sms.next_attempt_at == dt.datetime(2030, 3, 5, 8, 0, tzinfo=CLINIC)
        assert email.next_attempt_at == late_evening

    def test_context_beyond_date_time_and_link_is_refused(self, recorder):
        patient = consenting_patient(recorded_by=recorder)
        with pytest.raises(ValidationError) as error:
            enqueue(patient, session_kind="Relapse prevention group")
        assert "context" in error.value.message_dict

    def test_a_join_link_that_would_reveal_treatment_fails_visibly(self, recorder):
        patient = consenting_patient(recorded_by=recorder)
        message = enqueue(patient, join_url="https://video.example.com/relapse-group-7")
        assert message.status == MessageStatus.FAILED
        assert message.error_code == DeliveryError.FORBIDDEN_CONTENT
        assert "relapse" in message.last_error and "group" in message.last_error

    def test_naive_send_after_is_refused_with_the_field_name(self, recorder):
        patient = consenting_patient(recorded_by=recorder)
        with pytest.raises(ValidationError) as error:
            enqueue(patient, send_after=dt.datetime(2030, 1, 1, 9, 0))
        assert "send_after" in error.value.message_dict


class TestCancel:
    def test_cancels_pending_messages_by_prefix_and_leaves_sent_ones(self, recorder):
        patient = consenting_patient(recorded_by=recorder)
        enqueue(patient, key="session:9:patient:1:reminder-24h")
        enqueue(patient, key="session:9:patient:1:reminder-2h")
        sent = enqueue(patient, key="session:9:patient:2:reminder-24h")
        OutboundMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT, sent_at=timezone.now())
        other = enqueue(patient, key="session:10:patient:1:reminder-24h")
        assert services.message_cancel(dedupe_key_prefix="session:9:") == 2
        assert OutboundMessage.objects.get(pk=sent.pk).status == MessageStatus.SENT
        assert OutboundMessage.objects.get(pk=other.pk).status == MessageStatus.PENDING

    def test_by_queryset(self, recorder):
        patient = consenting_patient(recorded_by=recorder)
        enqueue(patient, key="a")
        assert services.message_cancel(queryset=OutboundMessage.objects.filter(patient=patient)) == 1

    def test_needs_exactly_one_selector(self):
        with pytest.raises(ValueError):
            services.message_cancel()
        with pytest.raises(ValidationError):
            services.message_cancel(dedupe_key_prefix="")


class TestOptOut:
    def test_stop_from_a_number_opts_out_every_chart_with_it_and_suppresses_pending_texts(self, recorder):
        patient = consenting_patient(recorded_by=recorder, phone="+16175550142")
        pending = enqueue(patient)
        action, charts = services.sms_inbound(phone="(617) 555-0142", text=" stop ")
        assert (action, charts) == ("opted_out", 1)
        patient.refresh_from_db()
        assert patient.sms_opted_out_at is not None
        pending.refresh_from_db()
        assert pending.status == MessageStatus.SUPPRESSED and pending.error_code == DeliveryError.OPTED_OUT
        assert patient.history.first().history_change_reason == "SMS opt-out (inbound SMS)"

    def test_start_opts_back_in_and_requeues_future_texts(self, recorder):
        patient = consenting_patient(recorded_by=recorder, phone="+16175550143")
        future = enqueue(patient, send_after=timezone.now() + dt.timedelta(hours=5))
        services.sms_opt_out(phone="+16175550143", source="test")
        assert services.sms_inbound(phone="+1 617 555 0143", text="START") == ("opted_in", 1)
        patient.refresh_from_db()
        future.refresh_from_db()
        assert patient.sms_opted_out_at is None
        assert future.status == MessageStatus.PENDING

    def test_other_words_are_ignored(self, recorder):
        consenting_patient(recorded_by=recorder, phone="+16175550144")
        assert services.sms_inbound(phone="+16175550144", text="see you tomorrow") == ("ignored", 0)

    def test_unknown_number_changes_nothing(self):
        assert services.sms_inbound(phone="+16175550199", text="STOP") == ("opted_out", 0)


class TestTasks:
    def test_create_is_deduplicated(self, counselor):
        due = timezone.now()
        first = services.task_create(
            assignee=counselor, kind=TaskKind.MISSED_SESSION, title="Call back", due_at=due, dedupe_key="k1"
        )
        second = services.task_create(
            assignee=counselor, kind=TaskKind.MISSED_SESSION, title="Call back", due_at=due, dedupe_key="k1"
        )
        assert first.pk == second.pk and StaffTask.objects.count() == 1

    def test_unknown_kind_is_refused(self, counselor):
        with pytest.raises(ValidationError) as error:
            services.task_create(assignee=counselor, kind="nope", title="x", due_at=timezone.now(), dedupe_key="k")
        assert "kind" in error.value.message_dict

    def test_complete_needs_a_reason(self, counselor):
        task = StaffTaskFactory(assignee=counselor)
        with pytest.raises(ValidationError) as error:
            services.task_complete(task=task, by=counselor, reason="  ")
        assert "done_reason" in error.value.message_dict
        done = services.task_complete(task=task, by=counselor, reason="Reached by phone")
        assert done.status == TaskStatus.DONE and done.done_by == counselor and done.done_at

    def test_snooze_needs_a_future_time_and_a_reason(self, counselor):
        task = StaffTaskFactory(assignee=counselor)
        with pytest.raises(ValidationError) as error:
            services.task_snooze(task=task, by=counselor, until=timezone.now() - dt.timedelta(minutes=1), reason="")
        assert set(error.value.message_dict) == {"snoozed_until", "snooze_reason"}
        until = timezone.now() + dt.timedelta(days=1)
        snoozed = services.task_snooze(task=task, by=counselor, until=until, reason="Left a voicemail")
        assert snoozed.status == TaskStatus.SNOOZED
        assert not StaffTask.objects.actionable().filter(pk=task.pk).exists()
        assert StaffTask.objects.actionable(now=until + dt.timedelta(seconds=1)).filter(pk=task.pk).exists()

    def test_only_the_assignee_or_their_supervisor_may_act(self, counselor, supervisor):
        stranger = StaffTaskFactory().assignee
        task = StaffTaskFactory(assignee=counselor)
        with pytest.raises(ValidationError):
            services.task_complete(task=task, by=stranger, reason="Not mine")
        counselor.supervisor = supervisor
        counselor.save()
        assert services.task_complete(task=task, by=supervisor, reason="Covered").status == TaskStatus.DONE


class TestSessionReminders:
    def test_one_reminder_per_lead_time_on_the_chosen_channel(self, recorder, settings):
        settings.REMINDER_LEAD_TIMES = [24, 2]
        patient = consenting_patient(recorded_by=recorder, preferred_contact_channel="sms")
        starts_at = timezone.now() + dt.timedelta(days=3)
        reminders = services.session_reminders_enqueue(session_id=7, patient=patient, starts_at=starts_at)
        assert [m.send_after for m in reminders] == [
            starts_at - dt.timedelta(hours=24),
            starts_at - dt.timedelta(hours=2),
        ]
        assert {m.channel for m in reminders} == {Channel.SMS}
        # Booking the same session twice makes nothing new.
        services.session_reminders_enqueue(session_id=7, patient=patient, starts_at=starts_at)
        assert OutboundMessage.objects.count() == 2

    def test_booked_late_only_the_lead_times_still_ahead_and_telehealth_link(self, recorder, settings):
        settings.REMINDER_LEAD_TIMES = [24, 2]
        patient = consenting_patient(recorded_by=recorder, preferred_contact_channel="email")
        starts_at = timezone.now() + dt.timedelta(hours=5)
        [reminder] = services.session_reminders_enqueue(
            session_id=8, patient=patient, starts_at=starts_at, join_url="https://video.example.com/j/1"
        )
        assert reminder.channel == Channel.EMAIL and "https://video.example.com/j/1" in reminder.body

    def test_phone_call_patients_get_no_automated_message(self, recorder):
        patient = consenting_patient(recorded_by=recorder, preferred_contact_channel="phone")
        assert services.session_reminders_enqueue(session_id=9, patient=patient, starts_at=timezone.now()) == []

    def test_moving_cancels_old_reminders_books_new_ones_and_sends_a_notice(self, recorder, settings):
        settings.REMINDER_LEAD_TIMES = [24]
        patient = consenting_patient(recorded_by=recorder, preferred_contact_channel="sms")
        old_start = timezone.now() + dt.timedelta(days=2)
        new_start = old_start + dt.timedelta(days=1)
        [old] = services.session_reminders_enqueue(session_id=5, patient=patient, starts_at=old_start)
        notice = services.session_change_notify(
            session_id=5, patient=patient, starts_at=new_start, previous_starts_at=old_start
        )
        old.refresh_from_db()
        assert old.status == MessageStatus.CANCELLED
        assert notice.template == MessageTemplate.SESSION_MOVED and notice.status == MessageStatus.PENDING
        assert OutboundMessage.objects.filter(
            status=MessageStatus.PENDING, template=MessageTemplate.SESSION_REMINDER
        ).get().send_after == new_start - dt.timedelta(hours=24)

    def test_cancelling_sends_a_cancellation_notice(self, recorder):
        patient = consenting_patient(recorded_by=recorder, preferred_contact_channel="sms")
        notice = services.session_change_notify(session_id=6, patient=patient, starts_at=timezone.now())
        assert notice.template == MessageTemplate.SESSION_CANCELLED and "cancelled" in notice.body
