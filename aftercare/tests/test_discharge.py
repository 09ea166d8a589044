"""Discharge: the episode closes, the schedule and reminders still to come are cancelled, nothing in the past."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aftercare.constants import DischargeType
from aftercare.models import AlumniCheckIn
from aftercare.services.discharge import discharge_sign, discharge_update, episode_discharge
from audit.models import AccessLog
from notifications.constants import Channel, MessageStatus
from notifications.models import OutboundMessage
from notifications.tests.factories import OutboundMessageFactory, consenting_patient
from patients.constants import ContactChannel, EpisodeStatus, LevelOfCare, PatientStatus
from patients.instruments import Instrument
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory, InstrumentResponseFactory
from scheduling.constants import AttendanceStatus, SessionStatus
from scheduling.models import Enrolment, Session
from scheduling.recurrence import week_start
from scheduling.services import group_generate_occurrences
from scheduling.services.reminders import session_reminders_plan
from scheduling.tests.factories import AttendanceFactory, EnrolmentFactory, GroupFactory, SessionFactory


def at(days: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour)))


@pytest.fixture
def episode(program, counselor):
    patient = consenting_patient(channels=(Channel.SMS,), preferred_contact_channel=ContactChannel.SMS)
    episode = EpisodeFactory(
        patient=patient,
        program=program,
        primary_clinician=counselor,
        admitted_on=week_start(timezone.localdate()) - dt.timedelta(weeks=2),
    )
    patient.primary_clinician = counselor
    patient.status = PatientStatus.ADMITTED
    patient.save()
    CareTeamMemberFactory(patient=patient, user=counselor, role="primary")
    return episode


@pytest.fixture
def schedule(episode, counselor):
    """A group the patient attends, one past booking attended, one booking in two days and one next week."""
    group = GroupFactory(program=episode.program, facilitator=counselor, starts_on=episode.admitted_on)
    group_generate_occurrences(group=group, since=group.starts_on)
    enrolment = EnrolmentFactory(episode=episode, group=group, starts_on=episode.admitted_on)
    past = SessionFactory(episode=episode, local_start=at(-2))
    AttendanceFactory(session=past, status=AttendanceStatus.PRESENT)
    # Two days ahead: both reminders (24 h and 2 h before) are still to send at any time of day.
    soon = SessionFactory(episode=episode, local_start=at(2, 16))
    later = SessionFactory(episode=episode, local_start=at(8))
    return {"group": group, "enrolment": enrolment, "past": past, "soon": soon, "later": later}


def discharge(episode, by, **overrides):
    fields = {
        "episode": episode,
        "discharged_on": timezone.localdate(),
        "discharge_type": DischargeType.COMPLETED,
        "reason": "Met treatment plan goals; four weeks of negative tests.",
        "by": by,
    }
    return episode_discharge(**(fields | overrides))


class TestEpisodeDischarge:
    def test_closes_the_episode_and_sets_the_patient_status(self, episode, counselor):
        record = discharge(episode, counselor)
        episode.refresh_from_db()
        episode.patient.refresh_from_db()
        assert episode.status == EpisodeStatus.DISCHARGED
        assert episode.discharged_on == timezone.localdate()
        assert episode.patient.status == PatientStatus.DISCHARGED
        assert record.summary.startswith(f"Admitted {episode.admitted_on.isoformat()}")
        assert not record.is_signed

    def test_ends_enrolments_and_cancels_future_bookings_but_nothing_in_the_past(self, episode, counselor, schedule):
        discharge(episode, counselor)
        enrolment = Enrolment.objects.get(pk=schedule["enrolment"].pk)
        assert enrolment.ends_on == timezone.localdate()
        for key in ("soon", "later"):
            session = Session.objects.get(pk=schedule[key].pk)
            assert session.status == SessionStatus.CANCELLED
            assert session.cancel_reason == "Patient discharged"
        past = Session.objects.get(pk=schedule["past"].pk)
        assert past.status == SessionStatus.SCHEDULED
        assert past.attendance.valid().count() == 1
        # The group itself carries on for everyone else.
        assert Session.objects.filter(group=schedule["group"], start__gt=timezone.now(), status="scheduled").exists()

    def test_cancels_pending_reminders_and_leaves_sent_messages_alone(self, episode, counselor, schedule):
        session_reminders_plan()
        pending = OutboundMessage.objects.filter(patient=episode.patient, status=MessageStatus.PENDING)
        assert pending.filter(dedupe_key__startswith=f"session:{schedule['soon'].pk}:").count() == 2
        sent = OutboundMessageFactory(
            patient=episode.patient,
            dedupe_key=f"session:{schedule['past'].pk}:patient:{episode.patient.pk}:reminder-24h:x",
            status=MessageStatus.SENT,
            sent_at=timezone.now() - dt.timedelta(days=3),
        )
        discharge(episode, counselor)
        assert not OutboundMessage.objects.filter(patient=episode.patient, status=MessageStatus.PENDING).exists()
        sent.refresh_from_db()
        assert sent.status == MessageStatus.SENT
        # A later planning run does not bring reminders back for the discharged patient.
        session_reminders_plan()
        assert not OutboundMessage.objects.filter(patient=episode.patient, status=MessageStatus.PENDING).exists()

    def test_schedules_the_alumni_checkins(self, episode, counselor):
        record = discharge(episode, counselor)
        today = timezone.localdate()
        assert [(c.days_after_discharge, c.due_on) for c in AlumniCheckIn.objects.filter(discharge=record)] == [
            (days, today + dt.timedelta(days=days)) for days in (7, 30, 60, 90, 180)
        ]

    def test_no_follow_up_after_death(self, episode, counselor):
        record = discharge(episode, counselor, discharge_type=DischargeType.DECEASED, reason="Died in hospital.")
        assert not record.checkins.exists()

    def test_summary_is_prefilled_from_the_ledger_and_instruments(self, episode, counselor, schedule):
        patient = episode.patient
        InstrumentResponseFactory(
            patient=patient,
            instrument=Instrument.PHQ9,
            items=[2, 2, 2, 2, 2, 2, 1, 1, 0],
            administered_at=timezone.now() - dt.timedelta(days=14),
        )
        InstrumentResponseFactory(
            patient=patient,
            instrument=Instrument.PHQ9,
            items=[1, 0, 1, 0, 1, 0, 0, 0, 0],
            administered_at=timezone.now(),
        )
        record = discharge(episode, counselor)
        facts = record.summary_facts
        assert facts["sessions_attended"] == 1
        assert facts["hours_attended"] == "1.00"
        assert facts["instruments"]["phq9"]["first"]["score"] == 14
        assert facts["instruments"]["phq9"]["last"]["score"] == 3
        assert "PHQ-9: 14 (moderate)" in record.summary
        assert "GAD-7: not given during the episode." in record.summary

    def test_a_closed_episode_cannot_be_discharged_again(self, episode, counselor):
        discharge(episode, counselor)
        with pytest.raises(ValidationError, match="already closed"):
            discharge(episode, counselor)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"discharged_on": timezone.localdate() + dt.timedelta(days=1)}, "discharged_on"),
            ({"discharged_on": dt.date(2000, 1, 1)}, "discharged_on"),
            ({"reason": "  "}, "reason"),
            ({"discharge_type": DischargeType.STEP_DOWN}, "next_level_of_care"),
            ({"discharge_type": DischargeType.STEP_UP, "next_level_of_care": LevelOfCare.OP}, "next_level_of_care"),
            ({"discharge_type": DischargeType.TRANSFERRED}, "referred_to"),
        ],
    )
    def test_bad_input_names_the_field_and_saves_nothing(self, episode, counselor, schedule, overrides, field):
        with pytest.raises(ValidationError) as error:
            discharge(episode, counselor, **overrides)
        assert field in error.value.message_dict
        episode.refresh_from_db()
        assert episode.status == EpisodeStatus.ACTIVE
        assert Session.objects.get(pk=schedule["soon"].pk).status == SessionStatus.SCHEDULED

    def test_step_up_names_the_next_level(self, episode, counselor):
        record = discharge(
            episode,
            counselor,
            discharge_type=DischargeType.STEP_UP,
            next_level_of_care=LevelOfCare.RES_HIGH,
            referred_to="Harbor House residential",
        )
        assert record.get_next_level_of_care_display().startswith("3.5")
        assert record.referred_to == "Harbor House residential"

    def test_signing_locks_the_summary(self, episode, counselor):
        record = discharge(episode, counselor)
        discharge_update(discharge=record, by=counselor, summary="Course: good.", reason="Completed.")
        discharge_sign(discharge=record, by=counselor)
        with pytest.raises(ValidationError, match="signed and locked"):
            discharge_update(discharge=record, by=counselor, summary="Changed.", reason="Completed.")
        with pytest.raises(ValidationError, match="signed and locked"):
            discharge_sign(discharge=record, by=counselor)


class TestDischargeViews:
    def test_counselor_discharges_from_the_chart(self, login, counselor, episode, schedule):
        client = login(counselor)
        chart = client.get(reverse("patients:chart", args=[episode.patient.pk]))
        url = reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk])
        assert url in chart.content.decode()
        page = client.get(url)
        assert page.status_code == 200
        assert "Attendance: 1 sessions attended" in page.content.decode()
        response = client.post(
            url,
            {
                "discharged_on": timezone.localdate().isoformat(),
                "discharge_type": DischargeType.COMPLETED,
                "reason": "Completed the program.",
                "summary": "Admitted and completed.",
                "sign": "on",
            },
        )
        assert response.status_code == 302
        record = episode.patient.discharges.get()
        assert record.is_signed and record.signed_by == counselor
        assert Session.objects.get(pk=schedule["soon"].pk).status == SessionStatus.CANCELLED
        detail = client.get(reverse("aftercare:discharge_detail", args=[episode.patient.pk, record.pk]))
        assert "Signed" in detail.content.decode()
        chart = client.get(reverse("patients:chart", args=[episode.patient.pk]))
        assert "Discharge and aftercare" in chart.content.decode()

    def test_bad_input_is_shown_next_to_the_field(self, login, counselor, episode):
        client = login(counselor)
        url = reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk])
        response = client.post(
            url,
            {
                "discharged_on": timezone.localdate().isoformat(),
                "discharge_type": DischargeType.TRANSFERRED,
                "reason": "Moving away.",
                "summary": "x",
            },
        )
        assert response.status_code == 200
        assert "Name the provider the patient is transferred to." in response.content.decode()
        episode.refresh_from_db()
        assert episode.is_active

    def test_other_teams_clinician_gets_404_and_the_refusal_is_logged(self, login, other_counselor, episode):
        client = login(other_counselor)
        response = client.get(reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk]))
        assert response.status_code == 404
        assert AccessLog.objects.filter(user=other_counselor, patient=episode.patient, outcome="refused").exists()
        record = discharge(episode, episode.primary_clinician)
        response = client.get(reverse("aftercare:discharge_detail", args=[episode.patient.pk, record.pk]))
        assert response.status_code == 404

    def test_intake_staff_may_not_discharge(self, login, intake_worker, episode):
        response = login(intake_worker).get(
            reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk])
        )
        assert response.status_code == 403

    def test_every_page_writes_an_access_log_row(self, login, counselor, episode):
        record = discharge(episode, counselor)
        client = login(counselor)
        before = AccessLog.objects.filter(patient=episode.patient).count()
        client.get(reverse("aftercare:discharge_detail", args=[episode.patient.pk, record.pk]))
        client.get(reverse("aftercare:discharge_edit", args=[episode.patient.pk, record.pk]))
        client.get(reverse("aftercare:aftercare_edit", args=[episode.patient.pk, record.pk]))
        assert AccessLog.objects.filter(patient=episode.patient).count() == before + 3


@pytest.mark.parametrize("model_name", ["discharge", "aftercareplan", "alumnicheckin"])
def test_discharge_records_have_admin_changelists(db, login, model_name):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser(username="root", email="r@example.org", password="x")
    assert login(superuser).get(reverse(f"admin:aftercare_{model_name}_changelist")).status_code == 200


def test_a_patient_discharged_today_leaves_the_day_lists_later_sessions_but_not_the_earlier_ones(
    episode, counselor, schedule
):
    from scheduling.constants import SessionKind
    from scheduling.selectors import rosters_for_day

    now = timezone.localtime()
    if not (dt.time(0, 3) < now.time() < dt.time(23, 50)):
        pytest.skip("needs room for a session before and after now on the same day")
    group = schedule["group"]

    def group_session_at(hour: int, minute: int):
        start = timezone.make_aware(dt.datetime.combine(now.date(), dt.time(hour, minute)))
        return SessionFactory(
            episode=None,
            patient=None,
            group=group,
            kind=SessionKind.GROUP_THERAPY,
            program=episode.program,
            clinician=counselor,
            local_start=start,
            original_start=start,
            minutes=5,
        )

    morning, evening = group_session_at(0, 1), group_session_at(23, 54)
    discharge(episode, counselor)
    rosters = rosters_for_day([morning, evening], counselor)
    assert episode.patient in rosters[morning.pk]
    assert episode.patient not in rosters[evening.pk]
