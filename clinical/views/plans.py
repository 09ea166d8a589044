"""The chart's Treatment plan tab: build a draft, sign, record agreement, co-sign, review and revise."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.constants import DataCategory
from iop.forms import add_service_errors
from iop.params import id_param
from patients.constants import EpisodeStatus
from patients.selectors import patient_for_view

from .. import selectors, services
from ..forms import PLAN_ITEM_FORMS, PatientAgreementForm, PlanReviewForm, ReasonForm
from ..models import Goal, Intervention, Objective, Problem
from ..services.common import check_cosigner
from .common import chart_context, plan_for_view

ITEM_TITLES = {
    "problem": "Add a problem",
    "goal": "Add a goal",
    "objective": "Add a measurable objective",
    "intervention": "Add an intervention",
}


def _plan_page(request, patient, plan, *, episode):
    versions = list(selectors.plan_versions(episode)) if episode else []
    context = chart_context(
        patient,
        "treatment_plan",
        plan=plan,
        episode=episode,
        versions=versions,
        tree=selectors.plan_tree(plan) if plan else [],
        gaps=services.plan_gaps(plan) if plan and not plan.is_signed else [],
        review_status=selectors.review_status(plan) if plan else None,
        schedule_flags=selectors.intervention_schedule_flags(plan) if plan else [],
        reviews=plan.reviews.select_related("reviewed_by") if plan else [],
        is_newest=bool(plan and versions and versions[0].pk == plan.pk),
        can_cosign=bool(plan and plan.awaits_cosign and _may_cosign(request.user, plan.signed_by)),
    )
    return render(request, "clinical/plans/plan.html", context)


def _may_cosign(user, signer) -> bool:
    try:
        check_cosigner(signer=signer, by=user)
    except ValidationError:
        return False
    return True


@permission_required("clinical.view_treatmentplan", raise_exception=True)
def chart_plan(request, pk):
    """The plan in force for the active episode (or its first draft), with versions, reviews and schedule flags."""
    patient = patient_for_view(request, pk, category=DataCategory.TREATMENT_PLAN, action="chart treatment plan")
    episode = (
        patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).select_related("program").first()
        or patient.episodes.valid().select_related("program").order_by("-admitted_on").first()
    )
    plan = selectors.current_plan(episode) if episode else None
    return _plan_page(request, patient, plan, episode=episode)


@permission_required("clinical.view_treatmentplan", raise_exception=True)
def plan_version(request, pk, plan_pk):
    """Any version, earlier ones included, read as it was signed."""
    patient, plan = plan_for_view(request, pk, plan_pk, action="read plan version")
    return _plan_page(request, patient, plan, episode=plan.episode)


@require_POST
@permission_required("clinical.add_treatmentplan", raise_exception=True)
def plan_start(request, pk):
    patient = patient_for_view(request, pk, category=DataCategory.TREATMENT_PLAN, action="start plan")
    episode = patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).first()
    if episode is None:
        messages.error(request, "The patient has no active episode of care to plan for.")
        return redirect("clinical:chart_plan", pk=patient.pk)
    try:
        plan = services.plan_create(episode=episode, created_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("clinical:chart_plan", pk=patient.pk)
    messages.success(request, "Plan draft started: add problems, goals, objectives and interventions.")
    return redirect("clinical:plan_version", pk=patient.pk, plan_pk=plan.pk)


def _parent(plan, kind: str, parent_pk: int | None):
    if kind == "problem":
        return plan
    model = Problem if kind == "goal" else Goal
    lookup = {"plan": plan} if model is Problem else {"problem__plan": plan}
    return get_object_or_404(model, pk=parent_pk, **lookup)


@permission_required("clinical.change_treatmentplan", raise_exception=True)
def plan_item_add(request, pk, plan_pk, kind):
    form_class = PLAN_ITEM_FORMS.get(kind)
    if form_class is None:
        raise Http404
    patient, plan = plan_for_view(request, pk, plan_pk, action=f"add plan {kind}")
    parent = _parent(plan, kind, id_param(request.GET, "parent") or id_param(request.POST, "parent"))
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "problem":
                services.plan_problem_add(plan=plan, **data)
            elif kind == "goal":
                services.plan_goal_add(problem=parent, **data)
            elif kind == "objective":
                services.plan_objective_add(goal=parent, **data)
            else:
                services.plan_intervention_add(goal=parent, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{kind.capitalize()} added.")
            return redirect("clinical:plan_version", pk=patient.pk, plan_pk=plan.pk)
    context = chart_context(
        patient,
        "treatment_plan",
        form=form,
        plan=plan,
        parent=parent,
        title=ITEM_TITLES[kind],
        parent_pk=getattr(parent, "pk", ""),
    )
    return render(request, "clinical/form.html", context)


ITEM_MODELS = {
    "problem": (Problem, "plan"),
    "goal": (Goal, "problem__plan"),
    "objective": (Objective, "goal__problem__plan"),
    "intervention": (Intervention, "goal__problem__plan"),
}


@require_POST
@permission_required("clinical.change_treatmentplan", raise_exception=True)
def plan_item_remove(request, pk, plan_pk, kind, item_pk):
    if kind not in ITEM_MODELS:
        raise Http404
    patient, plan = plan_for_view(request, pk, plan_pk, action=f"remove plan {kind}")
    model, plan_path = ITEM_MODELS[kind]
    item = get_object_or_404(model, pk=item_pk, **{plan_path: plan})
    try:
        services.plan_item_remove(item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{kind.capitalize()} removed from the draft.")
    return redirect("clinical:plan_version", pk=patient.pk, plan_pk=plan.pk)


@require_POST
@permission_required("clinical.change_treatmentplan", raise_exception=True)
def plan_sign(request, pk, plan_pk):
    patient, plan = plan_for_view(request, pk, plan_pk, action="sign plan")
    try:
        plan = services.plan_sign(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        note = " A supervisor's co-signature is required." if plan.cosign_required else ""
        messages.success(
            request, f"Plan version {plan.version} signed and locked; review due {plan.review_due_on:%b %-d, %Y}.{note}"
        )
    return redirect("clinical:plan_version", pk=patient.pk, plan_pk=plan.pk)


@require_POST
@permission_required("clinical.change_treatmentplan", raise_exception=True)
def plan_cosign(request, pk, plan_pk):
    patient, plan = plan_for_view(request, pk, plan_pk, action="co-sign plan")
    try:
        services.plan_cosign(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Plan version {plan.version} co-signed.")
    return redirect("clinical:plan_version", pk=patient.pk, plan_pk=plan.pk)


def _plan_form_page(request, patient, plan, form, title: str):
    return render(
        request, "clinical/form.html", chart_context(patient, "treatment_plan", form=form, plan=plan, title=title)
    )


@permission_required("clinical.change_treatmentplan", raise_exception=True)
def plan_agreement(request, pk, plan_pk):
    patient, plan = plan_for_view(request, pk, plan_pk, action="record plan agreement")
    form = PatientAgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_patient_agreement_record(plan=plan, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The patient's agreement is recorded.")
            return redirect("clinical:plan_version", pk=patient.pk, plan_pk=plan.pk)
    return _plan_form_page(request, patient, plan, form, f"Patient's agreement to plan version {plan.version}")


@permission_required("clinical.add_treatmentplan", raise_exception=True)
def plan_revise(request, pk, plan_pk):
    patient, plan = plan_for_view(request, pk, plan_pk, action="revise plan")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.plan_revise(plan=plan, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Version {revision.version} started from version {plan.version}; edit and sign it."
            )
            return redirect("clinical:plan_version", pk=patient.pk, plan_pk=revision.pk)
    return _plan_form_page(request, patient, plan, form, f"Revise plan version {plan.version}")


@permission_required("clinical.add_planreview", raise_exception=True)
def plan_review(request, pk, plan_pk):
    patient, plan = plan_for_view(request, pk, plan_pk, action="review plan")
    form = PlanReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_review_record(plan=plan, reviewed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review recorded.")
            return redirect("clinical:chart_plan", pk=patient.pk)
    return _plan_form_page(request, patient, plan, form, f"Review plan version {plan.version}")
