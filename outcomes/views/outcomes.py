"""The outcomes page for directors and supervisors: figures with charts and tables, drill-downs, CSV, print."""

import csv
from dataclasses import dataclass

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.params import BadParameter, choice_param
from scheduling.selectors import programs_visible_to

from ..forms import PeriodForm
from ..selectors.cohorts import Scope
from ..selectors.drilldown import DRILLS, drilldown, referral_drilldown
from ..selectors.figures import outcomes_for

PERMISSION = "outcomes.view_outcomes"
DRILL_PAGE_SIZE = 50
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: a leading quote keeps them text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@dataclass
class Request_:
    scope: Scope
    programs: list
    program: object | None
    form: PeriodForm
    kind: str


def _parse(request) -> Request_:
    """The programs and period asked for; a bad parameter is a 400, a program outside one's own a 404."""
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    if not form.is_valid():
        # The app's 400 page (iop.middleware) names the parameter and escapes what was sent.
        field, errors = next(iter(form.errors.items()))
        raise BadParameter(field if field != "__all__" else "period", " ".join(errors))
    programs = list(programs_visible_to(request.user).order_by("name"))
    program_id = form.cleaned_data.get("program")
    program = None
    if program_id is not None:
        program = next((p for p in programs if p.pk == program_id), None)
        if program is None:
            raise Http404
    chosen = [program] if program else programs
    period = form.cleaned_data["the_period"]
    scope = Scope(tuple(p.pk for p in chosen), period, period.previous(), today)
    return Request_(scope, programs, program, form, form.cleaned_data["the_period_kind"])


def _query(parsed: Request_, **changes) -> str:
    """The page's query string (program and period), with some values changed."""
    params = QueryDict(mutable=True)
    period = parsed.scope.period
    values = {"program": parsed.program.pk if parsed.program else "", "period": parsed.kind}
    if parsed.kind == "month":
        values["month"] = period.token
    elif parsed.kind == "quarter":
        values["quarter"] = period.token
    else:
        values["start"], values["end"] = period.start.isoformat(), period.end.isoformat()
    values.update(changes)
    for key, value in values.items():
        if value not in ("", None):
            params[key] = value
    return params.urlencode()


def _period_query(parsed: Request_, period) -> str:
    if period.kind == "month":
        return _query(parsed, month=period.token)
    if period.kind == "quarter":
        return _query(parsed, quarter=period.token)
    return _query(parsed, start=period.start.isoformat(), end=period.end.isoformat())


def _scope_text(parsed: Request_) -> str:
    programs = parsed.program.name if parsed.program else f"{len(parsed.programs)} programs"
    return f"{programs}, {parsed.scope.period.start:%Y-%m-%d}..{parsed.scope.period.end:%Y-%m-%d}"


@permission_required(PERMISSION, raise_exception=True)
def outcomes_page(request):
    parsed = _parse(request)
    if not parsed.programs:
        raise Http404
    outcomes = outcomes_for(parsed.scope)
    # Figures only, no patient named: still a look at the programs' patients' data.
    access_log_record(
        request=request, category=DataCategory.EPISODES, action="outcomes report", detail=_scope_text(parsed)
    )
    period = parsed.scope.period
    following = period.following()
    context = {
        "outcomes": outcomes,
        "sections": outcomes.sections,
        "programs": parsed.programs,
        "program": parsed.program,
        "period": period,
        "previous": parsed.scope.previous,
        "kind": parsed.kind,
        "form": parsed.form,
        "query": _query(parsed),
        "previous_link": "?" + _period_query(parsed, parsed.scope.previous),
        "next_link": "?" + _period_query(parsed, following) if following.start <= parsed.scope.today else "",
        "quarters": _recent_quarters(parsed.scope.today),
        "charts_json": {chart.key: chart.as_json() for chart in outcomes.charts},
        "today": parsed.scope.today,
    }
    return render(request, "outcomes/page.html", context)


def _recent_quarters(today) -> list[str]:
    quarters, year, quarter = [], today.year, (today.month - 1) // 3 + 1
    for _ in range(8):
        quarters.append(f"{year}-Q{quarter}")
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return quarters


