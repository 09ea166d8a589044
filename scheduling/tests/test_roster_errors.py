"""The roster keeps work: a bad value in one row saves the others, names its row once and keeps what was typed."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory
from scheduling.constants import AttendanceStatus
from scheduling.models import Attendance, Enrolment, Session
from scheduling.services import AttendanceEntry, attendance_record_many
from scheduling.services.attendance import attendance_record_each

pytestmark = pytest.mark.django_db

BOUNDS = "Minutes attended must be between 0 and 180."
NAMES = [("Ana", "Alvarez"), ("Ben", "Brooks"), ("Cleo", "Carter"), ("Dev", "Dawson")]


def enrol(group, counselor, program, names):
    episodes = []
    for first, last in names:
        patient = PatientFactory(legal_first_name=first, legal_last_name=last, status="admitted")
        episode = EpisodeFactory(patient=patient, program=program, primary_clinician=counselor)
        CareTeamMemberFactory(patient=patient, user=counselor, role="primary")
        Enrolment.objects.create(episode=episode, group=group, starts_on=group.starts_on, enrolled_by=counselor)
        episodes.append(episode)
    return [e.patient for e in episodes]


@pytest.fixture
def past_session(group):
    return Session.objects.filter(group=group, end__lt=timezone.now()).order_by("start").first()


def roster_form(values: dict) -> dict:
    """{patient: (status, minutes text)} as the roster's form posts it."""
    form = {"patient": [str(p.pk) for p in values]}
    for patient, (status, minutes) in values.items():
        form[f"status-{patient.pk}"] = status
        form[f"minutes-{patient.pk}"] = minutes
    return form


def typed_minutes(html: str, patient) -> str:
    match = re.search(rf'id="minutes-{patient.pk}" name="minutes-{patient.pk}" value="([^"]*)"', html)
    return match.group(1)


def minutes_of(session, patient):
    row = Attendance.objects.valid().filter(session=session, patient=patient).first()
    return row and (row.status, row.minutes_attended)


class TestSaveAll:
    @pytest.mark.parametrize(
        ("bad_minutes", "message"),
        [
            ("-30", "Minutes attended must be between 0 and 180."),
            ("240", "Minutes attended must be between 0 and 180."),
        ],
    )
    def test_one_bad_row_saves_the_others_and_names_itself_once(
        self, login, counselor, program, group, past_session, bad_minutes, message
    ):
        ana, ben, cleo = enrol(group, counselor, program, NAMES[:3])
        response = login(counselor).post(
            reverse("scheduling:roster_save_all", args=[past_session.pk]),
            roster_form({ana: ("late", "150"), ben: ("present", bad_minutes), cleo: ("excused", "0")}),
        )
        assert response.status_code == 422
        assert minutes_of(past_session, ana) == ("late", 150)
        assert minutes_of(past_session, cleo) == ("excused", 0)
        assert minutes_of(past_session, ben) is None
        html = response.text
        assert html.count(message) == 1
        assert f"Not saved for Ben Brooks: {message}" in html
        assert typed_minutes(html, ben) == bad_minutes
        assert typed_minutes(html, ana) == "150"
        assert "2 rows saved. 1 row not saved" in html
        assert f'href="#roster-row-{ben.pk}"' in html
        row = html[html.index(f'id="roster-row-{ben.pk}"') :]
        row = row[: row.index("</tr>")]
        assert "is-invalid" in row and message in row
        assert 'value="present" selected' in row

    def test_unreadable_minutes_are_kept_as_typed(self, login, counselor, program, group, past_session):
        ana, ben = enrol(group, counselor, program, NAMES[:2])
        response = login(counselor).post(
            reverse("scheduling:roster_save_all", args=[past_session.pk]),
            roster_form({ana: ("present", "abc"), ben: ("late", "90")}),
        )
        assert response.status_code == 422
        assert typed_minutes(response.text, ana) == "abc"
        assert minutes_of(past_session, ben) == ("late", 90)

    def test_a_session_that_refuses_the_whole_roster_keeps_every_row_as_typed(self, login, counselor, program, group):
        ana, ben = enrol(group, counselor, program, NAMES[:2])
        future = Session.objects.filter(group=group, start__gt=timezone.now()).order_by("start").first()
        response = login(counselor).post(
            reverse("scheduling:roster_save_all", args=[future.pk]),
            roster_form({ana: ("late", "150"), ben: ("present", "-30")}),
        )
        assert response.status_code == 422
        assert not Attendance.objects.exists()
        html = response.text
        assert html.count("Attendance opens when the session starts") == 1
        assert "Nothing was saved" in html
        assert typed_minutes(html, ana) == "150" and typed_minutes(html, ben) == "-30"

    def test_all_good_still_redirects_with_one_message(self, login, counselor, program, group, past_session):
        ana, ben = enrol(group, counselor, program, NAMES[:2])
        client = login(counselor)
        response = client.post(
            reverse("scheduling:roster_save_all", args=[past_session.pk]),
            roster_form({ana: ("late", "150"), ben: ("present", "")}),
            follow=True,
        )
        assert response.redirect_chain and response.status_code == 200
        assert response.text.count("Attendance saved (2 patients, 2 changed).") == 1
        assert minutes_of(past_session, ben) == ("present", 180)

    def test_a_refused_save_all_renders_in_queries_that_do_not_grow_with_the_roster(
        self, login, counselor, program, group
    ):
        client = login(counselor)
        first, second = Session.objects.filter(group=group, end__lt=timezone.now()).order_by("start")[:2]

        def refused_post(session, patients):
            values = dict.fromkeys(patients, ("late", "60"))
            values[patients[0]] = ("late", "-30")
            with CaptureQueriesContext(connection) as queries:
                response = client.post(reverse("scheduling:roster_save_all", args=[session.pk]), roster_form(values))
            assert response.status_code == 422
            assert Attendance.objects.filter(session=session).count() == len(patients) - 1
            return len(queries.captured_queries)

        small = refused_post(first, enrol(group, counselor, program, NAMES[:2]))
        enrol(group, counselor, program, [(f"Pat{i}", f"Zed{i:02d}") for i in range(10)])
        everyone = [e.episode.patient for e in Enrolment.objects.filter(group=group).select_related("episode__patient")]
        assert refused_post(second, everyone) == small


