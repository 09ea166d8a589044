"""The outcomes pages: who may see them, for which programs, the patients behind a figure, typed parameters
(a bad value is a 400), query counts that do not grow with the clinic, and the TEDS page and export."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftercare.constants import DischargeType
from aftercare.services.discharge import episode_discharge
from audit.constants import DataCategory
from audit.models import AccessLog
from outcomes.models import TedsExport
from outcomes.services.facts import facts_rebuild
from patients.tests.factories import EpisodeFactory
from programs.tests.factories import ProgramFactory

from .factories import ProgramReportingFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("outcomes:page")


def day(offset: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=offset)


def custom(first: int, last: int, **extra) -> dict:
    return {"period": "custom", "start": day(first).isoformat(), "end": day(last).isoformat(), **extra}


def dropout(program, counselor, admitted: int = 80, stayed: int = 10):
    episode = EpisodeFactory(program=program, primary_clinician=counselor, admitted_on=day(admitted))
    episode_discharge(
        episode=episode,
        discharged_on=day(admitted - stayed),
        discharge_type=DischargeType.AGAINST_ADVICE,
        reason="Stopped coming.",
        by=counselor,
    )
    return episode


@pytest.fixture
def other_program(db):
    return ProgramFactory(name="Adolescent IOP — afternoons", code="teen-afternoons")


@pytest.fixture
def clinic(program, other_program, counselor):
    mine = [dropout(program, counselor), EpisodeFactory(program=program, admitted_on=day(70))]
    theirs = [dropout(other_program, counselor), dropout(other_program, counselor, admitted=75)]
    facts_rebuild()
    return {"mine": mine, "theirs": theirs}


class TestWhoSeesWhat:
    def test_a_counselor_is_refused(self, login, counselor, clinic):
        assert login(counselor).get(PAGE).status_code == 403
        assert login(counselor).get(reverse("outcomes:teds")).status_code == 403

    def test_a_supervisor_sees_only_their_programs(self, login, supervisor, clinic, other_program):
        client = login(supervisor)
        response = client.get(PAGE, custom(100, 1))
        assert response.status_code == 200
        assert response.context["programs"] == [supervisor.programs.get()]
        assert response.context["outcomes"].figure("admissions").current.value == 2
        assert client.get(PAGE, custom(100, 1, program=other_program.pk)).status_code == 404
        assert client.get(reverse("outcomes:csv"), {"program": other_program.pk}).status_code == 404

    def test_the_supervisor_may_not_export_teds(self, login, supervisor, clinic):
        assert login(supervisor).get(reverse("outcomes:teds")).status_code == 403
        assert login(supervisor).post(reverse("outcomes:teds_export"), {"file_format": "csv"}).status_code == 403

    def test_the_drilldown_lists_the_30_day_dropouts_of_ones_programs_only(self, login, supervisor, clinic):
        url = reverse("outcomes:patients", args=["dropouts_30"])
        response = login(supervisor).get(url, custom(100, 1, only="counted"))
        assert response.status_code == 200
        listed = [row.patient for row in response.context["result"].rows]
        assert listed == [clinic["mine"][0].patient]
        assert response.context["result"].counted == 1
        log = AccessLog.objects.filter(action="outcomes patients").latest("at")
        assert log.user == supervisor and "dropouts_30" in log.detail


class TestParameters:
    @pytest.mark.parametrize(
        "query",
        [
            {"month": "2026-13"},
            {"quarter": "2026-Q5"},
            {"period": "custom", "start": "2026-02-30", "end": "2026-03-01"},
            {"period": "custom", "start": "2026-05-01", "end": "2026-04-01"},
            {"period": "custom", "start": "2020-01-01", "end": "2026-01-01"},
            {"period": "custom", "start": "0001-01-01", "end": "0001-01-02"},
            {"month": "9999-12"},
            {"program": "abc"},
            {"program": "²"},
            {"page": "0"},
        ],
    )
    def test_a_bad_value_is_a_400(self, login, director, clinic, query):
        client = login(director)
        for url in (PAGE, reverse("outcomes:csv"), reverse("outcomes:patients", args=["admissions"])):
            assert client.get(url, query).status_code == 400, (url, query)

    def test_an_unknown_figure_is_a_404(self, login, director, clinic):
        assert login(director).get(reverse("outcomes:patients", args=["nope"])).status_code == 404

    def test_month_quarter_and_the_period_before(self, login, director, clinic):
        client = login(director)
        response = client.get(PAGE, {"period": "month", "month": "2026-03"})
        assert response.context["period"].label == "March 2026"
        assert response.context["previous"].label == "February 2026"
        response = client.get(PAGE, {"period": "quarter", "quarter": "2026-Q1"})
        assert (response.context["period"].start, response.context["previous"].start) == (
            dt.date(2026, 1, 1),
            dt.date(2025, 10, 1),
        )


class TestPages:
    def test_the_page_reads_in_a_number_of_queries_that_does_not_grow(
        self, login, director, program, counselor, clinic, django_assert_num_queries
    ):
        client = login(director)
        client.get(PAGE, custom(100, 1))
        with CaptureQueriesContext(connection) as few:
            assert client.get(PAGE, custom(100, 1)).status_code == 200
        for _ in range(6):
            dropout(program, counselor, admitted=60)
        facts_rebuild()
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(PAGE, custom(100, 1))
        assert response.context["outcomes"].figure("admissions").current.value == 8
        assert len(few.captured_queries) <= 25

    def test_the_drilldown_reads_in_a_number_of_queries_that_does_not_grow(
        self, login, director, program, counselor, clinic, django_assert_num_queries
    ):
        client = login(director)
        url = reverse("outcomes:patients", args=["dropouts_30"])
        client.get(url, custom(100, 1))
        with CaptureQueriesContext(connection) as few:
            client.get(url, custom(100, 1))
        for _ in range(6):
            dropout(program, counselor, admitted=60)
        facts_rebuild()
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(url, custom(100, 1))
        result = response.context["result"]
        assert (len(result.rows), result.counted) == (8, 7)  # the cohort, and the dropouts counted in it

    def test_csv_and_the_printable_report(self, login, director, clinic):
        client = login(director)
        response = client.get(reverse("outcomes:csv"), custom(100, 1))
        assert response["Content-Type"].startswith("text/csv")
        lines = response.content.decode().splitlines()
        assert lines[0].startswith("Section,Figure,Unit")
        assert any(line.startswith("Retention and completion,Left before 30 days,percent,50.0,1,2") for line in lines)
        printed = client.get(reverse("outcomes:print"), custom(100, 1))
        assert printed.status_code == 200
        assert clinic["mine"][0].patient.legal_last_name not in printed.content.decode()
        actions = set(AccessLog.objects.filter(user=director).values_list("action", flat=True))
        assert {"outcomes CSV export", "outcomes printable report"} <= actions


class TestTedsPages:
    def test_the_report_links_each_flawed_record_to_its_form(self, login, director, clinic, program):
        ProgramReportingFactory(program=program)
        response = login(director).get(reverse("outcomes:teds"), {"start": day(100), "end": day(1)})
        assert response.status_code == 200
        body = response.content.decode()
        episode = clinic["mine"][0]
        form = reverse("outcomes:admission_measures", args=[episode.patient_id, episode.pk])
        assert f'href="{form}?then=' in body
        assert "with missing or inconsistent fields" in body

    def test_the_export_says_how_many_it_refuses_then_leaves_them_out(self, login, director, clinic, program):
        ProgramReportingFactory(program=program)
        client = login(director)
        dates = {"start": day(100).isoformat(), "end": day(1).isoformat(), "file_format": "csv"}
        refused = client.post(reverse("outcomes:teds_export"), dates, follow=True)
        assert "3 of 3 records have missing or inconsistent fields" in refused.content.decode()
        assert not TedsExport.objects.exists()
        left_out = client.post(reverse("outcomes:teds_export"), {**dates, "exclude_invalid": "on"}, follow=True)
        assert "There is no valid record to export" in left_out.content.decode()

    def test_a_valid_file_downloads_and_is_recorded(self, login, director, maria, program):
        dates = {"start": day(90).isoformat(), "end": day(1).isoformat(), "file_format": "fixed"}
        response = login(director).post(reverse("outcomes:teds_export"), dates)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="teds-')
        assert (response["X-TEDS-Records"], response["X-TEDS-Excluded"]) == ("2", "0")
        assert response.content.decode().startswith("A25MA0001234")
        assert AccessLog.objects.filter(user=director, category=DataCategory.DISCLOSURE).count() == 1

    @pytest.mark.parametrize("dates", [{"start": "2026-02-30", "end": "2026-03-01"}, {"start": "x", "end": "y"}])
    def test_bad_dates_are_a_400(self, login, director, clinic, dates):
        assert login(director).get(reverse("outcomes:teds"), dates).status_code == 400