@permission_required(PERMISSION, raise_exception=True)
def outcomes_print(request):
    """The one-page report for a board or a payer: every figure, this period against the one before."""
    parsed = _parse(request)
    if not parsed.programs:
        raise Http404
    outcomes = outcomes_for(parsed.scope)
    access_log_record(
        request=request, category=DataCategory.EPISODES, action="outcomes printable report", detail=_scope_text(parsed)
    )
    context = {
        "outcomes": outcomes,
        "sections": outcomes.sections,
        "programs": [parsed.program] if parsed.program else parsed.programs,
        "period": parsed.scope.period,
        "previous": parsed.scope.previous,
        "generated_at": timezone.localtime(),
        "query": _query(parsed),
    }
    return render(request, "outcomes/print.html", context)


@permission_required(PERMISSION, raise_exception=True)
def outcomes_csv(request):
    parsed = _parse(request)
    if not parsed.programs:
        raise Http404
    outcomes = outcomes_for(parsed.scope)
    access_log_record(
        request=request, category=DataCategory.EPISODES, action="outcomes CSV export", detail=_scope_text(parsed)
    )
    period, previous = parsed.scope.period, parsed.scope.previous
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(
        ["Section", "Figure", "Unit", f"{period.label} value", "numerator", "denominator",
         f"{previous.label} value", "numerator", "denominator", "Definition"]
    )  # fmt: skip
    for figure in outcomes.figures:
        writer.writerow(
            [
                csv_safe(cell)
                for cell in (
                    figure.section, figure.label, figure.unit,
                    figure.current.value, figure.current.numerator, figure.current.denominator,
                    figure.previous.value, figure.previous.numerator, figure.previous.denominator,
                    figure.definition,
                )
            ]
        )  # fmt: skip
    for chart in outcomes.charts:
        writer.writerow([])
        writer.writerow([csv_safe(chart.section), csv_safe(chart.title)])
        writer.writerow([csv_safe(cell) for cell in chart.table_header])
        for row in chart.rows:
            writer.writerow([csv_safe(cell) for cell in row])
    return response


@permission_required(PERMISSION, raise_exception=True)
def outcomes_patients(request, figure):
    """The patients behind one figure (this period or the previous), those the user may see."""
    if figure not in DRILLS and figure != "referrals":
        raise Http404
    parsed = _parse(request)
    if not parsed.programs:
        raise Http404
    which = choice_param(request.GET, "of", ("current", "previous"), default="current")
    only = choice_param(request.GET, "only", ("counted",))
    period = parsed.scope.period if which == "current" else parsed.scope.previous
    page = parsed.form.cleaned_data.get("page") or 1
    offset = (page - 1) * DRILL_PAGE_SIZE
    if figure == "referrals":
        result = referral_drilldown(request.user, period, parsed.scope, offset=offset, limit=DRILL_PAGE_SIZE)
    else:
        result = drilldown(
            request.user,
            figure,
            period,
            parsed.scope,
            only_counted=only == "counted",
            offset=offset,
            limit=DRILL_PAGE_SIZE,
        )
    access_log_record(
        request=request,
        category=DataCategory.EPISODES,
        action="outcomes patients",
        detail=f"{figure} ({which}{', counted' if only else ''}), {_scope_text(parsed)}: {len(result.rows)} shown "
        f"of {result.visible}",
    )
    base = _query(parsed, of=which, only=only)
    context = {
        "result": result,
        "figure": figure,
        "period": period,
        "program": parsed.program,
        "which": which,
        "only": only,
        "page": page,
        "has_next": offset + DRILL_PAGE_SIZE < result.visible,
        "page_link": f"?{base}&page=",
        "back": "?" + _query(parsed),
        "counted_link": f"?{_query(parsed, of=which, only='counted')}",
        "all_link": f"?{_query(parsed, of=which)}",
        "hidden": result.total - result.visible,
    }
    return render(request, "outcomes/patients.html", context)
