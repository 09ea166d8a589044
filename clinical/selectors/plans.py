"""Reads for treatment plans: the current version, review due dates, interventions held against the schedule."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from patients.constants import EpisodeStatus
from patients.selectors import patients_visible_to
from programs.models import Program
from scheduling.constants import ATTENDED_STATUSES
from scheduling.models import Attendance

from ..constants import INTERVENTION_LOOKBACK_DAYS, MODALITY_SESSION_KINDS, REVIEW_DUE_SOON_DAYS, ReviewStatus
from ..models import Goal, Intervention, Objective, Problem, TreatmentPlan


def newest_signed_version() -> Exists:
    """No later signed version of the same episode: the plan in force."""
    return ~Exists(
        TreatmentPlan.objects.valid().filter(
            episode_id=OuterRef("episode_id"), version__gt=OuterRef("version"), signed_at__isnull=False
        )
    )


def plans_in_force() -> QuerySet[TreatmentPlan]:
    """Each episode's newest signed version."""
    return TreatmentPlan.objects.valid().filter(signed_at__isnull=False).filter(newest_signed_version())


def current_plan(episode) -> TreatmentPlan | None:
    """The plan in force (newest signed version), or the first draft before anything was signed."""
    plans = episode.treatment_plans.valid()
    return plans.filter(signed_at__isnull=False).order_by("-version").first() or plans.order_by("version").first()


def plan_versions(episode) -> QuerySet[TreatmentPlan]:
    return episode.treatment_plans.valid().select_related("signed_by", "cosigned_by").order_by("-version")


def plan_tree(plan: TreatmentPlan) -> list[Problem]:
    """The plan's problems with goals, objectives and interventions, in a fixed number of queries."""
    goals = Goal.objects.order_by("position", "pk").prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.order_by("position", "pk")),
        Prefetch("interventions", queryset=Intervention.objects.select_related("responsible").order_by("pk")),
    )
    return list(plan.problems.order_by("position", "pk").prefetch_related(Prefetch("goals", queryset=goals)))


def current_plan_goals(episode_ids) -> dict[int, list[Goal]]:
    """Goals of each episode's current plan (signed version in force, else its first draft), in one query."""
    episode_ids = list(set(episode_ids))
    signed = plans_in_force().filter(episode_id__in=episode_ids).values_list("episode_id", "pk")
    plan_by_episode = dict(signed)
    first_drafts = (
        TreatmentPlan.objects.valid()
        .filter(episode_id__in=[e for e in episode_ids if e not in plan_by_episode], version=1)
        .values_list("episode_id", "pk")
    )
    plan_by_episode.update(first_drafts)
    goals: dict[int, list[Goal]] = {episode_id: [] for episode_id in episode_ids}
    episode_by_plan = {plan_pk: episode_id for episode_id, plan_pk in plan_by_episode.items()}
    rows = (
        Goal.objects.filter(problem__plan_id__in=episode_by_plan)
        .select_related("problem")
        .order_by("problem__position", "position", "pk")
    )
    for goal in rows:
        goals[episode_by_plan[goal.problem.plan_id]].append(goal)
    return goals


def review_status(plan: TreatmentPlan, on: dt.date | None = None) -> ReviewStatus | None:
    """Overdue the day after the review date; due from REVIEW_DUE_SOON_DAYS before it; None for drafts."""
    if plan.review_due_on is None:
        return None
    on = on or timezone.localdate()
    if on > plan.review_due_on:
        return ReviewStatus.OVERDUE
    if on >= plan.review_due_on - dt.timedelta(days=REVIEW_DUE_SOON_DAYS):
        return ReviewStatus.DUE
    return ReviewStatus.CURRENT


@dataclass(frozen=True)
class ReviewDue:
    plan: TreatmentPlan
    status: ReviewStatus

    @property
    def days_overdue(self) -> int:
        return max(0, (timezone.localdate() - self.plan.review_due_on).days)


def plans_due_for_review(user_or_program, *, on: dt.date | None = None) -> list[ReviewDue]:
    """Plans in force of active episodes with a review due or overdue on ``on``, for a program or a user's patients."""
    on = on or timezone.localdate()
    plans = (
        plans_in_force()
        .filter(
            episode__status=EpisodeStatus.ACTIVE,
            review_due_on__lte=on + dt.timedelta(days=REVIEW_DUE_SOON_DAYS),
        )
        .select_related("patient", "episode__program", "episode__primary_clinician")
        .order_by("review_due_on", "pk")
    )
    if isinstance(user_or_program, Program):
        plans = plans.filter(episode__program=user_or_program)
    else:
        plans = plans.filter(patient__in=patients_visible_to(user_or_program))
    return [ReviewDue(plan=plan, status=review_status(plan, on)) for plan in plans]


@dataclass(frozen=True)
class InterventionFlag:
    intervention: Intervention
    last_held_on: dt.date | None


def intervention_schedule_flags(plan: TreatmentPlan, *, on: dt.date | None = None) -> list[InterventionFlag]:
    """Interventions planned at least weekly with no held session of their kind in the last 14 days.

    "Held" means the patient's attendance was present, late or left early. Checked only once
    the plan has been in force for the whole look-back window, so a new plan is not flagged
    for sessions that could not have happened yet.
    """
    on = on or timezone.localdate()
    window_start = on - dt.timedelta(days=INTERVENTION_LOOKBACK_DAYS)
    if not plan.is_signed or timezone.localdate(plan.signed_at) > window_start:
        return []
    interventions = [
        intervention
        for intervention in Intervention.objects.filter(goal__problem__plan=plan).select_related("goal", "responsible")
        if intervention.is_at_least_weekly and intervention.modality in MODALITY_SESSION_KINDS
    ]
    if not interventions:
        return []
    last_held = dict(
        Attendance.objects.valid()
        .filter(patient_id=plan.patient_id, status__in=ATTENDED_STATUSES, session__day__lte=on)
        .values("session__kind")
        .annotate(last=Max("session__day"))
        .values_list("session__kind", "last")
    )
    flags = []
    for intervention in interventions:
        held = [last_held[kind] for kind in MODALITY_SESSION_KINDS[intervention.modality] if kind in last_held]
        last = max(held) if held else None
        if last is None or last <= window_start:
            flags.append(InterventionFlag(intervention=intervention, last_held_on=last))
    return flags