class TestRowSave:
    def test_a_refused_row_answers_422_with_its_message_and_the_typed_value(
        self, login, counselor, program, group, past_session
    ):
        (ana,) = enrol(group, counselor, program, NAMES[:1])
        client = login(counselor)
        url = reverse("scheduling:roster_row", args=[past_session.pk, ana.pk])
        response = client.post(url, {f"status-{ana.pk}": "late", f"minutes-{ana.pk}": "150"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "Saved" in response.text
        response = client.post(url, {f"status-{ana.pk}": "late", f"minutes-{ana.pk}": "-30"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 422
        html = response.text
        assert "Saved" not in html and ' saved"' not in html
        assert html.count("Minutes attended must be between 0 and 180.") == 1
        assert "Not saved for Ana Alvarez" in html
        assert typed_minutes(html, ana) == "-30"
        assert minutes_of(past_session, ana) == ("late", 150)


class TestService:
    def test_each_saves_the_valid_rows_in_the_same_queries_as_many(self, counselor, program, group):
        ana, ben, cleo = enrol(group, counselor, program, NAMES[:3])
        first, second = Session.objects.filter(group=group, end__lt=timezone.now()).order_by("start")[:2]
        with CaptureQueriesContext(connection) as whole:
            attendance_record_many(
                session=first,
                entries=[AttendanceEntry(ana.pk, AttendanceStatus.LATE, 100), AttendanceEntry(cleo.pk, "late", 90)],
                by=counselor,
            )
        with CaptureQueriesContext(connection) as each:
            outcome = attendance_record_each(
                session=second,
                entries=[
                    AttendanceEntry(ana.pk, AttendanceStatus.LATE, 100),
                    AttendanceEntry(ben.pk, AttendanceStatus.PRESENT, -30),
                    AttendanceEntry(cleo.pk, "late", 90),
                ],
                by=counselor,
            )
        assert len(each.captured_queries) == len(whole.captured_queries)
        assert {a.patient_id for a in outcome.saved} == {ana.pk, cleo.pk}
        assert outcome.refused == {ben.pk: [BOUNDS]}

    def test_each_still_refuses_a_session_that_has_not_started(self, counselor, program, group):
        (ana,) = enrol(group, counselor, program, NAMES[:1])
        future = Session.objects.filter(group=group, start__gt=timezone.now()).order_by("start").first()
        with pytest.raises(Exception, match="Attendance opens"):
            attendance_record_each(
                session=future,
                entries=[AttendanceEntry(ana.pk, "present", None)],
                by=counselor,
                now=future.start - dt.timedelta(minutes=1),
            )
