"""Writes to treatment plans: drafts, the tree, signatures, reviews and revisions."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from notifications.services import tasks_close_for
from patients.models import Episode

from ..constants import PatientAgreement, PlanReviewOutcome
from ..models import Goal, Intervention, Objective, PlanReview, Problem, ProgramDocumentationPolicy, TreatmentPlan
from .common import check_cosigner, save_valid


def _require_draft(plan: TreatmentPlan) -> None:
    if plan.is_signed:
        raise ValidationError("This plan version is signed and can no longer change; revise it to make a new version.")


def _require_current(plan: TreatmentPlan) -> None:
    newest = plan.episode.treatment_plans.valid().aggregate(newest=Max("version"))["newest"]
    if plan.version != newest:
        raise ValidationError("A newer version of this plan exists; work on that one.")


def plan_requires_cosign(*, plan: TreatmentPlan, signer) -> bool:
    """The program's policy, or a signer in training, calls for a supervisor's co-signature."""
    policy = ProgramDocumentationPolicy.objects.filter(program_id=plan.episode.program_id).first()
    return bool(signer.in_training or (policy and policy.plans_require_supervisor_cosign))


def review_due_after(*, plan: TreatmentPlan, day: dt.date) -> dt.date:
    return day + dt.timedelta(days=plan.episode.program.plan_review_days)


@transaction.atomic
def plan_create(*, episode: Episode, created_by) -> TreatmentPlan:
    """Start the first version of an episode's plan."""
    if not episode.is_active:
        raise ValidationError("Plans are written for an active episode of care.")
    if episode.treatment_plans.valid().exists():
        raise ValidationError("This episode already has a treatment plan; revise it instead.")
    plan = TreatmentPlan(episode=episode, patient=episode.patient, version=1, created_by=created_by)
    return save_valid(plan)


@transaction.atomic
def plan_problem_add(*, plan: TreatmentPlan, statement: str, asam_dimensions: list[int]) -> Problem:
    _require_draft(plan)
    position = plan.problems.count() + 1
    return save_valid(
        Problem(plan=plan, statement=statement.strip(), asam_dimensions=sorted(set(asam_dimensions)), position=position)
    )


@transaction.atomic
def plan_goal_add(*, problem: Problem, statement: str) -> Goal:
    _require_draft(problem.plan)
    return save_valid(Goal(problem=problem, statement=statement.strip(), position=problem.goals.count() + 1))


@transaction.atomic
def plan_objective_add(*, goal: Goal, statement: str, target_on: dt.date) -> Objective:
    _require_draft(goal.problem.plan)
    if target_on < goal.problem.plan.episode.admitted_on:
        raise ValidationError({"target_on": "The target date cannot be before the admission."})
    objective = Objective(goal=goal, statement=statement.strip(), target_on=target_on)
    objective.position = goal.objectives.count() + 1
    return save_valid(objective)


@transaction.atomic
def plan_intervention_add(
    *, goal: Goal, modality: str, frequency_count: int, frequency_period: str, responsible, description: str = ""
) -> Intervention:
    _require_draft(goal.problem.plan)
    intervention = Intervention(
        goal=goal,
        modality=modality,
        frequency_count=frequency_count,
        frequency_period=frequency_period,
        responsible=responsible,
        description=description.strip(),
    )
    return save_valid(intervention)


@transaction.atomic
def plan_item_remove(*, item: Problem | Goal | Objective | Intervention) -> None:
    """Take an item (and what hangs under it) out of a draft; signed versions keep everything."""
    plan = {
        Problem: lambda: item.plan,
        Goal: lambda: item.problem.plan,
        Objective: lambda: item.goal.problem.plan,
        Intervention: lambda: item.goal.problem.plan,
    }[type(item)]()
    _require_draft(plan)
    item.delete()


def plan_gaps(plan: TreatmentPlan) -> list[str]:
    """What the plan still lacks before it can be signed (empty when complete)."""
    gaps = []
    problems = list(plan.problems.prefetch_related("goals__objectives", "goals__interventions"))
    if not problems:
        return ["Add at least one problem."]
    for problem in problems:
        goals = list(problem.goals.all())
        if not goals:
            gaps.append(f"Problem “{problem}” has no goal.")
        for goal in goals:
            if not goal.objectives.all():
                gaps.append(f"Goal “{goal}” has no measurable objective.")
            if not goal.interventions.all():
                gaps.append(f"Goal “{goal}” has no intervention.")
    return gaps


@transaction.atomic
def plan_sign(*, plan: TreatmentPlan, by, now: dt.datetime | None = None) -> TreatmentPlan:
    """The clinician signs: the version locks and its first review date is set."""
    plan = TreatmentPlan.objects.select_for_update().select_related("episode__program").get(pk=plan.pk)
    _require_draft(plan)
    gaps = plan_gaps(plan)
    if gaps:
        raise ValidationError("Not signed: " + " ".join(gaps))
    now = now or timezone.now()
    plan.signed_at = now
    plan.signed_by = by
    plan.cosign_required = plan_requires_cosign(plan=plan, signer=by)
    plan.review_due_on = review_due_after(plan=plan, day=timezone.localdate(now))
    save_valid(plan)
    # A signed version answers the tasks asking for one: the initial plan, a review after use.
    reason = f"Treatment plan version {plan.version} signed by {by.get_full_name() or by.username}"
    tasks_close_for(dedupe_key_prefix=f"finding:initial_plan_missing:episode:{plan.episode_id}:", reason=reason, by=by)
    tasks_close_for(dedupe_key_prefix=f"finding:return_to_use:patient:{plan.patient_id}:", reason=reason, by=by)
    return plan


