"""A "completed" discharge needs attended care; open findings are named before signing; the roster ends at discharge."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import SupervisorFactory
from aftercare.constants import DischargeType
from aftercare.models import Discharge
from aftercare.services.aftercare_plans import aftercare_plan_save
from aftercare.services.discharge import discharge_moment, episode_discharge
from notifications.tests.factories import StaffTaskFactory
from patients.constants import AlertKind, EpisodeStatus
from patients.models import Episode
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientAlertFactory
from scheduling.constants import AttendanceStatus, SessionStatus
from scheduling.services import AttendanceEntry, attendance_check, attendance_record_many
from scheduling.services.attendance import attendance_record_each
from scheduling.tests.factories import AttendanceFactory, EnrolmentFactory, GroupFactory, SessionFactory

pytestmark = pytest.mark.django_db

MINIMUM = 10
REASON = "Met every treatment plan goal; four weeks of negative tests."
OVERRIDE = "Completed the curriculum in the evening track before transferring here last month."


def local(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@pytest.fixture
def episode(program, counselor):
    program.completion_min_attended_days = MINIMUM
    program.save()
    episode = EpisodeFactory(
        program=program, primary_clinician=counselor, admitted_on=timezone.localdate() - dt.timedelta(days=40)
    )
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    return episode


def attend_days(episode, days: int) -> None:
    """One attended 60-minute session on each of ``days`` days since admission."""
    for offset in range(days):
        start = local(episode.admitted_on + dt.timedelta(offset), dt.time(10))
        AttendanceFactory(session=SessionFactory(episode=episode, local_start=start), status=AttendanceStatus.PRESENT)


def discharge(episode, by, **overrides):
    fields = {
        "episode": episode,
        "discharged_on": timezone.localdate(),
        "discharge_type": DischargeType.COMPLETED,
        "reason": REASON,
        "by": by,
    }
    return episode_discharge(**(fields | overrides))


class TestCompletionNeedsAttendedCare:
    def test_a_new_program_asks_for_ten_attended_days(self):
        from programs.models import Program

        assert Program._meta.get_field("completion_min_attended_days").default == 10

    def test_one_day_short_of_the_minimum_is_refused_and_nothing_saved(self, episode, counselor):
        attend_days(episode, MINIMUM - 1)
        with pytest.raises(ValidationError) as refused:
            discharge(episode, counselor)
        assert "needs 10 attended days" in refused.value.message_dict["discharge_type"][0]
        assert "has 9" in refused.value.message_dict["discharge_type"][0]
        episode.refresh_from_db()
        assert episode.status == EpisodeStatus.ACTIVE and not Discharge.objects.exists()

    def test_the_minimum_is_accepted(self, episode, counselor):
        attend_days(episode, MINIMUM)
        record = discharge(episode, counselor)
        assert record.discharge_type == DischargeType.COMPLETED and record.completion_override_reason == ""

    def test_admission_day_with_nothing_attended_is_refused(self, program, counselor):
        program.completion_min_attended_days = MINIMUM
        program.save()
        episode = EpisodeFactory(program=program, primary_clinician=counselor, admitted_on=timezone.localdate())
        with pytest.raises(ValidationError, match="this episode has 0"):
            discharge(episode, counselor, sign=True)

    def test_other_discharge_types_need_no_attended_days(self, episode, counselor):
        assert discharge(episode, counselor, discharge_type=DischargeType.AGAINST_ADVICE).pk

    def test_a_counselor_cannot_override(self, episode, counselor):
        with pytest.raises(ValidationError) as refused:
            discharge(episode, counselor, completion_override_reason=OVERRIDE)
        assert "Only a supervisor" in refused.value.message_dict["completion_override_reason"][0]

    def test_a_supervisor_override_needs_a_reason_that_says_something(self, episode):
        supervisor = SupervisorFactory(programs=[episode.program])
        with pytest.raises(ValidationError) as refused:
            discharge(episode, supervisor, completion_override_reason="ok fine")
        assert "20+ characters" in refused.value.message_dict["completion_override_reason"][0]
        record = discharge(episode, supervisor, completion_override_reason=f"  {OVERRIDE} ")
        assert record.completion_override_reason == OVERRIDE and record.completion_override_by == supervisor

    def test_the_form_states_the_rule_and_keeps_the_choice_when_refused(self, episode, counselor, login):
        client = login(counselor)
        url = reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk])
        page = client.get(url).content.decode()
        assert "needs 10 attended days" in page and "only a supervisor can record it as completed" in page
        assert "completion_override_reason" not in page
        response = client.post(
            url,
            {
                "discharged_on": timezone.localdate().isoformat(),
                "discharge_type": DischargeType.COMPLETED,
                "reason": REASON,
                "summary": "Summary.",
                "sign": "on",
            },
        )
        assert response.status_code == 200 and "this episode has 0" in response.content.decode()
        assert not Discharge.objects.exists()

    def test_a_supervisor_sees_the_override_box_and_the_override_on_the_summary(self, episode, login):
        supervisor = SupervisorFactory(programs=[episode.program])
        CareTeamMemberFactory(patient=episode.patient, user=supervisor, role="supervisor")
        client = login(supervisor)
        url = reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk])
        assert "completion_override_reason" in client.get(url).content.decode()
        response = client.post(
            url,
            {
                "discharged_on": timezone.localdate().isoformat(),
                "discharge_type": DischargeType.COMPLETED,
                "reason": REASON,
                "summary": "Summary.",
                "completion_override_reason": OVERRIDE,
            },
        )
        assert response.status_code == 302
        record = Discharge.objects.get()
        detail = client.get(reverse("aftercare:discharge_detail", args=[episode.patient.pk, record.pk]))
        assert "Completed by override" in detail.content.decode() and OVERRIDE in detail.content.decode()


class TestOpenFindingsBeforeSigning:
    def test_open_alerts_and_tasks_are_named_on_the_form(
        self, episode, counselor, login, django_assert_max_num_queries
    ):
        PatientAlertFactory(patient=episode.patient, kind=AlertKind.ALLERGY, message="Penicillin allergy")
        StaffTaskFactory(patient=episode.patient, assignee=counselor, title="Review the fentanyl positive of Nov 20")
        StaffTaskFactory(patient=episode.patient, assignee=counselor, title="Done already", status="done",
            done_at=timezone.now(), done_by=counselor, done_reason="Called back; next appointment booked for Friday.",
        )  # fmt: skip
        client = login(counselor)
        url = reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk])
        page = client.get(url).content.decode()
        assert "Still open for this patient" in page
        assert "Penicillin allergy" in page and "Review the fentanyl positive of Nov 20" in page
        assert "Done already" not in page
        # Named, not blocking: a discharge of another type goes ahead.
        assert discharge(episode, counselor, discharge_type=DischargeType.AGAINST_ADVICE).pk

    def test_the_form_costs_the_same_queries_with_more_findings(
        self, episode, counselor, login, django_assert_num_queries
    ):
        client = login(counselor)
        url = reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk])
        PatientAlertFactory(patient=episode.patient, kind=AlertKind.ALLERGY, message="Penicillin allergy")
        StaffTaskFactory(patient=episode.patient, assignee=counselor)
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for _ in range(5):
            PatientAlertFactory(patient=episode.patient, kind=AlertKind.ALLERGY, message="Latex")
            StaffTaskFactory(patient=episode.patient, assignee=counselor)
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(url)

    def test_no_findings_no_box(self, episode, counselor, login):
        client = login(counselor)
        page = client.get(reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk]))
        assert "Still open for this patient" not in page.content.decode()


class TestScheduleEndsAtTheDischarge:
    """A discharge recorded after its day takes effect at the end of that day: an exact, known moment."""

    @pytest.fixture
    def yesterday(self):
        return timezone.localdate() - dt.timedelta(days=1)

    @pytest.fixture
    def midnight(self):
        return local(timezone.localdate(), dt.time.min)

    def test_the_moment_is_now_on_the_day_and_the_day_end_after_it(self, yesterday, midnight):
        now = timezone.now()
        assert discharge_moment(timezone.localdate(), now=now) == now
        assert discharge_moment(yesterday, now=now) == midnight

    def test_bookings_starting_after_the_discharge_are_cancelled_not_those_at_it(
        self, episode, counselor, yesterday, midnight
    ):
        at_moment = SessionFactory(episode=episode, local_start=midnight)
        minute_after = SessionFactory(episode=episode, local_start=midnight + dt.timedelta(minutes=1))
        discharge(episode, counselor, discharged_on=yesterday, discharge_type=DischargeType.AGAINST_ADVICE)
        at_moment.refresh_from_db()
        minute_after.refresh_from_db()
        assert at_moment.status == SessionStatus.SCHEDULED
        assert minute_after.status == SessionStatus.CANCELLED

    @pytest.fixture
    def group_sessions(self, episode, counselor, midnight):
        group = GroupFactory(program=episode.program, facilitator=counselor, starts_on=episode.admitted_on)
        EnrolmentFactory(episode=episode, group=group, starts_on=episode.admitted_on)

        def session(start):
            return SessionFactory(
                episode=None, patient=None, group=group, program=episode.program, kind=group.kind,
                clinician=counselor, local_start=start, original_start=start,
            )  # fmt: skip

        return session

    def test_a_backdated_discharge_ends_the_enrolment_on_its_date(self, episode, counselor, yesterday, group_sessions):
        discharge(episode, counselor, discharged_on=yesterday, discharge_type=DischargeType.AGAINST_ADVICE)
        assert episode.enrolments.get().ends_on == yesterday

    def test_a_discharge_today_refuses_tonights_group_from_the_minute_after_it_by_name(
        self, episode, counselor, group_sessions
    ):
        discharge(episode, counselor, discharge_type=DischargeType.AGAINST_ADVICE)
        moment = Episode.history.filter(id=episode.pk, status=EpisodeStatus.DISCHARGED).earliest("history_date")
        moment = moment.history_date
        at_moment = group_sessions(moment)
        minute_after = group_sessions(moment + dt.timedelta(minutes=1))
        later = moment + dt.timedelta(hours=3)
        entry = [AttendanceEntry(episode.patient_id, AttendanceStatus.PRESENT, None)]
        assert attendance_record_many(session=at_moment, entries=entry, by=counselor, now=later)
        with pytest.raises(ValidationError) as refused:
            attendance_record_many(session=minute_after, entries=entry, by=counselor, now=later)
        message = " ".join(refused.value.messages)
        assert episode.patient.display_name in message and "discharged" in message
        outcome = attendance_record_each(session=minute_after, entries=entry, by=counselor, now=later)
        assert outcome.saved == [] and episode.patient.display_name in outcome.refused[episode.patient_id][0]
        with pytest.raises(ValidationError, match="discharged"):
            attendance_check(
                session=minute_after, patient_id=episode.patient_id, status=AttendanceStatus.PRESENT, minutes=None,
                now=later,
            )  # fmt: skip
        attendance_check(
            session=at_moment, patient_id=episode.patient_id, status=AttendanceStatus.PRESENT, minutes=None, now=later
        )

    def test_the_check_costs_the_same_queries_for_a_larger_roster(
        self, episode, counselor, program, group_sessions, django_assert_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        group = episode.enrolments.get().group
        patients = [episode.patient_id]
        for _ in range(6):
            other = EpisodeFactory(program=program, primary_clinician=counselor, admitted_on=episode.admitted_on)
            EnrolmentFactory(episode=other, group=group, starts_on=episode.admitted_on)
            patients.append(other.patient_id)
        for each in Episode.objects.filter(patient_id__in=patients):
            discharge(each, counselor, discharge_type=DischargeType.AGAINST_ADVICE)
        group_session = group_sessions(timezone.now() + dt.timedelta(minutes=1))
        later = group_session.start + dt.timedelta(hours=1)

        def entries(count: int) -> list[AttendanceEntry]:
            return [AttendanceEntry(patient_id, AttendanceStatus.PRESENT, None) for patient_id in patients[:count]]

        with CaptureQueriesContext(connection) as few:
            outcome = attendance_record_each(session=group_session, entries=entries(2), by=counselor, now=later)
        assert len(outcome.refused) == 2
        with django_assert_num_queries(len(few.captured_queries)):
            outcome = attendance_record_each(session=group_session, entries=entries(7), by=counselor, now=later)
        assert len(outcome.refused) == 7 and outcome.saved == []


class TestPrintedPlan:
    def test_names_the_clinic_its_phone_and_the_clinician(self, episode, counselor, login, settings):
        settings.CLINIC_NEUTRAL_NAME = "Riverside Health"
        settings.CLINIC_CALLBACK_PHONE = "+1 555 010 0100"
        counselor.first_name, counselor.last_name = "Dana", "Okafor"
        counselor.save()
        record = discharge(episode, counselor, discharge_type=DischargeType.AGAINST_ADVICE)
        aftercare_plan_save(discharge=record, by=counselor, outpatient_provider="Bayside Counseling")
        body = login(counselor).get(reverse("aftercare:aftercare_print", args=[record.patient.pk, record.pk]))
        body = body.content.decode()
        assert "Riverside Health" in body and "+1 555 010 0100" in body and "Dana Okafor" in body
