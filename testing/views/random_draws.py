"""The auditor's page on random testing (/testing/random-draws/) and each day's draw re-checked."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import DateInput
from patients.selectors import patients_visible_to

from ..constants import DrawReason, DrawRecheck
from ..selectors import random_draws as selectors

# What the page shows when no period is chosen, and the longest period one page re-checks.
DEFAULT_PERIOD = timedelta(weeks=8)
LONGEST_PERIOD = timedelta(days=366)
# Draws began with this software; earlier dates would only be typing mistakes.
EARLIEST_DAY = date(2000, 1, 1)
# Reading draws, the desk's permission and the record's: the roles that run and configure testing.
AUDIT_PERMISSIONS = ("testing.view_drugtest", "testing.view_randomdraw")


@dataclass(frozen=True)
class DrawPeriod:
    start: date
    end: date


class DrawPeriodForm(forms.Form):
    """The page's query parameters (``start``, ``end``, ISO dates), all read here; empty means the last 8 weeks."""

    start = forms.DateField(label="From", required=False, widget=DateInput())
    end = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def _check_bounds(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST_DAY <= day <= self.today:
            raise forms.ValidationError(
                f"Choose a day from {EARLIEST_DAY:%m/%d/%Y} to today ({self.today:%m/%d/%Y}): "
                "a draw is made on its own day, never ahead."
            )
        return day

    def clean_start(self):
        return self._check_bounds("start")

    def clean_end(self):
        return self._check_bounds("end")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or max(EARLIEST_DAY, end - DEFAULT_PERIOD + timedelta(days=1))
        if start > end:
            self.add_error("end", "The end date is before the start date.")
        elif end - start >= LONGEST_PERIOD:
            self.add_error("start", f"Choose at most {LONGEST_PERIOD.days} days; each draw in it is re-checked.")
        else:
            cleaned["period"] = DrawPeriod(start=start, end=end)
        return cleaned


def _period_form(request) -> DrawPeriodForm:
    today = timezone.localdate()
    form = DrawPeriodForm(request.GET, today=today)
    if form.is_valid():
        # Show the period actually used, defaults filled in.
        period = form.cleaned_data["period"]
        form = DrawPeriodForm({"start": period.start.isoformat(), "end": period.end.isoformat()}, today=today)
        form.is_valid()
    return form


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@permission_required(AUDIT_PERMISSIONS, raise_exception=True)
def random_draw_audit(request):
    """Per program over a period: draws, tests at random vs forced by the gap rule, and how foreseeable they were."""
    form = _period_form(request)
    if not form.is_valid():
        return render(request, "testing/random_draws.html", {"form": form, "audit": None}, status=400)
    period = form.cleaned_data["period"]
    audit = selectors.random_draw_audit(request.user, period.start, period.end)
    # One row for the page: counts of many patients' draws, no patient named.
    access_log_record(
        request=request,
        category=DataCategory.DRUG_TESTS,
        action="random draw audit",
        detail=f"{period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}: {_count(audit.totals.draws, 'draw')}, "
        f"{_count(audit.totals.tests, 'test')}",
    )
    context = {"form": form, "audit": audit, "period": period, "reasons": DrawReason, "verdicts": DrawRecheck}
    return render(request, "testing/random_draws.html", context)


@permission_required(AUDIT_PERMISSIONS, raise_exception=True)
def random_draw_detail(request, pk):
    """One day's draw: every eligible patient's recorded numbers and the rule's choice re-computed from them."""
    draw = get_object_or_404(selectors.draws_visible_to(request.user).select_related("program"), pk=pk)
    check = selectors.draw_recheck(draw)
    patient_ids = [choice.patient_id for choice in check.choices]
    record_numbers = dict(patients_visible_to(request.user, among=patient_ids).values_list("pk", "mrn"))
    access_log_record(
        request=request,
        category=DataCategory.DRUG_TESTS,
        action="random draw record",
        detail=f"{draw.program.code} {draw.draw_date:%Y-%m-%d}: {check.eligible} eligible, {check.tests} drawn",
    )
    rows = [(choice, record_numbers.get(choice.patient_id)) for choice in check.choices]
    # The same template as the audit page, showing this one draw.
    context = {"check": check, "draw": draw, "rows": rows, "reasons": DrawReason, "verdicts": DrawRecheck}
    return render(request, "testing/random_draws.html", context)
