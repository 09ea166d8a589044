"""Discharge, aftercare plan (and its printout) and alumni check-ins: every page through patient_for_view."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from audit.services import access_log_record
from iop.forms import add_service_errors

from .. import discharge as services
from .. import selectors
from ..access import patient_for_view
from ..constants import EpisodeStatus
from ..discharge_constants import CRISIS_LINES, HANDED_ON_TYPES
from ..forms_discharge import AftercarePlanForm, CheckinOutcomeForm, DischargeEditForm, DischargeForm
from ..models import AlumniCheckIn, Discharge


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _chart_context(patient, **extra) -> dict:
    return {"header": selectors.chart_header(patient), "patient": patient, "section": "overview", **extra}


def _discharge_of(patient, discharge_pk) -> Discharge:
    return get_object_or_404(
        Discharge.objects.valid().select_related("episode__program", "recorded_by", "signed_by"),
        pk=discharge_pk,
        patient=patient,
    )


def episode_discharge(request, pk, episode_pk):
    """Discharge form: type, reason and a summary pre-filled from the ledger, tests and instrument scores."""
    _require(request, "patients.add_discharge")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="discharge episode")
    episode = get_object_or_404(
        patient.episodes.valid().select_related("program", "intake"), pk=episode_pk, status=EpisodeStatus.ACTIVE
    )
    today = timezone.localdate()
    facts = services.discharge_summary_facts(episode, today)
    form = DischargeForm(request.POST or None, initial={"summary": services.discharge_summary_text(facts)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            discharge = services.episode_discharge(
                episode=episode,
                discharged_on=data["discharged_on"],
                discharge_type=data["discharge_type"],
                reason=data["reason"],
                summary=data["summary"],
                next_level_of_care=data["next_level_of_care"],
                referred_to=data["referred_to"],
                sign=data["sign"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Patient discharged. Future sessions and reminders were cancelled.")
            return redirect("patients:aftercare_edit", pk=patient.pk, discharge_pk=discharge.pk)
    context = _chart_context(patient, form=form, episode=episode, facts=facts)
    return render(request, "patients/discharge/form.html", context)


def discharge_detail(request, pk, discharge_pk):
    """The discharge summary, the aftercare plan and the alumni check-ins of one discharge."""
    _require(request, "patients.view_discharge")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="discharge summary")
    discharge = _discharge_of(patient, discharge_pk)
    plan = getattr(discharge, "aftercare_plan", None)
    checkins = discharge.checkins.valid().select_related("completed_by", "referral")
    context = _chart_context(
        patient,
        discharge=discharge,
        plan=plan,
        checkins=checkins,
        today=timezone.localdate(),
        gets_checkin_messages=services.consented_to_checkin_messages(patient),
    )
    return render(request, "patients/discharge/detail.html", context)


def discharge_edit(request, pk, discharge_pk):
    """Edit the summary and reason until the clinician signs."""
    _require(request, "patients.change_discharge")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="edit discharge summary")
    discharge = _discharge_of(patient, discharge_pk)
    if discharge.is_signed:
        messages.error(request, "The discharge summary is signed and locked.")
        return redirect("patients:discharge_detail", pk=patient.pk, discharge_pk=discharge.pk)
    initial = {"reason": discharge.reason, "summary": discharge.summary, "referred_to": discharge.referred_to}
    form = DischargeEditForm(request.POST or None, initial=initial)
    if discharge.discharge_type not in HANDED_ON_TYPES:
        del form.fields["referred_to"]
    if request.method == "POST" and form.is_valid():
        try:
            services.discharge_update(
                discharge=discharge,
                by=request.user,
                summary=form.cleaned_data["summary"],
                reason=form.cleaned_data["reason"],
                referred_to=form.cleaned_data.get("referred_to", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Discharge summary saved.")
            return redirect("patients:discharge_detail", pk=patient.pk, discharge_pk=discharge.pk)
    return render(request, "patients/discharge/edit.html", _chart_context(patient, form=form, discharge=discharge))


@require_POST
def discharge_sign(request, pk, discharge_pk):
    _require(request, "patients.change_discharge")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="sign discharge summary")
    discharge = _discharge_of(patient, discharge_pk)
    try:
        services.discharge_sign(discharge=discharge, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Discharge summary signed.")
    return redirect("patients:discharge_detail", pk=patient.pk, discharge_pk=discharge.pk)


def aftercare_edit(request, pk, discharge_pk):
    """Write or update the aftercare plan."""
    _require(request, "patients.change_aftercareplan")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="edit aftercare plan")
    discharge = _discharge_of(patient, discharge_pk)
    plan = getattr(discharge, "aftercare_plan", None)
    form = AftercarePlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.aftercare_plan_save(discharge=discharge, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Aftercare plan saved.")
            return redirect("patients:discharge_detail", pk=patient.pk, discharge_pk=discharge.pk)
    context = _chart_context(patient, form=form, discharge=discharge, crisis_lines=CRISIS_LINES)
    return render(request, "patients/discharge/aftercare_form.html", context)


def aftercare_print(request, pk, discharge_pk):
    """The patient's copy of the plan: no internal notes, the crisis lines always printed."""
    _require(request, "patients.view_aftercareplan")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="print aftercare plan")
    discharge = _discharge_of(patient, discharge_pk)
    plan = getattr(discharge, "aftercare_plan", None)
    if plan is None or plan.is_entered_in_error:
        messages.error(request, "Write the aftercare plan before printing it.")
        return redirect("patients:aftercare_edit", pk=patient.pk, discharge_pk=discharge.pk)
    context = {"patient": patient, "discharge": discharge, "plan": plan, "crisis_lines": CRISIS_LINES}
    return render(request, "patients/discharge/aftercare_print.html", context)


def checkin_record(request, pk, checkin_pk):
    """Record the outcome of one alumni check-in."""
    _require(request, "patients.change_alumnicheckin")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="record alumni check-in")
    checkin = get_object_or_404(
        AlumniCheckIn.objects.valid().select_related("discharge__episode__program"), pk=checkin_pk, patient=patient
    )
    if checkin.is_completed:
        messages.info(request, "This check-in is already recorded.")
        return redirect("patients:discharge_detail", pk=patient.pk, discharge_pk=checkin.discharge_id)
    form = CheckinOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checkin = services.alumni_checkin_record(checkin=checkin, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if checkin.referral_id:
                messages.success(request, "Check-in recorded; a referral was opened in intake for re-admission.")
            else:
                messages.success(request, "Check-in recorded.")
            if request.POST.get("next") == "list":
                return redirect("patients:checkins_due")
            return redirect("patients:discharge_detail", pk=patient.pk, discharge_pk=checkin.discharge_id)
    context = _chart_context(patient, form=form, checkin=checkin, next=request.GET.get("next", ""))
    return render(request, "patients/discharge/checkin_form.html", context)


def checkins_due(request):
    """Alumni check-ins overdue, due today and coming up this week, for the clinician (or everyone they see)."""
    _require(request, "patients.view_alumnicheckin")
    mine_only = request.GET.get("all") != "1"
    checkins = services.checkins_open_for(request.user, mine_only=mine_only)
    count = len(checkins.overdue) + len(checkins.due_today) + len(checkins.upcoming)
    # One row for the page: it lists many patients (as the registry search does).
    access_log_record(
        request=request, category=DataCategory.EPISODES, action="alumni check-ins due", detail=f"{count} listed"
    )
    context = {"checkins": checkins, "mine_only": mine_only, "today": timezone.localdate(), "count": count}
    return render(request, "patients/discharge/checkins_due.html", context)
