"""Drug tests on the chart (timeline, order, collect, send, result), the sobriety date, and the program's lists."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors
from iop.htmx import render_page_or_partial
from iop.params import keyset_param
from patients import selectors
from patients.selectors import patient_for_view

from ..constants import DrugTestStatus, FindingKind, ResultMethod, TestingMethod
from ..forms import (
    DrugTestCollectForm,
    DrugTestNotCollectedForm,
    DrugTestOrderForm,
    DrugTestResultForm,
    DrugTestSendForm,
    SobrietyDateForm,
)
from ..models import Analyte, SobrietyDate
from ..selectors import drug_tests as selectors_drug_tests
from ..services import drug_tests as drug_testing


def _chart_context(patient, **extra) -> dict:
    return {"header": selectors.chart_header(patient), "patient": patient, "section": "drug_tests", **extra}


def _sobriety(patient) -> SobrietyDate | None:
    return SobrietyDate.objects.valid().filter(patient=patient).select_related("set_by").first()


@permission_required("testing.view_drugtest", raise_exception=True)
def chart_drug_tests(request, pk):
    """The tests a page at a time with their flags; on the first page the per-analyte trend and the combined chart."""
    patient = patient_for_view(request, pk, category=DataCategory.DRUG_TESTS, action="chart drug tests")
    before = keyset_param(request.GET, "before")
    tests = selectors_drug_tests.drug_tests_page(patient, before=before)
    # One reverse() for the page: a test's address differs only in its id at the end.
    detail_prefix = reverse("testing:drug_test_detail", args=[patient.pk, 0]).removesuffix("0/")
    for test in tests:
        test.detail_url = f"{detail_prefix}{test.pk}/"
    context = _chart_context(patient, tests=tests, kinds=FindingKind)
    if tests.is_first and not request.htmx:
        trend_tests, trend_rows = selectors_drug_tests.analyte_trend(
            selectors_drug_tests.recent_resulted_tests(patient)
        )
        sobriety = _sobriety(patient)
        today = timezone.localdate()
        timeline = selectors_drug_tests.combined_timeline(patient, today)
        context.update(
            trend_tests=trend_tests,
            trend_rows=trend_rows,
            sobriety=sobriety,
            sober_days=sobriety.days_on(today) if sobriety else None,
            timeline=timeline,
            trend_weeks=selectors_drug_tests.TREND_WEEKS,
            has_timeline=bool(timeline["tests"] or timeline["hours"] or any(timeline["scores"].values())),
        )
    # "Older tests" loaded in place by htmx gets the next rows and link alone; without htmx, the whole tab.
    return render_page_or_partial(request, "testing/chart.html", "testing/partials/chart_drug_test_rows.html", context)


@permission_required("testing.add_drugtest", raise_exception=True)
def drug_test_order(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.DRUG_TESTS, action="order drug test")
    form = DrugTestOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drug_test = drug_testing.drug_test_order(patient=patient, ordered_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{drug_test.panel} ordered.")
            return redirect("testing:drug_test_detail", pk=patient.pk, test_pk=drug_test.pk)
    return render(request, "testing/order_form.html", _chart_context(patient, form=form))


def _test_for(patient, test_pk):
    return get_object_or_404(
        patient.drug_tests.valid().select_related("panel", "collector", "ordered_by", "random_draw"), pk=test_pk
    )


def _detail_context(patient, drug_test, **forms) -> dict:
    result_sets = list(
        drug_test.result_sets.valid()
        .select_related("recorded_by")
        .prefetch_related("analyte_results__analyte")
        .order_by("resulted_at")
    )
    status = drug_test.status
    has_definitive = any(rs.method == ResultMethod.DEFINITIVE for rs in result_sets)
    # A definitive result replaces the screen for the analytes it reports: shown on the screen's rows.
    confirmed = {
        row.analyte_id
        for rs in result_sets
        if rs.method == ResultMethod.DEFINITIVE
        for row in rs.analyte_results.all()
        if row.entered_in_error_at is None
    }
    for rs in result_sets:
        for row in rs.analyte_results.all():
            row.superseded = rs.method == ResultMethod.PRESUMPTIVE and row.analyte_id in confirmed
    context = {
        "drug_test": drug_test,
        "result_sets": result_sets,
        "can_collect": status == DrugTestStatus.ORDERED,
        "can_send": status == DrugTestStatus.COLLECTED or (status == DrugTestStatus.RESULTED and not has_definitive),
        "can_result": status == DrugTestStatus.SENT
        or (status == DrugTestStatus.COLLECTED and drug_test.method == TestingMethod.POINT_OF_CARE),
        "collect_form": forms.get("collect_form") or DrugTestCollectForm(initial={"observed": drug_test.observed}),
        "not_collected_form": forms.get("not_collected_form") or DrugTestNotCollectedForm(),
        "send_form": forms.get("send_form") or DrugTestSendForm(initial={"lab_name": drug_test.lab_name}),
    }
    return _chart_context(patient, **context)


@permission_required("testing.view_drugtest", raise_exception=True)
def drug_test_detail(request, pk, test_pk):
    patient = patient_for_view(request, pk, category=DataCategory.DRUG_TESTS, action="view drug test")
    drug_test = _test_for(patient, test_pk)
    return render(request, "testing/detail.html", _detail_context(patient, drug_test))


def _step(request, pk, test_pk, form_class, form_name, action, run, success):
    """One POST step of a test's life (collect, not collected, send): form, service, message, back to the test."""
    patient = patient_for_view(request, pk, category=DataCategory.DRUG_TESTS, action=action)
    drug_test = _test_for(patient, test_pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(drug_test, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("testing:drug_test_detail", pk=patient.pk, test_pk=drug_test.pk)
    context = _detail_context(patient, drug_test, **{form_name: form})
    return render(request, "testing/detail.html", context, status=400)


@require_POST
@permission_required("testing.change_drugtest", raise_exception=True)
def drug_test_collect(request, pk, test_pk):
    def run(drug_test, data):
        kwargs = DrugTestCollectForm.service_kwargs(data)
        drug_testing.drug_test_collect(drug_test=drug_test, collector=request.user, **kwargs)

    return _step(request, pk, test_pk, DrugTestCollectForm, "collect_form", "collect drug test", run, "Collected.")


@require_POST
@permission_required("testing.change_drugtest", raise_exception=True)
def drug_test_not_collected(request, pk, test_pk):
    def run(drug_test, data):
        drug_testing.drug_test_mark_not_collected(drug_test=drug_test, reason=data["reason"], by=request.user)

    return _step(
        request, pk, test_pk, DrugTestNotCollectedForm, "not_collected_form", "drug test not collected", run,
        "Recorded as not collected.",
    )  # fmt: skip


@require_POST
@permission_required("testing.change_drugtest", raise_exception=True)
def drug_test_send(request, pk, test_pk):
    def run(drug_test, data):
        drug_testing.drug_test_send(drug_test=drug_test, lab_name=data["lab_name"], by=request.user)

    return _step(request, pk, test_pk, DrugTestSendForm, "send_form", "send drug test", run, "Sent to the lab.")


@permission_required("testing.change_drugtest", raise_exception=True)
def drug_test_result(request, pk, test_pk):
    patient = patient_for_view(request, pk, category=DataCategory.DRUG_TESTS, action="result drug test")
    drug_test = _test_for(patient, test_pk)
    analytes = list(Analyte.objects.filter(panels=drug_test.panel).order_by("display_order", "name"))
    form = DrugTestResultForm(request.POST or None, drug_test=drug_test, analytes=analytes)
    if request.method == "POST" and form.is_valid():
        try:
            drug_testing.drug_test_result(
                drug_test=drug_test,
                method=form.cleaned_data["method"],
                results=form.results(),
                recorded_by=request.user,
                resulted_at=form.cleaned_data["resulted_at"],
                lab_name=form.cleaned_data["lab_name"],
                accession_number=form.cleaned_data["accession_number"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            drug_test.refresh_from_db()
            flags = drug_test.flag_count
            if flags:
                messages.warning(request, f"Result saved with {flags} flag{'s' if flags > 1 else ''}: review below.")
            else:
                messages.success(request, "Result saved; nothing flagged.")
            return redirect("testing:drug_test_detail", pk=patient.pk, test_pk=drug_test.pk)
    return render(request, "testing/result_form.html", _chart_context(patient, form=form, drug_test=drug_test))


@permission_required("testing.change_sobrietydate", raise_exception=True)
def sobriety_date_set(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.DRUG_TESTS, action="set sobriety date")
    current = _sobriety(patient)
    initial = {"sober_since": current.sober_since} if current else {}
    form = SobrietyDateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            drug_testing.sobriety_date_set(patient=patient, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Sobriety date saved.")
            return redirect("testing:chart_drug_tests", pk=patient.pk)
    history = current.history.select_related("set_by").order_by("-history_date") if current is not None else []
    context = _chart_context(patient, form=form, current=current, history=history)
    return render(request, "testing/sobriety_form.html", context)


@permission_required("testing.view_drugtest", raise_exception=True)
def testing_lists(request):
    """The program's testing desk: today's collection list (random draw included) and pending results."""
    today = timezone.localdate()
    collect = list(selectors_drug_tests.collection_list(request.user, today))
    pending = list(selectors_drug_tests.pending_results(request.user))
    # One row for the page: it lists many patients' tests (as the registry search does).
    access_log_record(
        request=request,
        category=DataCategory.DRUG_TESTS,
        action="testing lists",
        detail=f"{len(collect)} to collect, {len(pending)} pending",
    )
    context = {"collect": collect, "pending": pending, "today": today, "now": timezone.now()}
    return render(request, "testing/lists.html", context)
