"""Reads for drug tests and the program's testing lists, in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from iop.keyset import KeysetPage, newest_first_page
from patients.instruments import SPECS, Instrument
from patients.models import Patient
from patients.selectors import instrument_trend, patients_visible_to
from scheduling.recurrence import week_start
from scheduling.selectors import attendance_by_week, minutes_to_hours

from ..constants import PENDING_RESULT_STATUSES, DrugTestStatus, FindingKind
from ..models import DrugTest, DrugTestResultSet

# The trend table shows the most recent resulted tests, oldest on the left.
TREND_COLUMNS = 12
TREND_WEEKS = 26
# Rows per page of the chart's test table: older tests come a page at a time, so the page costs the same at any length.
DRUG_TESTS_PAGE_SIZE = 25


def drug_tests_page(
    patient: Patient, *, before: tuple[datetime, int] | None = None, page_size: int = DRUG_TESTS_PAGE_SIZE
) -> KeysetPage:
    """One page of the chart's test table by order time, newest first; older ones by the keyset cursor ``before``.

    Two queries: the tests with their panel, and the method of each result set (a badge per set).
    The analyte rows stay on the test's own page: the table shows the stored findings.
    """
    result_sets = DrugTestResultSet.objects.valid().only("id", "drug_test", "method").order_by("resulted_at", "id")
    tests = (
        patient.drug_tests.valid()
        .select_related("panel")
        .defer("notes", "validity_reasons", "not_collected_reason")
        .prefetch_related(Prefetch("result_sets", queryset=result_sets, to_attr="sets"))
    )
    return newest_first_page(tests, time_field="ordered_at", before=before, page_size=page_size)


def _resulted(patient: Patient) -> QuerySet[DrugTest]:
    return patient.drug_tests.valid().filter(status=DrugTestStatus.RESULTED, collected_at__isnull=False)


def recent_resulted_tests(patient: Patient, *, count: int = TREND_COLUMNS) -> list[DrugTest]:
    """The latest resulted tests for the trend table, with their stored findings only (one query)."""
    return list(
        _resulted(patient)
        .only("id", "patient", "status", "ordered_at", "collected_at", "findings", "flag_count")
        .order_by("-ordered_at", "-id")[:count]
    )


@dataclass
class TrendRow:
    name: str
    cells: list[str | None]


SHOWN_IN_TREND = {
    FindingKind.EXPECTED_POSITIVE,
    FindingKind.EXPECTED_ABSENT,
    FindingKind.UNEXPECTED_POSITIVE,
    FindingKind.ALCOHOL_DETECTED,
    FindingKind.INVALID_RESULT,
    FindingKind.NEGATIVE,
}


def analyte_trend(tests: list[DrugTest]) -> tuple[list[DrugTest], list[TrendRow]]:
    """Per analyte, the finding of each recent resulted test (from the stored findings; no query)."""
    resulted = [t for t in tests if t.status == DrugTestStatus.RESULTED and t.collected_at][:TREND_COLUMNS]
    resulted.reverse()
    names: dict[str, str] = {}
    by_test: list[dict[str, str]] = []
    for test in resulted:
        kinds = {}
        for finding in test.findings:
            if finding["kind"] in SHOWN_IN_TREND:
                kinds[finding["analyte"]] = finding["kind"]
                names.setdefault(finding["analyte"], finding["analyte_name"])
        by_test.append(kinds)
    rows = [TrendRow(names[code], [kinds.get(code) for kinds in by_test]) for code in sorted(names, key=names.get)]
    # Analytes ever positive or flagged first: what a clinician scans for.
    rows.sort(key=lambda row: all(cell in (None, FindingKind.NEGATIVE) for cell in row.cells))
    return resulted, rows


def combined_timeline(patient: Patient, today: date | None = None) -> dict:
    """PHQ-9/GAD-7 scores, and the last TREND_WEEKS weeks' attended hours and drug tests, on one time line."""
    today = today or timezone.localdate()
    scores = instrument_trend(patient, instruments=(Instrument.PHQ9, Instrument.GAD7))
    episode_ids = list(patient.episodes.valid().values_list("id", flat=True))
    last_week = week_start(today)
    first_week = week_start(today - timedelta(weeks=TREND_WEEKS))
    weekly_minutes: dict[date, int] = {}
    for (_, week), attended in attendance_by_week(episode_ids, first_week, last_week).items():
        weekly_minutes[week] = weekly_minutes.get(week, 0) + attended.attended_minutes
    # The tests of the same weeks as the hours, read as plain values: a point each, whatever the history's length.
    resulted = (
        _resulted(patient)
        .filter(collected_at__gte=timezone.make_aware(datetime.combine(first_week, time.min)))
        .order_by("ordered_at", "id")
        .values_list("collected_at", "flag_count", "findings")
    )
    tests_series = [
        {
            "x": timezone.localdate(collected_at).isoformat(),
            "flags": flags,
            "positives": [
                finding["analyte_name"]
                for finding in findings
                if finding["kind"] in (FindingKind.UNEXPECTED_POSITIVE, FindingKind.ALCOHOL_DETECTED)
            ],
        }
        for collected_at, flags, findings in resulted
    ]
    return {
        "scores": {SPECS[code].title: points for code, points in scores.items()},
        "hours": [
            {"x": week.isoformat(), "y": float(minutes_to_hours(minutes))}
            for week, minutes in sorted(weekly_minutes.items())
        ],
        "tests": tests_series,
    }


def _testing_list(user) -> QuerySet[DrugTest]:
    return (
        DrugTest.objects.valid()
        .filter(patient__in=patients_visible_to(user))
        .select_related("patient", "panel", "episode__program", "random_draw", "collector")
    )


def pending_results(user) -> QuerySet[DrugTest]:
    """Collected or sent and not resulted, oldest collection first: what the program is waiting for."""
    return _testing_list(user).filter(status__in=PENDING_RESULT_STATUSES).order_by("collected_at", "id")


def collection_list(user, day: date | None = None) -> QuerySet[DrugTest]:
    """Orders still to collect on ``day``: the day's random draw and any earlier order not yet collected."""
    day = day or timezone.localdate()
    return (
        _testing_list(user)
        .filter(status=DrugTestStatus.ORDERED, ordered_at__date__lte=day)
        .order_by("patient__legal_last_name", "patient__legal_first_name", "ordered_at")
    )
