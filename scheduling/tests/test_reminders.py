"""Reminders wiring: planned once per session, patient and lead time; consent; telehealth; notices; missed sessions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import SupervisorFactory
from notifications.constants import Channel, MessageStatus, MessageTemplate, TaskKind
from notifications.models import OutboundMessage, StaffTask
from notifications.tests.factories import consenting_patient
from patients.constants import ContactChannel
from patients.services.work_list import authorization_tasks
from patients.tests.factories import AuthorizationFactory, EpisodeFactory, InsurancePolicyFactory, PatientFactory
from scheduling.constants import AttendanceStatus
from scheduling.services import attendance_record, session_cancel, session_move
from scheduling.services.follow_up import hours_shortfall_tasks
from scheduling.services.reminders import session_reminders_plan
from scheduling.tests.factories import EnrolmentFactory, SessionFactory, VirtualRoomFactory


def in_hours(hours: float) -> dt.datetime:
    return (timezone.now() + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def sms_patient(db):
    return consenting_patient(channels=(Channel.SMS,), preferred_contact_channel=ContactChannel.SMS)


@pytest.fixture
def booked(program, counselor, sms_patient):
    episode = EpisodeFactory(patient=sms_patient, program=program, primary_clinician=counselor)
    return SessionFactory(episode=episode, local_start=in_hours(30))


def reminders_of(patient):
    return OutboundMessage.objects.filter(patient=patient, template=MessageTemplate.SESSION_REMINDER)


class TestReminderPlanning:
    def test_once_per_session_patient_and_lead_time(self, booked, sms_patient):
        assert session_reminders_plan() == 2
        assert session_reminders_plan() == 0
        rows = reminders_of(sms_patient)
        assert sorted(rows.values_list("send_after", flat=True)) == [
            booked.start - dt.timedelta(hours=24),
            booked.start - dt.timedelta(hours=2),
        ]
        assert set(rows.values_list("status", flat=True)) == {MessageStatus.PENDING}

    def test_none_without_consent(self, program, counselor):
        patient = PatientFactory(preferred_contact_channel=ContactChannel.SMS)
        SessionFactory(episode=EpisodeFactory(patient=patient, program=program), local_start=in_hours(30))
        assert session_reminders_plan() == 0
        assert not OutboundMessage.objects.filter(patient=patient).exists()

    def test_none_on_a_channel_the_patient_did_not_choose(self, program):
        patient = consenting_patient(channels=(Channel.SMS,), preferred_contact_channel=ContactChannel.EMAIL)
        SessionFactory(episode=EpisodeFactory(patient=patient, program=program), local_start=in_hours(30))
        session_reminders_plan()
        assert not OutboundMessage.objects.filter(patient=patient).exists()

    def test_telehealth_reminder_carries_the_join_link(self, program, sms_patient):
        room = VirtualRoomFactory(join_url="https://video.example.org/room-7")
        episode = EpisodeFactory(patient=sms_patient, program=program)
        SessionFactory(episode=episode, room=room, join_url=room.join_url, local_start=in_hours(30))
        session_reminders_plan()
        assert all("https://video.example.org/room-7" in m.body for m in reminders_of(sms_patient))

    def test_group_members_are_reminded(self, group, sms_patient, program):
        episode = EpisodeFactory(patient=sms_patient, program=program, admitted_on=group.starts_on)
        EnrolmentFactory(episode=episode, group=group, starts_on=group.starts_on)
        session_reminders_plan()
        upcoming = group.sessions.filter(start__gt=timezone.now(), start__lte=timezone.now() + dt.timedelta(hours=48))
        keys = set(reminders_of(sms_patient).values_list("dedupe_key", flat=True))
        assert {key.split(":")[1] for key in keys} == {str(s.pk) for s in upcoming}


class TestNotices:
    def test_cancellation_cancels_reminders_and_notifies_once(self, booked, sms_patient, counselor):
        session_reminders_plan()
        session_cancel(session=booked, reason="Clinician ill", by=counselor)
        assert set(reminders_of(sms_patient).values_list("status", flat=True)) == {MessageStatus.CANCELLED}
        notice = OutboundMessage.objects.get(patient=sms_patient, template=MessageTemplate.SESSION_CANCELLED)
        assert notice.status == MessageStatus.PENDING
        session_reminders_plan()
        assert not reminders_of(sms_patient).filter(status=MessageStatus.PENDING).exists()

    def test_move_rekeys_reminders_and_notifies(self, booked, sms_patient, counselor):
        session_reminders_plan()
        old_keys = set(reminders_of(sms_patient).values_list("dedupe_key", flat=True))
        session_move(session=booked, start=booked.start + dt.timedelta(hours=3), by=counselor)
        assert set(reminders_of(sms_patient).filter(dedupe_key__in=old_keys).values_list("status", flat=True)) == {
            MessageStatus.CANCELLED
        }
        fresh = reminders_of(sms_patient).filter(status=MessageStatus.PENDING)
        assert fresh.count() == 2
        assert OutboundMessage.objects.filter(patient=sms_patient, template=MessageTemplate.SESSION_MOVED).count() == 1
        assert session_reminders_plan() == 0


class TestMissedSessions:
    def test_unexcused_absence_makes_a_same_day_task_and_two_escalate(self, program, counselor):
        supervisor = SupervisorFactory(programs=[program])
        counselor.supervisor = supervisor
        counselor.save()
        episode = EpisodeFactory(program=program, primary_clinician=counselor)
        monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 7)
        first, second = (
            SessionFactory(
                episode=episode,
                local_start=timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=d), dt.time(10))),
            )
            for d in (0, 2)
        )
        attendance_record(
            session=first, patient_id=episode.patient_id, status=AttendanceStatus.UNEXCUSED, minutes=None, by=counselor
        )
        attendance_record(
            session=first, patient_id=episode.patient_id, status=AttendanceStatus.UNEXCUSED, minutes=None, by=counselor
        )
        task = StaffTask.objects.get(kind=TaskKind.MISSED_SESSION)
        assert task.assignee == counselor
        assert timezone.localdate(task.due_at) == first.day
        assert not StaffTask.objects.filter(kind=TaskKind.MISSED_SESSION_ESCALATION).exists()
        attendance_record(
            session=second, patient_id=episode.patient_id, status=AttendanceStatus.UNEXCUSED, minutes=None, by=counselor
        )
        escalation = StaffTask.objects.get(kind=TaskKind.MISSED_SESSION_ESCALATION)
        assert escalation.assignee == supervisor
        assert StaffTask.objects.filter(kind=TaskKind.MISSED_SESSION).count() == 2

    def test_present_makes_no_task(self, program, counselor):
        episode = EpisodeFactory(program=program, primary_clinician=counselor)
        session = SessionFactory(episode=episode)
        attendance_record(
            session=session, patient_id=episode.patient_id, status=AttendanceStatus.PRESENT, minutes=None, by=counselor
        )
        assert not StaffTask.objects.exists()


class TestWorkListRuns:
    def test_hours_shortfall_makes_one_task_per_patient_and_week(self, program, counselor):
        episode = EpisodeFactory(
            program=program, primary_clinician=counselor, admitted_on=timezone.localdate() - dt.timedelta(weeks=3)
        )
        assert hours_shortfall_tasks() == 1
        hours_shortfall_tasks()
        task = StaffTask.objects.get(kind=TaskKind.HOURS_SHORTFALL)
        assert task.assignee == counselor and task.patient == episode.patient

    def test_authorization_ending_or_low_on_units(self, program, counselor):
        episode = EpisodeFactory(program=program, primary_clinician=counselor)
        policy = InsurancePolicyFactory(patient=episode.patient)
        today = timezone.localdate()
        AuthorizationFactory(
            policy=policy, starts_on=today - dt.timedelta(days=20), ends_on=today + dt.timedelta(days=5)
        )
        AuthorizationFactory(
            policy=policy, starts_on=today, ends_on=today + dt.timedelta(days=60), units_authorized=12, units_used=10
        )
        AuthorizationFactory(
            policy=policy,
            starts_on=today,
            ends_on=today + dt.timedelta(days=60),
            units_authorized=12,
            units_used=Decimal(2),
        )
        assert authorization_tasks() == 2
        authorization_tasks()
        assert StaffTask.objects.filter(kind=TaskKind.AUTHORIZATION_ENDING, assignee=counselor).count() == 2
