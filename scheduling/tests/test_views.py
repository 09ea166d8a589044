"""Pages and endpoints: permissions, access logging, constant query counts at 10× data, the iCal feed, CSV."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from patients.tests.factories import EpisodeFactory
from scheduling.constants import AttendanceStatus
from scheduling.models import Attendance, Enrolment, Session
from scheduling.services import AttendanceEntry, attendance_record_many, calendar_feed_token_create
from scheduling.tests.factories import SessionFactory
from scheduling.views.compliance import csv_safe

pytestmark = pytest.mark.django_db


def fill_program(group, counselor, program, size):
    """``size`` enrolled patients with a booked session each and attendance at the past group sessions."""
    group.capacity = 200
    group.save(update_fields=["capacity"])
    episodes = [EpisodeFactory(program=program, primary_clinician=counselor) for _ in range(size)]
    Enrolment.objects.bulk_create(
        Enrolment(episode=e, group=group, starts_on=group.starts_on, enrolled_by=counselor) for e in episodes
    )
    for episode in episodes:
        SessionFactory(episode=episode, clinician=counselor)
    for session in Session.objects.filter(group=group, end__lt=timezone.now()):
        attendance_record_many(
            session=session,
            entries=[AttendanceEntry(e.patient_id, AttendanceStatus.PRESENT, None) for e in episodes],
            by=counselor,
        )
    return episodes


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries.captured_queries)


def this_week_range():
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 7)
    return (
        f"?start={monday.isoformat()}T00:00:00-05:00&end={(monday + dt.timedelta(days=14)).isoformat()}T00:00:00-05:00"
    )


class TestConstantQueries:
    def test_calendar_feed_roster_and_dashboard_do_not_grow_with_10x_data(
        self, login, counselor, director, program, group
    ):
        fill_program(group, counselor, program, 2)
        session = Session.objects.filter(group=group, end__lt=timezone.now()).first()
        urls = {
            "events": reverse("scheduling:calendar_events", args=["program", program.pk]) + this_week_range(),
            "roster": reverse("scheduling:roster", args=[session.pk]),
            "compliance": reverse("scheduling:compliance") + f"?program={program.pk}",
            "csv": reverse("scheduling:compliance_csv") + f"?program={program.pk}",
            "day": reverse("scheduling:day_list") + f"?program={program.pk}&date={session.day.isoformat()}",
        }
        client = login(director)
        small = {name: query_count(client, url) for name, url in urls.items()}
        fill_program(group, counselor, program, 18)  # 2 → 20 patients: 10× the data
        large = {name: query_count(client, url) for name, url in urls.items()}
        assert large == small
        print("query counts:", small)


class TestAccess:
    def test_other_teams_clinician_gets_404_everywhere_and_refusals_are_logged(
        self, login, other_counselor, episode, group
    ):
        Enrolment.objects.create(episode=episode, group=group, starts_on=group.starts_on, enrolled_by=group.facilitator)
        session = Session.objects.filter(group=group).first()
        client = login(other_counselor)
        urls = [
            reverse("scheduling:patient_week", args=[episode.patient.pk]),
            reverse("scheduling:roster", args=[session.pk]),
            reverse("scheduling:calendar", args=["patient", episode.patient.pk]),
            reverse("scheduling:calendar_events", args=["patient", episode.patient.pk]) + this_week_range(),
            reverse("scheduling:calendar_events", args=["program", group.program.pk]) + this_week_range(),
        ]
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert AccessLog.objects.filter(user=other_counselor, outcome="refused").count() >= 3

    def test_patient_week_renders_and_logs_one_row(self, login, counselor, episode, group):
        response = login(counselor).get(reverse("scheduling:patient_week", args=[episode.patient.pk]))
        assert response.status_code == 200
        assert "Hours per week" in response.text
        assert AccessLog.objects.filter(patient=episode.patient, user=counselor, category="schedule").count() == 1

    def test_schedule_form_enrols_and_names_the_shortfall(self, login, counselor, episode, group, program):
        client = login(counselor)
        monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
        url = reverse("scheduling:patient_schedule_save", args=[episode.patient.pk])
        response = client.post(url, {"groups": [group.pk], "starts_on": monday.isoformat()})
        assert response.status_code == 302
        assert Enrolment.objects.filter(episode=episode, group=group).exists()
        response = client.post(url, {"groups": [], "starts_on": monday.isoformat()})
        assert response.status_code == 400
        assert "9-hour minimum" in response.text

    def test_roster_htmx_row_and_save_all(self, login, counselor, episode, group):
        Enrolment.objects.create(episode=episode, group=group, starts_on=group.starts_on, enrolled_by=counselor)
        session = Session.objects.filter(group=group, end__lt=timezone.now()).first()
        client = login(counselor)
        pid = episode.patient.pk
        response = client.post(
            reverse("scheduling:roster_row", args=[session.pk, pid]),
            {f"status-{pid}": "late", f"minutes-{pid}": "150"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200 and "Saved" in response.text
        assert Attendance.objects.get().minutes_attended == 150
        response = client.post(
            reverse("scheduling:roster_save_all", args=[session.pk]),
            {"patient": [pid], f"status-{pid}": "excused", f"minutes-{pid}": "150"},
        )
        assert response.status_code == 302
        assert Attendance.objects.get().minutes_attended == 0

    def test_calendar_move_goes_through_the_conflict_rules(self, login, counselor, episode, group):
        session = SessionFactory(
            episode=episode, clinician=counselor, local_start=timezone.now() + dt.timedelta(days=2)
        )
        clash = Session.objects.filter(group=group, start__gt=timezone.now()).first()
        client = login(counselor)
        response = client.post(
            reverse("scheduling:session_move", args=[session.pk]), {"start": clash.start.isoformat()}
        )
        assert response.status_code == 400 and "already booked" in response.json()["error"]
        free = clash.start - dt.timedelta(hours=4)
        response = client.post(reverse("scheduling:session_move", args=[session.pk]), {"start": free.isoformat()})
        assert response.status_code == 200
        session.refresh_from_db()
        assert session.start == free


class TestIcalFeed:
    def test_feed_shows_kind_and_room_never_patient_names_and_stops_when_revoked(self, client, counselor, episode):
        SessionFactory(episode=episode, clinician=counselor, notes="Relapse; plan, review")
        token = calendar_feed_token_create(user=counselor)
        url = reverse("scheduling:ical_feed", args=[token])
        response = client.get(url)  # no login: the token is the credential
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("private")
        body = response.content.decode()
        assert "BEGIN:VCALENDAR" in body and "SUMMARY:Individual therapy · Room" in body
        assert episode.patient.legal_last_name not in body and episode.patient.legal_first_name not in body
        assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
        new_token = calendar_feed_token_create(user=counselor)  # replacing revokes the old address
        assert client.get(url).status_code == 404
        assert client.get(reverse("scheduling:ical_feed", args=[new_token])).status_code == 200

    def test_unknown_token_is_404(self, client, db):
        assert client.get(reverse("scheduling:ical_feed", args=["nope"])).status_code == 404

    def test_ical_text_is_escaped_and_folded(self):
        from scheduling.ical import escape_text, fold

        assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
        folded = fold("SUMMARY:" + "é" * 60)
        assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
        assert folded.replace("\r\n ", "") == "SUMMARY:" + "é" * 60


class TestCsv:
    @pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-2", "@cmd", "\tx"])
    def test_formula_prefixes_are_neutralised(self, value):
        assert csv_safe(value) == "'" + value

    def test_csv_export_escapes_patient_names(self, login, director, program, counselor, group):
        episode = EpisodeFactory(program=program, patient__legal_first_name="=HYPERLINK(1)")
        Enrolment.objects.create(episode=episode, group=group, starts_on=group.starts_on, enrolled_by=counselor)
        response = login(director).get(reverse("scheduling:compliance_csv") + f"?program={program.pk}")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[1][1].startswith("'=HYPERLINK")


class TestAdmin:
    @pytest.mark.parametrize(
        "model",
        [
            "room",
            "group",
            "session",
            "enrolment",
            "attendance",
            "weeknote",
            "clinicclosure",
            "calendarfeedtoken",
        ],
    )
    def test_every_scheduling_model_has_a_working_admin(self, login, admin_user, group, model):
        admin_user.is_superuser = True
        admin_user.save()
        response = login(admin_user).get(reverse(f"admin:scheduling_{model}_changelist"))
        assert response.status_code == 200

    def test_generate_action_extends_the_series(self, login, admin_user, group):
        admin_user.is_superuser = True
        admin_user.save()
        before = Session.objects.filter(group=group).count()
        response = login(admin_user).post(
            reverse("admin:scheduling_group_changelist"),
            {"action": "generate_occurrences", "_selected_action": [group.pk], "weeks": "12"},
        )
        assert response.status_code == 302
        assert Session.objects.filter(group=group).count() == before + 12


class TestComplianceDashboardPages:
    @pytest.fixture
    def five_patients(self, group, counselor, program):
        return fill_program(group, counselor, program, 5)

    def test_pages_the_table_and_counts_flags_over_the_whole_program(
        self, login, director, program, five_patients, monkeypatch
    ):
        monkeypatch.setattr("scheduling.views.compliance.COMPLIANCE_PAGE_SIZE", 2)
        client = login(director)
        url = reverse("scheduling:compliance") + f"?program={program.pk}&sort=name"
        first = client.get(url)
        assert [row.patient for row in first.context["rows"]] == sorted(
            (e.patient for e in five_patients), key=lambda p: (p.legal_last_name.lower(), p.legal_first_name.lower())
        )[:2]
        assert "Patients 1–2 of 5" in first.text and "Page 1 of 3" in first.text
        # The counts cover all five patients, not the two on this page.
        every_row = first.context["page"].paginator.object_list
        counts = {name: count for name, count, _ in first.context["flag_counts"]}
        assert counts == {name: sum(name in row.flags for row in every_row) for name in counts}
        assert max(counts.values()) > 2
        # The next link keeps the program and the sort; the last page holds the fifth patient.
        assert f"?program={program.pk}&amp;sort=name&amp;page=2" in first.text
        last = client.get(url + "&page=3")
        assert len(last.context["rows"]) == 1 and "Patients 5–5 of 5" in last.text
        # A page past the end shows the last page rather than an error.
        assert client.get(url + "&page=99").context["page"].number == 3

    def test_flag_filter_links_keep_the_program_and_show_only_flagged(self, login, director, program, five_patients):
        client = login(director)
        response = client.get(reverse("scheduling:compliance") + f"?program={program.pk}")
        for name, count, link in response.context["flag_counts"]:
            assert link.startswith(f"?program={program.pk}&flag=")
            filtered = client.get(reverse("scheduling:compliance") + link)
            assert filtered.context["page"].paginator.count == count
            assert all(name in row.flags for row in filtered.context["rows"])

    def test_an_unknown_sort_or_flag_falls_back_instead_of_failing(self, login, director, program, five_patients):
        response = login(director).get(reverse("scheduling:compliance") + f"?program={program.pk}&sort=x&flag=nope")
        assert response.status_code == 200
        assert response.context["sort"] == "flags" and response.context["flag"] == ""
        assert response.context["page"].paginator.count == 5


class TestCalendarFeedRange:
    def test_a_session_running_into_the_range_is_included_and_one_ended_before_is_not(
        self, login, counselor, episode, program
    ):
        monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
        sunday_evening = timezone.make_aware(dt.datetime.combine(monday - dt.timedelta(days=1), dt.time(22, 0)))
        across_midnight = SessionFactory(episode=episode, local_start=sunday_evening, minutes=180)
        ended_before = SessionFactory(episode=episode, local_start=sunday_evening - dt.timedelta(hours=3), minutes=60)
        start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))
        query = f"?start={start.isoformat()}&end={(start + dt.timedelta(days=7)).isoformat()}".replace("+", "%2B")
        response = login(counselor).get(reverse("scheduling:calendar_events", args=["program", program.pk]) + query)
        ids = {event["id"] for event in response.json()}
        assert across_midnight.pk in ids and ended_before.pk not in ids
        event = next(event for event in response.json() if event["id"] == across_midnight.pk)
        assert episode.patient.display_name in event["title"]
        assert event["url"] == reverse("scheduling:roster", args=[across_midnight.pk])

    def test_the_database_refuses_a_session_longer_than_twelve_hours(self, episode):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            SessionFactory(episode=episode, minutes=12 * 60 + 1)
        assert SessionFactory(episode=episode, minutes=12 * 60).duration_minutes == 720
