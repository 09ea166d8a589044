"""Attendance and sessions edited in the admin go through the roster's rules and service."""

import pytest
from django.urls import reverse

from patients.tests.factories import AuthorizationFactory, InsurancePolicyFactory
from scheduling.models import Attendance, Session
from scheduling.tests.factories import AttendanceFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    return login(admin_user)


def change_url(record) -> str:
    return reverse(f"admin:scheduling_{record._meta.model_name}_change", args=[record.pk])


class TestAttendanceAdmin:
    def test_600_minutes_on_a_60_minute_session_is_refused_next_to_the_field(self, admin_client, episode):
        row = AttendanceFactory(session=SessionFactory(episode=episode, minutes=60))
        response = admin_client.post(change_url(row), {"status": "present", "minutes_attended": "600"})
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert errors["minutes_attended"] == ["Minutes attended must be between 0 and 60."]
        row.refresh_from_db()
        assert row.minutes_attended == 60

    @pytest.mark.parametrize(("minutes", "ok"), [("45", True), ("46", False)])
    def test_the_cap_is_the_countable_length_without_breaks(self, admin_client, episode, minutes, ok):
        session = SessionFactory(episode=episode, minutes=60, break_minutes=15)
        row = AttendanceFactory(session=session, minutes_attended=30)
        response = admin_client.post(change_url(row), {"status": "late", "minutes_attended": minutes})
        row.refresh_from_db()
        if ok:
            assert response.status_code == 302
            assert (row.status, row.minutes_attended) == ("late", 45)
        else:
            assert response.context["adminform"].form.errors["minutes_attended"] == [
                "Minutes attended must be between 0 and 45 (60 less 15 of breaks)."
            ]
            assert row.minutes_attended == 30

    def test_an_edit_goes_through_the_service_and_recounts_the_authorization(self, admin_client, admin_user, episode):
        session = SessionFactory(episode=episode, minutes=180)
        policy = InsurancePolicyFactory(patient=episode.patient)
        authorization = AuthorizationFactory(policy=policy, starts_on=session.day, units_used=0)
        row = AttendanceFactory(session=session, status="left_early", minutes_attended=120)
        response = admin_client.post(change_url(row), {"status": "present", "minutes_attended": "180"})
        assert response.status_code == 302
        row.refresh_from_db()
        authorization.refresh_from_db()
        assert (row.minutes_attended, row.recorded_by) == (180, admin_user)
        assert authorization.units_used == 1  # now a 3-hour billable day
        assert row.history.count() == 2

    def test_adding_attendance_needs_the_patient_on_the_roster(self, admin_client, episode, program):
        from patients.tests.factories import PatientFactory

        session = SessionFactory(episode=episode, minutes=60)
        stranger = PatientFactory()
        response = admin_client.post(
            reverse("admin:scheduling_attendance_add"),
            {"session": session.pk, "patient": stranger.pk, "status": "present", "minutes_attended": "60"},
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["patient"] == ["This patient is not on the session's roster."]
        response = admin_client.post(
            reverse("admin:scheduling_attendance_add"),
            {"session": session.pk, "patient": episode.patient.pk, "status": "present", "minutes_attended": "60"},
        )
        assert response.status_code == 302
        assert Attendance.objects.get().episode == episode


class TestSessionAdmin:
    def test_breaks_cannot_eat_into_recorded_attendance(self, admin_client, episode):
        session = SessionFactory(episode=episode, minutes=60)
        AttendanceFactory(session=session, minutes_attended=60)
        page = admin_client.get(change_url(session)).context["adminform"].form
        data = {name: page[name].value() for name in page.fields}
        data = {name: "" if value is None else value for name, value in data.items()}
        data.update({"family_contacts": [], "break_minutes": "10"})
        response = admin_client.post(change_url(session), _split_datetimes(data))
        assert response.status_code == 200
        assert "recorded for 60 minutes" in response.context["adminform"].form.errors["break_minutes"][0]
        session.refresh_from_db()
        assert session.break_minutes == 0


def _split_datetimes(data: dict) -> dict:
    """The admin's split date/time widgets post start_0/start_1 and end_0/end_1."""
    from django.utils import timezone

    out = {key: value for key, value in data.items() if key not in {"start", "end"}}
    for name in ("start", "end"):
        moment = timezone.localtime(data[name])
        out[f"{name}_0"], out[f"{name}_1"] = moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")
    return out


def test_sessions_admin_shows_break_minutes(admin_client, episode):
    session = SessionFactory(episode=episode)
    assert "break_minutes" in admin_client.get(change_url(session)).context["adminform"].form.fields
    assert Session.objects.count() == 1
