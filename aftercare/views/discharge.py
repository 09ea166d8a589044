"""Discharge on the chart: the form pre-filled from the episode, the summary, its signature, and the aftercare plan."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from iop.forms import add_service_errors
from iop.hooks import follow_on_url
from patients.constants import EpisodeStatus
from patients.selectors import patient_for_view, unacknowledged_safety_alerts

from ..constants import CRISIS_LINES, HANDED_ON_TYPES
from ..forms import AftercarePlanForm, DischargeEditForm, DischargeForm
from ..models import Discharge
from ..selectors.checkins import consented_to_checkin_messages
from ..selectors.findings import discharge_open_findings
from ..selectors.summary import discharge_summary_facts, discharge_summary_text
from ..services import discharge as discharge_services
from ..services.aftercare_plans import aftercare_plan_save
from .common import chart_context, require_permission


def _discharge_of(patient, discharge_pk) -> Discharge:
    return get_object_or_404(
        Discharge.objects.valid().select_related(
            "episode__program", "episode__primary_clinician", "recorded_by", "signed_by", "completion_override_by"
        ),
        pk=discharge_pk,
        patient=patient,
    )


def episode_discharge(request, pk, episode_pk):
    """Discharge form: type, reason and a summary pre-filled from the ledger, tests and instrument scores."""
    require_permission(request, "aftercare.add_discharge")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="discharge episode")
    episode = get_object_or_404(
        patient.episodes.valid().select_related("program", "intake"), pk=episode_pk, status=EpisodeStatus.ACTIVE
    )
    today = timezone.localdate()
    facts = discharge_summary_facts(episode, today)
    form = DischargeForm(
        request.POST or None,
        initial={"summary": discharge_summary_text(facts)},
        may_override_completion=request.user.has_perm(discharge_services.OVERRIDE_PERMISSION),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            discharge = discharge_services.episode_discharge(
                episode=episode,
                discharged_on=data["discharged_on"],
                discharge_type=data["discharge_type"],
                reason=data["reason"],
                summary=data["summary"],
                next_level_of_care=data["next_level_of_care"],
                referred_to=data["referred_to"],
                sign=data["sign"],
                completion_override_reason=data.get("completion_override_reason", ""),
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Patient discharged. Future sessions and reminders were cancelled.")
            # An app above may ask its discharge questions first (outcomes: the measures at discharge).
            plan = reverse("aftercare:aftercare_edit", args=[patient.pk, discharge.pk])
            return redirect(follow_on_url("aftercare.discharged", discharge, then=plan) or plan)
    context = chart_context(
        patient,
        form=form,
        episode=episode,
        facts=facts,
        safety_alerts=list(unacknowledged_safety_alerts(patient)),
        findings=discharge_open_findings(patient),
    )
    return render(request, "aftercare/form.html", context)


def discharge_detail(request, pk, discharge_pk):
    """The discharge summary, the aftercare plan and the alumni check-ins of one discharge."""
    require_permission(request, "aftercare.view_discharge")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="discharge summary")
    discharge = _discharge_of(patient, discharge_pk)
    plan = getattr(discharge, "aftercare_plan", None)
    checkins = discharge.checkins.valid().select_related("completed_by", "referral")
    context = chart_context(
        patient,
        discharge=discharge,
        plan=plan,
        checkins=checkins,
        today=timezone.localdate(),
        gets_checkin_messages=consented_to_checkin_messages(patient),
    )
    return render(request, "aftercare/detail.html", context)


def discharge_edit(request, pk, discharge_pk):
    """Edit the summary and reason until the clinician signs."""
    require_permission(request, "aftercare.change_discharge")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="edit discharge summary")
    discharge = _discharge_of(patient, discharge_pk)
    if discharge.is_signed:
        messages.error(request, "The discharge summary is signed and locked.")
        return redirect("aftercare:discharge_detail", pk=patient.pk, discharge_pk=discharge.pk)
    initial = {"reason": discharge.reason, "summary": discharge.summary, "referred_to": discharge.referred_to}
    form = DischargeEditForm(request.POST or None, initial=initial)
    if discharge.discharge_type not in HANDED_ON_TYPES:
        del form.fields["referred_to"]
    if request.method == "POST" and form.is_valid():
        try:
            discharge_services.discharge_update(
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
            return redirect("aftercare:discharge_detail", pk=patient.pk, discharge_pk=discharge.pk)
    return render(request, "aftercare/edit.html", chart_context(patient, form=form, discharge=discharge))


@require_POST
def discharge_sign(request, pk, discharge_pk):
    require_permission(request, "aftercare.change_discharge")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="sign discharge summary")
    discharge = _discharge_of(patient, discharge_pk)
    try:
        discharge_services.discharge_sign(discharge=discharge, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Discharge summary signed.")
    return redirect("aftercare:discharge_detail", pk=patient.pk, discharge_pk=discharge.pk)


def aftercare_edit(request, pk, discharge_pk):
    """Write or update the aftercare plan."""
    require_permission(request, "aftercare.change_aftercareplan")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="edit aftercare plan")
    discharge = _discharge_of(patient, discharge_pk)
    plan = getattr(discharge, "aftercare_plan", None)
    form = AftercarePlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            aftercare_plan_save(discharge=discharge, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Aftercare plan saved.")
            return redirect("aftercare:discharge_detail", pk=patient.pk, discharge_pk=discharge.pk)
    context = chart_context(patient, form=form, discharge=discharge, crisis_lines=CRISIS_LINES)
    return render(request, "aftercare/aftercare_form.html", context)


def aftercare_print(request, pk, discharge_pk):
    """The patient's copy of the plan: no internal notes, the crisis lines always printed."""
    require_permission(request, "aftercare.view_aftercareplan")
    patient = patient_for_view(request, pk, category=DataCategory.EPISODES, action="print aftercare plan")
    discharge = _discharge_of(patient, discharge_pk)
    plan = getattr(discharge, "aftercare_plan", None)
    if plan is None or plan.is_entered_in_error:
        messages.error(request, "Write the aftercare plan before printing it.")
        return redirect("aftercare:aftercare_edit", pk=patient.pk, discharge_pk=discharge.pk)
    context = {
        "patient": patient,
        "discharge": discharge,
        "plan": plan,
        "crisis_lines": CRISIS_LINES,
        # The neutral name reminders carry: a printed plan may be seen by others at home.
        "clinic_name": settings.CLINIC_NEUTRAL_NAME,
        "clinic_phone": settings.CLINIC_CALLBACK_PHONE,
        "clinician": discharge.episode.primary_clinician,
    }
    return render(request, "aftercare/aftercare_print.html", context)
