"""State reporting: the period's TEDS records checked field by field, and the export of the valid ones."""

import datetime as dt
from typing import NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.params import BadParameter
from scheduling.selectors import programs_visible_to

from ..constants import TEDS_ADMISSION_LAYOUT, TEDS_DISCHARGE_LAYOUT, PeriodKind
from ..forms import TedsExportForm, TedsPeriodForm
from ..models import TedsExport
from ..selectors.periods import Period, quarter_period
from ..selectors.teds import teds_report
from ..services.teds import teds_export

VIEW_PERMISSION = "outcomes.view_tedsexport"
EXPORT_PERMISSION = "outcomes.add_tedsexport"
EXPORTS_SHOWN = 20


def _scope(request, data):
    """(programs, period, form) from the query or the posted form; a bad value is a 400."""
    today = timezone.localdate()
    last_quarter = quarter_period(quarter_period(today).start - dt.timedelta(days=1))
    form = TedsPeriodForm(data or {"start": last_quarter.start, "end": last_quarter.end})
    if not form.is_valid():
        return None, None, form
    visible = list(programs_visible_to(request.user).order_by("name"))
    program_id = form.cleaned_data.get("program")
    programs = visible
    if program_id is not None:
        programs = [program for program in visible if program.pk == program_id]
        if not programs:
            raise Http404
    if not visible:
        raise Http404
    return programs, Period(PeriodKind.CUSTOM, form.cleaned_data["start"], form.cleaned_data["end"]), form


def _refuse(form) -> NoReturn:
    """A 400 from the app's error page (iop.middleware), which names the parameter and escapes the value."""
    field, errors = next(iter(form.errors.items()))
    raise BadParameter(field if field != "__all__" else "period", " ".join(errors))


@permission_required(VIEW_PERMISSION, raise_exception=True)
def teds_page(request):
    """The validation report: every record of the period, the invalid ones first with the form that fixes each."""
    programs, period, form = _scope(request, request.GET or None)
    if programs is None:
        _refuse(form)
    report = teds_report([program.pk for program in programs], period)
    access_log_record(
        request=request,
        category=DataCategory.EPISODES,
        action="TEDS validation report",
        detail=f"{period.start:%Y-%m-%d}..{period.end:%Y-%m-%d}: {len(report.records)} records, "
        f"{len(report.invalid)} invalid",
    )
    exports = TedsExport.objects.select_related("exported_by").prefetch_related("programs")[:EXPORTS_SHOWN]
    context = {
        "report": report,
        "form": form,
        "programs": list(programs_visible_to(request.user).order_by("name")),
        "program_id": form.cleaned_data.get("program"),
        "export_form": TedsExportForm(initial={"file_format": "csv"}),
        "exports": exports,
        "period": period,
        "layouts": (("Admission (TEDS-A)", TEDS_ADMISSION_LAYOUT), ("Discharge (TEDS-D)", TEDS_DISCHARGE_LAYOUT)),
    }
    return render(request, "outcomes/teds.html", context)


@require_POST
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def teds_download(request):
    programs, period, form = _scope(request, request.POST)
    if programs is None:
        _refuse(form)
    export_form = TedsExportForm(request.POST)
    if not export_form.is_valid():
        _refuse(export_form)
    try:
        produced = teds_export(
            user=request.user,
            programs=programs,
            period=period,
            file_format=export_form.cleaned_data["file_format"],
            exclude_invalid=export_form.cleaned_data["exclude_invalid"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        query = f"start={period.start:%Y-%m-%d}&end={period.end:%Y-%m-%d}"
        if form.cleaned_data.get("program"):
            query += f"&program={form.cleaned_data['program']}"
        return redirect(f"{reverse('outcomes:teds')}?{query}")
    content_type = "text/csv" if produced.filename.endswith(".csv") else "text/plain"
    response = HttpResponse(produced.content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{produced.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-TEDS-Records"] = str(produced.export.total_records)
    response["X-TEDS-Excluded"] = str(produced.export.excluded_records)
    return response
