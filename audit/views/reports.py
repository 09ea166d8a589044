"""Access-log reports for admins and program directors, and "who looked at this chart"."""

import csv
from dataclasses import dataclass
from datetime import UTC

from django.contrib.auth.decorators import permission_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.constants import Role
from audit import selectors
from audit.constants import DataCategory
from audit.forms import AccessLogFilterForm
from audit.services import access_log_record
from iop.params import sort_param, text_param
from patients.models import Patient
from patients.selectors import chart_header, patient_for_view, patients_visible_to

# A spreadsheet runs a cell starting with these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "id",
    "at_utc",
    "username",
    "staff_name",
    "patient_mrn",
    "category",
    "action",
    "outcome",
    "ip_address",
    "detail",
    "row_hash",
]


# A keyset cursor is a few values signed: far shorter than this.
CURSOR_MAX_LENGTH = 1000


@dataclass(frozen=True)
class SortColumn:
    label: str
    key: str


REPORT_COLUMNS = [
    SortColumn("Time", "at"),
    SortColumn("Staff member", "user"),
    SortColumn("Patient", "patient"),
    SortColumn("Data", "category"),
    SortColumn("Outcome", "outcome"),
]


def _report_patients(user):
    # Admins audit every chart, including ones marked entered in error; others only those they may see.
    return Patient.objects.all() if user.is_superuser or user.has_role(Role.ADMIN) else patients_visible_to(user)


def _sort_headers(sort: str) -> list[dict]:
    headers = []
    for column in REPORT_COLUMNS:
        active = sort.lstrip("-") == column.key
        descending = sort.startswith("-")
        if active:
            next_sort = column.key if descending else f"-{column.key}"
        else:
            # Time reads newest first by default; the other columns A to Z.
            next_sort = f"-{column.key}" if column.key == "at" else column.key
        headers.append({"label": column.label, "sort": next_sort, "active": active, "descending": descending})
    return headers


@permission_required("audit.view_accesslog", raise_exception=True)
def access_log_report(request):
    """Who looked at what: filter by patient, staff member, dates, data and outcome; sortable; keyset-paged."""
    form = AccessLogFilterForm(request.GET, patients=_report_patients(request.user))
    sort = sort_param(request.GET, "sort", selectors.SORT_COLUMNS, default=selectors.DEFAULT_SORT)
    logs = selectors.access_logs_visible_to(request.user)
    patient = None
    if form.is_valid():
        filters = form.filters()
        patient = filters["patient"]
        page = selectors.keyset_page(
            selectors.access_log_filter(logs, **filters),
            sort=sort,
            # An opaque signed cursor: one that fails its signature starts at the first page.
            cursor=text_param(request.GET, "cursor", max_length=CURSOR_MAX_LENGTH),
        )
    else:
        page = None
    access_log_record(request=request, category=DataCategory.AUDIT_REPORT, action="access-log report", patient=patient)
    context = {"form": form, "page": page, "sort": sort, "headers": _sort_headers(sort)}
    return render(request, "audit/access_log_report.html", context)


def csv_safe(value) -> str:
    """Text a spreadsheet shows as text: formula prefixes are neutralised with a leading quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def _csv_lines(logs):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for log in logs:
        yield writer.writerow(
            [
                csv_safe(value)
                for value in (
                    log.pk,
                    log.at.astimezone(UTC).isoformat(),
                    log.user.username if log.user else "",
                    log.user.get_full_name() if log.user else "",
                    log.patient.mrn if log.patient else "",
                    log.category,
                    log.action,
                    log.outcome,
                    log.ip_address or "",
                    log.detail,
                    log.row_hash,
                )
            ]
        )


@permission_required("audit.view_accesslog", raise_exception=True)
def access_log_export(request):
    """The filtered report as CSV, streamed a chunk at a time; the export itself is logged."""
    form = AccessLogFilterForm(request.GET, patients=_report_patients(request.user))
    if not form.is_valid():
        return render(
            request,
            "audit/access_log_report.html",
            {"form": form, "page": None, "sort": selectors.DEFAULT_SORT, "headers": _sort_headers("-at")},
            status=400,
        )
    filters = form.filters()
    sort = sort_param(request.GET, "sort", selectors.SORT_COLUMNS, default=selectors.DEFAULT_SORT)
    logs = selectors.access_log_rows(
        selectors.access_log_filter(selectors.access_logs_visible_to(request.user), **filters), sort
    )
    access_log_record(
        request=request, category=DataCategory.AUDIT_REPORT, action="access-log CSV export", patient=filters["patient"]
    )
    response = StreamingHttpResponse(_csv_lines(logs.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    return response


@permission_required("audit.view_accesslog", raise_exception=True)
def patient_accesses(request, pk):
    """'Who looked at this chart': the latest looks at this patient, for privileged roles."""
    patient = patient_for_view(request, pk, category=DataCategory.AUDIT_REPORT, action="who looked at this chart")
    context = {
        "header": chart_header(patient),
        "patient": patient,
        "section": "accesses",
        "accesses": selectors.patient_recent_accesses(patient),
        "limit": 50,
    }
    return render(request, "audit/patient_accesses.html", context)
