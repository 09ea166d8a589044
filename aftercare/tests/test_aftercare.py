"""Aftercare plan and alumni follow-up: the check-in schedule, work-list tasks made once, the outcome form."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aftercare.constants import DischargeType
from aftercare.services.aftercare_plans import aftercare_plan_save
from aftercare.services.checkins import alumni_checkin_record, alumni_checkins_make_due
from aftercare.services.discharge import episode_discharge
from notifications.constants import Channel, MessageStatus, MessageTemplate, TaskKind
from notifications.models import OutboundMessage, StaffTask
from notifications.tests.factories import consenting_patient
from patients.constants import ContactChannel, IntakeStatus, PatientStatus
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory


def discharged(program, counselor, *, patient=None, days_ago=0):
    patient = patient or PatientFactory(status=PatientStatus.ADMITTED, primary_clinician=counselor)
    episode = EpisodeFactory(
        patient=patient,
        program=program,
        primary_clinician=counselor,
        admitted_on=timezone.localdate() - dt.timedelta(days=60 + days_ago),
    )
    CareTeamMemberFactory(patient=patient, user=counselor, role="primary")
    return episode_discharge(
        episode=episode,
        discharged_on=timezone.localdate() - dt.timedelta(days=days_ago),
        discharge_type=DischargeType.COMPLETED,
        reason="Completed.",
        by=counselor,
    )


class TestCheckinSchedule:
    def test_dates_follow_the_configured_days(self, program, counselor, settings):
        settings.ALUMNI_CHECKIN_DAYS = [14, 3]
        record = discharged(program, counselor)
        assert [(c.days_after_discharge, c.due_on) for c in record.checkins.all()] == [
            (3, record.discharged_on + dt.timedelta(days=3)),
            (14, record.discharged_on + dt.timedelta(days=14)),
        ]

    def test_due_checkins_become_one_task_and_one_message_even_when_run_twice(self, program, counselor):
        patient = consenting_patient(
            channels=(Channel.SMS,), preferred_contact_channel=ContactChannel.SMS, status=PatientStatus.ADMITTED
        )
        record = discharged(program, counselor, patient=patient, days_ago=8)
        assert alumni_checkins_make_due() == 1
        assert alumni_checkins_make_due() == 0
        task = StaffTask.objects.get(kind=TaskKind.AFTERCARE_CHECKIN)
        assert task.assignee == counselor
        assert task.patient == patient
        assert task.title == f"7-day aftercare check-in: {patient.display_name}"
        message = OutboundMessage.objects.get(patient=patient)
        assert message.template == MessageTemplate.AFTERCARE_CHECKIN
        assert message.status == MessageStatus.PENDING
        assert "treatment" not in message.body.lower()
        # The 30-day check-in is not due yet.
        assert record.checkins.filter(task_created_at__isnull=True).count() == 4

    def test_no_message_without_consent(self, program, counselor):
        patient = PatientFactory(preferred_contact_channel=ContactChannel.SMS, status=PatientStatus.ADMITTED)
        discharged(program, counselor, patient=patient, days_ago=7)
        assert alumni_checkins_make_due() == 1
        assert StaffTask.objects.filter(kind=TaskKind.AFTERCARE_CHECKIN).count() == 1
        assert not OutboundMessage.objects.filter(patient=patient).exists()


class TestCheckinOutcome:
    def test_readmission_needed_opens_a_referral_in_intake(self, program, counselor):
        record = discharged(program, counselor, days_ago=30)
        alumni_checkins_make_due()
        checkin = record.checkins.get(days_after_discharge=30)
        result = alumni_checkin_record(
            checkin=checkin, by=counselor, reached=True, using=True, readmission_needed=True, notes="Drinking daily."
        )
        assert result.referral.status == IntakeStatus.OPEN
        assert "30-day alumni check-in" in result.referral.referral_reason
        record.patient.refresh_from_db()
        assert record.patient.status == PatientStatus.REFERRAL
        task = StaffTask.objects.get(dedupe_key=f"alumni-checkin:{checkin.pk}")
        assert task.status == "done"

    def test_not_reached_keeps_answers_blank_and_needs_a_note(self, program, counselor):
        checkin = discharged(program, counselor).checkins.first()
        with pytest.raises(ValidationError) as error:
            alumni_checkin_record(checkin=checkin, by=counselor, reached=False, using=True)
        assert "notes" in error.value.message_dict
        result = alumni_checkin_record(
            checkin=checkin, by=counselor, reached=False, using=True, notes="Two calls, voicemail."
        )
        assert result.using is None and result.reached is False
        with pytest.raises(ValidationError, match="already recorded"):
            alumni_checkin_record(checkin=checkin, by=counselor, reached=True)

    def test_outcome_form_in_the_browser(self, login, program, counselor):
        record = discharged(program, counselor, days_ago=7)
        checkin = record.checkins.get(days_after_discharge=7)
        client = login(counselor)
        url = reverse("aftercare:checkin_record", args=[record.patient.pk, checkin.pk])
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {"reached": "yes", "using": "no", "attending_support_groups": "yes", "employed_or_in_school": "yes",
             "readmitted_elsewhere": "no", "notes": "Doing well.", "next": "list"},
        )  # fmt: skip
        assert response.status_code == 302
        checkin.refresh_from_db()
        assert checkin.is_completed and checkin.using is False and checkin.attending_support_groups is True


class TestCheckinsDuePage:
    def test_lists_overdue_and_due_for_the_clinician_in_fixed_queries(
        self, login, program, counselor, other_counselor, django_assert_max_num_queries
    ):
        for days_ago in (8, 31):
            discharged(program, counselor, days_ago=days_ago)
        theirs = discharged(program, other_counselor, days_ago=7)
        client = login(counselor)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("aftercare:checkins_due"))
        body = response.content.decode()
        assert response.status_code == 200
        assert body.count("Record outcome") == 3  # 7- and 30-day of one patient, 7-day of the other
        assert theirs.patient.display_name not in body

    def test_other_teams_clinician_gets_404_on_a_checkin(self, login, program, counselor, other_counselor):
        record = discharged(program, counselor, days_ago=7)
        checkin = record.checkins.first()
        response = login(other_counselor).get(reverse("aftercare:checkin_record", args=[record.patient.pk, checkin.pk]))
        assert response.status_code == 404


class TestAftercarePlan:
    def test_print_view_shows_crisis_lines_and_no_internal_notes(self, login, program, counselor):
        record = discharged(program, counselor)
        aftercare_plan_save(
            discharge=record,
            by=counselor,
            outpatient_provider="Bayside Counseling, 12 Main St",
            support_groups="SMART Recovery Tuesdays 19:00",
            relapse_warning_signs="Skipping meals, isolating.",
            staff_notes="Family conflict around finances.",
        )
        client = login(counselor)
        body = client.get(reverse("aftercare:aftercare_print", args=[record.patient.pk, record.pk])).content.decode()
        assert "Bayside Counseling" in body and "SMART Recovery Tuesdays" in body
        assert "988" in body and "1-800-662-4357" in body
        assert "Family conflict" not in body
        detail = client.get(reverse("aftercare:discharge_detail", args=[record.patient.pk, record.pk])).content.decode()
        assert "Family conflict" in detail

    def test_plan_form_saves_through_the_service(self, login, program, counselor):
        record = discharged(program, counselor)
        client = login(counselor)
        url = reverse("aftercare:aftercare_edit", args=[record.patient.pk, record.pk])
        response = client.post(url, {"outpatient_provider": "Dr. Lee", "emergency_plan": "Call my sister, then 988."})
        assert response.status_code == 302
        assert record.aftercare_plan.updated_by == counselor
        assert record.aftercare_plan.history.count() == 1
