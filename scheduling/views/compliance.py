"""The program director's compliance dashboard: this week and the last four, every active patient."""

import csv
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.params import choice_param, id_param, page_param, sort_param, text_param

from .. import selectors
from ..constants import COMPLIANCE_PAST_WEEKS
from ..recurrence import iso_week_label
from .common import require_perm

SORTS = {
    "name": lambda row: (row.patient.legal_last_name.lower(), row.patient.legal_first_name.lower()),
    "flags": lambda row: (-len(row.flags), row.patient.legal_last_name.lower()),
    "this_week": lambda row: (row.current.projected_minutes, row.patient.legal_last_name.lower()),
    "past": lambda row: (row.past_attended_hours, row.patient.legal_last_name.lower()),
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A page of the table, as in the registry: a large program has 500 active patients, and a director works down
# the flagged ones; the flag counts above the table cover the whole program.
COMPLIANCE_PAGE_SIZE = 25


def csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: a leading quote keeps them text (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass
class Dashboard:
    program: object
    programs: object
    weeks: list
    rows: list  # filtered and sorted, every page
    flag_counts: dict[str, int]  # over the whole program, before filtering
    flag: str
    sort: str
    query: str


def _dashboard(request) -> Dashboard:
    require_perm(request, "scheduling.view_attendance")
    programs = selectors.programs_visible_to(request.user)
    program_id = id_param(request.GET, "program")
    program = get_object_or_404(programs, pk=program_id) if program_id is not None else programs.first()
    if program is None:
        raise Http404
    today = timezone.localdate()
    weeks = selectors.weeks_around(today, COMPLIANCE_PAST_WEEKS, 0)
    rows = selectors.compliance_rows(request.user, program, weeks=weeks, today=today)
    flag_counts = dict.fromkeys(selectors.ALL_FLAGS, 0)
    for row in rows:
        for name in row.flags:
            flag_counts[name] += 1
    flag = choice_param(request.GET, "flag", selectors.ALL_FLAGS)
    if flag:
        rows = [row for row in rows if flag in row.flags]
    query = text_param(request.GET, "q").lower()
    if query:
        rows = [row for row in rows if query in row.patient.display_name.lower() or query in row.patient.mrn]
    sort = sort_param(request.GET, "sort", SORTS, default="flags")
    rows.sort(key=SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))
    return Dashboard(program, programs, weeks, rows, flag_counts, flag, sort, query)


def _filters(dashboard: Dashboard, **changes) -> str:
    """The dashboard's query string with some parameters changed (links keep the other filters)."""
    params = QueryDict(mutable=True)
    values = {"program": dashboard.program.pk, "flag": dashboard.flag, "q": dashboard.query, "sort": dashboard.sort}
    values.update(changes)
    for key, value in values.items():
        if value not in ("", None):
            params[key] = value
    return params.urlencode()


def compliance(request):
    dashboard = _dashboard(request)
    page: Page = Paginator(dashboard.rows, COMPLIANCE_PAGE_SIZE).get_page(page_param(request.GET))
    access_log_record(
        request=request,
        category=DataCategory.SCHEDULE,
        action="compliance dashboard",
        detail=f"program {dashboard.program.pk}: {len(page.object_list)} of {len(dashboard.rows)} patients shown",
    )

    def sort_link(column: str) -> str:
        return "?" + _filters(dashboard, sort=f"-{column}" if dashboard.sort == column else column)

    context = {
        "program": dashboard.program,
        "programs": dashboard.programs,
        "weeks": dashboard.weeks,
        "week_labels": [iso_week_label(week) for week in dashboard.weeks],
        "page": page,
        "rows": page.object_list,
        "flags": selectors.ALL_FLAGS,
        "flag_counts": [
            (name, count, "?" + _filters(dashboard, flag=name)) for name, count in dashboard.flag_counts.items()
        ],
        "flag": dashboard.flag,
        "sort": dashboard.sort,
        "q": dashboard.query,
        "low": dashboard.program.min_weekly_hours,
        "high": dashboard.program.max_weekly_hours,
        "sort_links": {column: sort_link(column) for column in SORTS},
        "page_link": "?" + _filters(dashboard) + "&page=",
        "csv_query": _filters(dashboard),
    }
    return render(request, "scheduling/compliance.html", context)


def compliance_csv(request):
    dashboard = _dashboard(request)
    program, weeks, rows = dashboard.program, dashboard.weeks, dashboard.rows
    access_log_record(
        request=request,
        category=DataCategory.SCHEDULE,
        action="compliance CSV export",
        detail=f"program {program.pk}: {len(rows)} patients",
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="compliance-{program.code}-{weeks[-1]:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    header = ["MRN", "Patient", "Target hours"]
    for week in weeks:
        label = iso_week_label(week)
        header += [f"{label} scheduled", f"{label} attended", f"{label} billable days", f"{label} unexcused"]
    writer.writerow([*header, "Projected this week", "Flags"])
    for row in rows:
        cells = [row.patient.mrn, row.patient.display_name, row.episode.target_weekly_hours]
        for week in row.weeks:
            cells += [
                week.scheduled_hours,
                week.attended_hours,
                week.attended.billable_days,
                week.attended.unexcused_absences,
            ]
        cells += [row.current.projected_hours, "; ".join(row.flags)]
        writer.writerow([csv_safe(cell) for cell in cells])
    return response
