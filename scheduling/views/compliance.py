"""The program director's compliance dashboard: this week and the last four, every active patient."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from audit.constants import DataCategory
from audit.services import access_log_record

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


def csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: a leading quote keeps them text (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _dashboard(request):
    require_perm(request, "scheduling.view_attendance")
    programs = selectors.programs_visible_to(request.user)
    program_id = request.GET.get("program")
    program = get_object_or_404(programs, pk=program_id) if program_id else programs.first()
    if program is None:
        raise Http404
    today = timezone.localdate()
    weeks = selectors.weeks_around(today, COMPLIANCE_PAST_WEEKS, 0)
    rows = selectors.compliance_rows(request.user, program, weeks=weeks, today=today)
    flag = request.GET.get("flag", "")
    if flag in selectors.ALL_FLAGS:
        rows = [row for row in rows if flag in row.flags]
    query = request.GET.get("q", "").strip().lower()
    if query:
        rows = [row for row in rows if query in row.patient.display_name.lower() or query in row.patient.mrn]
    sort = request.GET.get("sort", "flags")
    descending = sort.startswith("-")
    key = SORTS.get(sort.lstrip("-"), SORTS["flags"])
    rows.sort(key=key, reverse=descending)
    return program, programs, weeks, rows, flag, sort, query


def compliance(request):
    program, programs, weeks, rows, flag, sort, query = _dashboard(request)
    access_log_record(
        request=request,
        category=DataCategory.SCHEDULE,
        action="compliance dashboard",
        detail=f"program {program.pk}: {len(rows)} patients",
    )
    context = {
        "program": program,
        "programs": programs,
        "weeks": weeks,
        "week_labels": [iso_week_label(week) for week in weeks],
        "rows": rows,
        "flags": selectors.ALL_FLAGS,
        "flag": flag,
        "sort": sort,
        "q": query,
        "low": program.min_weekly_hours,
        "high": program.max_weekly_hours,
    }
    return render(request, "scheduling/compliance.html", context)


def compliance_csv(request):
    program, _, weeks, rows, _, _, _ = _dashboard(request)
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
