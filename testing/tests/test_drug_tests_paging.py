"""The chart's drug-test table a page at a time: keyset cursor, fixed cost whatever the history, access kept."""

import datetime as dt
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.constants import DataCategory, Outcome
from audit.models import AccessLog
from iop.params import keyset_value
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from testing.constants import DrugTestStatus, FindingKind, SpecimenValidity
from testing.models import DrugTest
from testing.selectors.drug_tests import DRUG_TESTS_PAGE_SIZE, TREND_COLUMNS, TREND_WEEKS
from testing.tests.factories import panel, resulted_test

pytestmark = pytest.mark.django_db

TEST_LINK = re.compile(r'href="/patients/\d+/drug-tests/(\d+)/"')
OLDER_LINK = re.compile(r'href="\?before=([^"]+)"')
COCAINE_POSITIVE = [
    {
        "analyte": "cocaine",
        "analyte_name": "Cocaine",
        "kind": FindingKind.UNEXPECTED_POSITIVE,
        "flagged": True,
        "message": "Cocaine positive and not prescribed.",
    }
]


@pytest.fixture
def episode(counselor, program):
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    return episode


@pytest.fixture
def url(episode):
    return reverse("testing:chart_drug_tests", args=[episode.patient_id])


def add_tests(episode, collector, count, *, latest=None, same_moment_every=1) -> list[DrugTest]:
    """``count`` resulted tests written straight to the table (the services are tested elsewhere); every third flagged.

    Every ``same_moment_every`` tests share one order time, to check that ties are paged by id.
    """
    latest = latest or timezone.now() - dt.timedelta(days=1)
    cup = panel()
    tests = []
    for index in range(count):
        ordered_at = latest - dt.timedelta(days=index // same_moment_every)
        flagged = index % 3 == 0
        tests.append(
            DrugTest(
                patient=episode.patient,
                episode=episode,
                panel=cup,
                reason="scheduled",
                specimen=cup.specimen,
                method=cup.method,
                status=DrugTestStatus.RESULTED,
                ordered_at=ordered_at,
                ordered_by=collector,
                collected_at=ordered_at + dt.timedelta(minutes=10),
                collector=collector,
                validity=SpecimenValidity.NORMAL,
                resulted_at=ordered_at + dt.timedelta(minutes=20),
                findings=COCAINE_POSITIVE if flagged else [],
                flag_count=1 if flagged else 0,
            )
        )
    return DrugTest.objects.bulk_create(tests)


def ids_on_page(response) -> list[int]:
    return [int(pk) for pk in TEST_LINK.findall(response.content.decode())]


def older_cursor(response) -> str | None:
    found = OLDER_LINK.search(response.content.decode())
    return html.unescape(found.group(1)) if found else None


def timeline(response) -> dict:
    found = re.search(r'<script id="clinical-timeline-data" type="application/json">(.*?)</script>', response.text)
    return json.loads(found.group(1))


class TestFixedCost:
    def test_query_count_is_the_same_with_20_and_200_tests(
        self, login, counselor, episode, url, django_assert_num_queries
    ):
        client = login(counselor)
        # One test through the real services, so the result sets and analyte rows are fetched too.
        resulted_test(episode.patient, positives=("cocaine",), by=counselor)
        add_tests(episode, counselor, 19)
        client.get(url)
        # Counted at once: every request clears the connection's query log the context reads from.
        with CaptureQueriesContext(connection) as captured:
            twenty = client.get(url)
        first_page_queries = len(captured.captured_queries)
        assert len(ids_on_page(twenty)) == 20 and older_cursor(twenty) is None
        with CaptureQueriesContext(connection) as captured:
            client.get(url, {"before": keyset_value(timezone.now(), 0)})
        cursor_page_queries = len(captured.captured_queries)

        add_tests(episode, counselor, 179, latest=timezone.now() - dt.timedelta(days=60))
        # On the second page, so it too has result sets and analyte rows to fetch.
        second_page_test = resulted_test(
            episode.patient, positives=("cocaine",), collected_at=timezone.now() - dt.timedelta(days=70), by=counselor
        )
        with django_assert_num_queries(first_page_queries):
            response = client.get(url)
        assert len(ids_on_page(response)) == DRUG_TESTS_PAGE_SIZE
        with django_assert_num_queries(cursor_page_queries):
            deep = client.get(url, {"before": older_cursor(response)})
        assert len(ids_on_page(deep)) == DRUG_TESTS_PAGE_SIZE and second_page_test.pk in ids_on_page(deep)

    def test_the_table_does_not_grow_with_the_history(self, login, counselor, episode, url):
        client = login(counselor)
        add_tests(episode, counselor, 40)
        short_history = client.get(url)
        add_tests(episode, counselor, 360, latest=timezone.now() - dt.timedelta(days=60))
        long_history = client.get(url)
        table = re.compile(r"<tbody>.*?</tbody>", re.S)
        assert table.search(long_history.text).group() == table.search(short_history.text).group()
        assert len(ids_on_page(long_history)) == DRUG_TESTS_PAGE_SIZE


class TestFirstPage:
    def test_the_chart_plots_every_test_of_its_weeks_and_the_trend_its_columns(self, login, counselor, episode, url):
        tests = add_tests(episode, counselor, 60)
        # Before the chart's weeks: still in the table's older pages, not on the chart.
        add_tests(episode, counselor, 3, latest=timezone.now() - dt.timedelta(weeks=TREND_WEEKS + 2))
        response = login(counselor).get(url)
        plotted = timeline(response)["tests"]
        assert len(plotted) == 60  # the chart spans its weeks, not the table's page
        assert plotted[0]["x"] == timezone.localdate(tests[-1].collected_at).isoformat()
        assert sum(point["flags"] for point in plotted) == 20
        assert [point["positives"] for point in plotted if point["flags"]] == [["Cocaine"]] * 20
        trend = re.search(r"the last (\d+) resulted tests", response.text)
        assert int(trend.group(1)) == TREND_COLUMNS

    def test_older_pages_show_the_table_alone(self, login, counselor, episode, url):
        add_tests(episode, counselor, 30)
        client = login(counselor)
        older = client.get(url, {"before": older_cursor(client.get(url))})
        assert len(ids_on_page(older)) == 5 and older_cursor(older) is None
        assert "clinical-timeline-data" not in older.text and "Per-analyte trend" not in older.text
        assert "back to the newest" in older.text


class TestCursor:
    def test_pages_cover_every_test_once_in_order_even_at_equal_times(self, login, counselor, episode, url):
        tests = add_tests(episode, counselor, 70, same_moment_every=6)
        expected = [test.pk for test in sorted(tests, key=lambda test: (test.ordered_at, test.pk), reverse=True)]
        client = login(counselor)
        seen, cursor = [], None
        while True:
            response = client.get(url, {"before": cursor} if cursor else {})
            assert response.status_code == 200
            seen += ids_on_page(response)
            cursor = older_cursor(response)
            if cursor is None:
                break
        assert seen == expected

    def test_htmx_load_more_answers_the_next_rows_alone(self, login, counselor, episode, url):
        add_tests(episode, counselor, 30)
        client = login(counselor)
        first = client.get(url)
        more = client.get(url, {"before": older_cursor(first)}, headers={"HX-Request": "true"})
        assert more.status_code == 200 and more.text.lstrip().startswith("<tr")
        assert len(ids_on_page(more)) == 5 and not set(ids_on_page(more)) & set(ids_on_page(first))

    @pytest.mark.parametrize(
        "cursor", ["abc", "2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z_-3", "2026-13-01T10:00:00Z_3", "x_3"]
    )
    def test_a_bad_cursor_answers_400(self, login, counselor, episode, url, cursor):
        assert login(counselor).get(url, {"before": cursor}).status_code == 400

    def test_a_cursor_from_another_patients_test_pages_this_patient_only(self, login, counselor, episode, url, program):
        mine = add_tests(episode, counselor, 30)
        other_episode = EpisodeFactory(program=program)
        (theirs,) = add_tests(other_episode, counselor, 1, latest=mine[10].ordered_at)
        response = login(counselor).get(url, {"before": keyset_value(theirs.ordered_at, theirs.pk)})
        shown = DrugTest.objects.filter(pk__in=ids_on_page(response))
        assert theirs.pk not in ids_on_page(response)
        assert set(shown.values_list("patient_id", flat=True)) == {episode.patient_id}
        assert all(position < (theirs.ordered_at, theirs.pk) for position in shown.values_list("ordered_at", "pk"))


class TestAccess:
    def test_each_page_is_logged_and_other_teams_are_refused(self, login, counselor, other_counselor, episode, url):
        add_tests(episode, counselor, 30)
        client = login(counselor)
        first = client.get(url)
        client.get(url, {"before": older_cursor(first)}, headers={"HX-Request": "true"})
        logs = AccessLog.objects.filter(patient=episode.patient, user=counselor)
        assert [(log.category, log.outcome) for log in logs] == [(DataCategory.DRUG_TESTS, Outcome.ALLOWED)] * 2

        refused = login(other_counselor).get(url, {"before": older_cursor(first)})
        assert refused.status_code == 404
        assert AccessLog.objects.filter(user=other_counselor, outcome=Outcome.REFUSED).count() == 1
        assert login(other_counselor).get(url, {"before": "abc"}).status_code == 404