@transaction.atomic
def plan_patient_agreement_record(
    *, plan: TreatmentPlan, agreement: str, agreed_on: dt.date, witness: str = "", recorded_by
) -> TreatmentPlan:
    """The patient's agreement: signed in person, or given verbally before a named witness."""
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_signed:
        raise ValidationError("The clinician signs the plan before the patient's agreement is recorded.")
    if plan.patient_agreement:
        raise ValidationError("The patient's agreement to this version is already recorded.")
    witness = witness.strip()
    if agreement == PatientAgreement.VERBAL and not witness:
        raise ValidationError({"witness": "Name the witness of the patient's verbal agreement."})
    if agreed_on < timezone.localdate(plan.signed_at):
        raise ValidationError({"agreed_on": "The patient agrees to a plan on or after the day it was signed."})
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": "The agreement date cannot be in the future."})
    plan.patient_agreement = agreement
    plan.patient_agreed_on = agreed_on
    plan.agreement_witness = witness if agreement == PatientAgreement.VERBAL else ""
    plan.agreement_recorded_by = recorded_by
    return save_valid(plan)


@transaction.atomic
def plan_cosign(*, plan: TreatmentPlan, by, now: dt.datetime | None = None) -> TreatmentPlan:
    plan = TreatmentPlan.objects.select_for_update(of=("self",)).select_related("signed_by").get(pk=plan.pk)
    if not plan.awaits_cosign:
        raise ValidationError("This plan version does not await a co-signature.")
    check_cosigner(signer=plan.signed_by, by=by)
    plan.cosigned_at = now or timezone.now()
    plan.cosigned_by = by
    return save_valid(plan)


@transaction.atomic
def plan_revise(*, plan: TreatmentPlan, by, reason: str) -> TreatmentPlan:
    """A new draft version copying the signed tree; the earlier version stays as it was signed."""
    plan = TreatmentPlan.objects.select_for_update().select_related("episode").get(pk=plan.pk)
    if not plan.is_signed:
        raise ValidationError("Finish and sign this draft; only signed versions are revised.")
    _require_current(plan)
    if not plan.episode.is_active:
        raise ValidationError("The episode is closed; its plan is no longer revised.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the plan is being revised."})
    revision = save_valid(
        TreatmentPlan(
            episode=plan.episode,
            patient_id=plan.patient_id,
            version=plan.version + 1,
            revised_from=plan,
            revision_reason=reason.strip(),
            created_by=by,
        )
    )
    for problem in plan.problems.prefetch_related("goals__objectives", "goals__interventions"):
        new_problem = Problem.objects.create(
            plan=revision,
            position=problem.position,
            statement=problem.statement,
            asam_dimensions=problem.asam_dimensions,
        )
        for goal in problem.goals.all():
            new_goal = Goal.objects.create(
                problem=new_problem, position=goal.position, statement=goal.statement, copied_from=goal
            )
            Objective.objects.bulk_create(
                Objective(
                    goal=new_goal,
                    position=objective.position,
                    statement=objective.statement,
                    target_on=objective.target_on,
                    achieved_on=objective.achieved_on,
                )
                for objective in goal.objectives.all()
            )
            Intervention.objects.bulk_create(
                Intervention(
                    goal=new_goal,
                    modality=intervention.modality,
                    description=intervention.description,
                    frequency_count=intervention.frequency_count,
                    frequency_period=intervention.frequency_period,
                    responsible_id=intervention.responsible_id,
                )
                for intervention in goal.interventions.all()
            )
    return revision


@transaction.atomic
def plan_review_record(
    *, plan: TreatmentPlan, reviewed_by, reviewed_on: dt.date, progress_summary: str, outcome: str
) -> PlanReview:
    """Record a review; the next one falls a cadence after it. "Revise" also opens a new draft version."""
    plan = TreatmentPlan.objects.select_for_update().select_related("episode__program").get(pk=plan.pk)
    if not plan.is_signed:
        raise ValidationError("Only a signed plan is reviewed.")
    _require_current(plan)
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": "The review date cannot be in the future."})
    if reviewed_on < timezone.localdate(plan.signed_at):
        raise ValidationError({"reviewed_on": "A review cannot come before the plan was signed."})
    review = save_valid(
        PlanReview(
            plan=plan,
            reviewed_on=reviewed_on,
            reviewed_by=reviewed_by,
            progress_summary=progress_summary.strip(),
            outcome=outcome,
        )
    )
    plan.review_due_on = review_due_after(plan=plan, day=reviewed_on)
    plan.save(update_fields=["review_due_on", "updated_at"])
    if outcome == PlanReviewOutcome.REVISE:
        plan_revise(plan=plan, by=reviewed_by, reason=f"Review of {reviewed_on:%Y-%m-%d}: {progress_summary.strip()}")
    return review


def plan_reopen_after_return_to_use(*, patient, episode, finding_key: str, detail: str, at) -> TreatmentPlan | None:
    """A return to use opens a new draft version of the signed plan, for the clinician to review and sign.

    Registered with patients' finding follow-up (clinical/apps.py). Nothing to open when the
    patient has no signed plan yet (the initial-plan rule covers that) or a draft is already open.
    """
    if episode is None:
        return None
    newest = episode.treatment_plans.valid().order_by("-version").first()
    if newest is None or not newest.is_signed:
        return None
    return plan_revise(plan=newest, by=episode.primary_clinician, reason=f"Return to use: {detail}.")
