"""Access-log reports: who may read them, filters, sorting, keyset pages, CSV export, 'who looked'."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, IntakeCoordinatorFactory
from audit.constants import DataCategory, Outcome
from audit.models import AccessLog
from audit.views.reports import csv_safe
from patients.tests.factories import PatientFactory

from .factories import AccessLogFactory

pytestmark = pytest.mark.django_db

REPORT = reverse("audit:access_log")
EXPORT = reverse("audit:access_log_export")


def report_rows(response) -> list[AccessLog]:
    return response.context["page"].rows


class TestWhoMayRead:
    def test_clinicians_and_intake_get_403(self, login, counselor):
        assert login(counselor).get(REPORT).status_code == 403
        assert login(IntakeCoordinatorFactory()).get(EXPORT).status_code == 403

    def test_admin_sees_every_row(self, login, admin_user, patient):
        elsewhere = AccessLogFactory(patient=PatientFactory())
        mine = AccessLogFactory(patient=patient)
        rows = report_rows(login(admin_user).get(REPORT))
        assert {elsewhere, mine} <= set(rows)

    def test_director_sees_rows_about_their_programs_patients_only(self, login, director, patient):
        elsewhere = AccessLogFactory(patient=PatientFactory())
        mine = AccessLogFactory(patient=patient)
        search = AccessLogFactory(patient=None, category=DataCategory.REGISTRY)
        rows = report_rows(login(director).get(REPORT))
        assert mine in rows and search in rows and elsewhere not in rows

    def test_the_nav_shows_audit_to_reviewers_only(self, login, director, counselor):
        assert REPORT in login(director).get(reverse("notifications:home")).text
        assert REPORT not in login(counselor).get(reverse("notifications:home")).text


class TestFilters:
    def test_by_mrn_user_category_and_outcome(self, login, admin_user, patient, counselor):
        other_user = CounselorFactory()
        match = AccessLogFactory(patient=patient, user=counselor, category=DataCategory.CONSENTS)
        AccessLogFactory(patient=patient, user=other_user, category=DataCategory.CONSENTS)
        AccessLogFactory(patient=patient, user=counselor, category=DataCategory.CONTACTS)
        refused = AccessLogFactory(patient=patient, user=counselor, category=DataCategory.CONSENTS, outcome="refused")
        client = login(admin_user)
        query = {"mrn": patient.mrn, "user": counselor.pk, "category": "consents"}
        assert report_rows(client.get(REPORT, query)) == [refused, match]
        assert report_rows(client.get(REPORT, {**query, "outcome": Outcome.REFUSED})) == [refused]

    def test_by_date_range_in_the_clinic_time_zone(self, login, admin_user):
        rows = [AccessLogFactory() for _ in range(3)]
        today = timezone.localdate()
        client = login(admin_user)
        assert set(rows) <= set(report_rows(client.get(REPORT, {"date_from": today, "date_to": today})))
        tomorrow = today + dt.timedelta(days=1)
        assert report_rows(client.get(REPORT, {"date_from": tomorrow})) == []

    def test_bad_filters_are_explained_next_to_the_field(self, login, admin_user):
        response = login(admin_user).get(REPORT, {"mrn": "12ab", "date_from": "2026-05-02", "date_to": "2026-05-01"})
        assert response.status_code == 200
        assert "An MRN is digits only." in response.text
        assert "The end date is before the start date." in response.text
        assert response.context["page"] is None

    def test_an_mrn_the_reviewer_may_not_see_is_not_found(self, login, director):
        stranger = PatientFactory()
        response = login(director).get(REPORT, {"mrn": stranger.mrn})
        assert "No patient you may see has this MRN." in response.text

    def test_viewing_the_report_is_itself_logged(self, login, admin_user, patient):
        login(admin_user).get(REPORT, {"mrn": patient.mrn})
        log = AccessLog.objects.get(category=DataCategory.AUDIT_REPORT)
        assert (log.user, log.patient, log.action) == (admin_user, patient, "access-log report")


class TestSortingAndPages:
    def test_sort_by_user_then_newest(self, login, admin_user):
        zed, amy = CounselorFactory(username="zed"), CounselorFactory(username="amy")
        first_zed = AccessLogFactory(user=zed)
        amy_row = AccessLogFactory(user=amy)
        second_zed = AccessLogFactory(user=zed)
        client = login(admin_user)
        rows = [row for row in report_rows(client.get(REPORT, {"sort": "user"})) if row.user in (zed, amy)]
        assert rows == [amy_row, second_zed, first_zed]
        rows = [row for row in report_rows(client.get(REPORT, {"sort": "-user"})) if row.user in (zed, amy)]
        assert rows == [second_zed, first_zed, amy_row]

    @pytest.mark.parametrize("sort", ["-at", "at", "user", "-patient", "category", "-outcome"])
    def test_keyset_pages_cover_every_row_once_forwards_and_back(self, sort):
        from audit import selectors

        users = [CounselorFactory() for _ in range(3)]
        patients = [PatientFactory() for _ in range(2)] + [None]
        for index in range(23):
            AccessLogFactory(
                user=users[index % 3],
                patient=patients[index % 3],
                category=DataCategory.values[index % 4],
                outcome=Outcome.values[index % 2],
            )
        logs = AccessLog.objects.all()
        expected = list(selectors.access_log_rows(logs, sort))
        seen, pages, cursor = [], [], ""
        while True:
            page = selectors.keyset_page(logs, sort=sort, cursor=cursor, size=5)
            pages.append(page)
            seen.extend(page.rows)
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert seen == expected
        back = selectors.keyset_page(logs, sort=sort, cursor=pages[-1].previous_cursor, size=5)
        assert back.rows == pages[-2].rows

    def test_a_forged_cursor_starts_from_the_first_page(self, login, admin_user):
        AccessLogFactory()
        response = login(admin_user).get(REPORT, {"cursor": "not-a-cursor"})
        assert response.status_code == 200 and response.context["page"].is_first

    def test_pages_follow_each_other_in_the_browser(self, login, admin_user):
        for _ in range(55):
            AccessLogFactory()
        client = login(admin_user)
        first = client.get(REPORT)
        second = client.get(REPORT, {"cursor": first.context["page"].next_cursor})
        assert not set(report_rows(first)) & set(report_rows(second))
        assert "First page" in second.text and "Previous" in second.text

    def test_query_count_does_not_grow_with_the_log(self, login, admin_user, django_assert_max_num_queries):
        client = login(admin_user)
        for _ in range(60):
            AccessLogFactory()
        with django_assert_max_num_queries(12):
            response = client.get(REPORT, {"sort": "patient"})
        assert len(report_rows(response)) == 50


class TestCsvExport:
    def test_formula_prefixes_are_neutralised(self):
        for value in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
            assert csv_safe(value) == f"'{value}"
        assert csv_safe("plain") == "plain" and csv_safe(None) == ""

    def test_export_streams_the_filtered_rows_and_is_logged(self, login, admin_user, patient, counselor):
        row = AccessLogFactory(patient=patient, user=counselor, detail="=cmd|' /C calc'!A0")
        AccessLogFactory(patient=PatientFactory())
        response = login(admin_user).get(EXPORT, {"mrn": patient.mrn})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        lines = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        ids = [line["id"] for line in lines]
        assert str(row.pk) in ids and all(line["patient_mrn"] == patient.mrn for line in lines)
        exported = next(line for line in lines if line["id"] == str(row.pk))
        assert exported["detail"] == "'=cmd|' /C calc'!A0"
        assert exported["username"] == counselor.username
        assert AccessLog.objects.filter(action="access-log CSV export", user=admin_user, patient=patient).exists()

    def test_invalid_filters_export_nothing(self, login, admin_user):
        response = login(admin_user).get(EXPORT, {"date_from": "yesterday"})
        assert response.status_code == 400


class TestWhoLookedAtThisChart:
    def url(self, patient):
        return reverse("audit:patient_accesses", args=[patient.pk])

    def test_lists_the_latest_looks_refused_ones_included(self, login, director, counselor, patient):
        AccessLogFactory(patient=patient, user=counselor, action="chart consents")
        AccessLogFactory(patient=patient, user=CounselorFactory(username="snoop"), outcome=Outcome.REFUSED)
        response = login(director).get(self.url(patient))
        assert response.status_code == 200
        assert "chart consents" in response.text and "snoop" in response.text and "Refused" in response.text
        assert AccessLog.objects.filter(action="who looked at this chart", patient=patient, user=director).exists()

    def test_the_tab_shows_only_with_the_permission(self, login, director, counselor, patient):
        chart = reverse("patients:chart", args=[patient.pk])
        assert self.url(patient) in login(director).get(chart).text
        assert self.url(patient) not in login(counselor).get(chart).text
        assert login(counselor).get(self.url(patient)).status_code == 403

    def test_query_count_does_not_grow(self, login, director, patient, django_assert_max_num_queries):
        client = login(director)
        for _ in range(30):
            AccessLogFactory(patient=patient)
        with django_assert_max_num_queries(15):
            assert client.get(self.url(patient)).status_code == 200

    def test_a_director_cannot_open_it_for_a_patient_outside_their_programs(self, login, director):
        assert login(director).get(self.url(PatientFactory())).status_code == 404
