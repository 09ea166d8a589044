"""Clinical factories: plans with their tree, and helpers that sign through the services."""

import datetime as dt

import factory
from django.utils import timezone

from clinical.constants import FrequencyPeriod, InterventionModality
from clinical.models import Goal, Intervention, Objective, Problem, TreatmentPlan
from patients.constants import AsamDimension
from patients.tests.factories import EpisodeFactory


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentPlan

    episode = factory.SubFactory(EpisodeFactory)
    patient = factory.SelfAttribute("episode.patient")
    version = 1
    created_by = factory.SelfAttribute("episode.primary_clinician")


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    plan = factory.SubFactory(TreatmentPlanFactory)
    position = 1
    statement = "Drinks daily to intoxication; two missed work shifts last month."
    asam_dimensions = factory.LazyFunction(lambda: [AsamDimension.RELAPSE.value, AsamDimension.ENVIRONMENT.value])


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    problem = factory.SubFactory(ProblemFactory)
    position = 1
    statement = factory.Sequence(lambda n: f"“I want to stay sober and keep my job.” ({n})")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    goal = factory.SubFactory(GoalFactory)
    statement = "Four consecutive negative weekly breath and urine tests."
    target_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    goal = factory.SubFactory(GoalFactory)
    modality = InterventionModality.INDIVIDUAL
    frequency_count = 1
    frequency_period = FrequencyPeriod.WEEK
    responsible = factory.SelfAttribute("goal.problem.plan.episode.primary_clinician")
    description = "Motivational interviewing and relapse-prevention planning."


def complete_plan(episode=None, **plan_fields) -> TreatmentPlan:
    """A draft plan with one problem, goal, objective and weekly individual therapy: ready to sign."""
    plan = TreatmentPlanFactory(**({"episode": episode} if episode else {}), **plan_fields)
    goal = GoalFactory(problem=ProblemFactory(plan=plan))
    ObjectiveFactory(goal=goal)
    InterventionFactory(goal=goal)
    return plan


def signed_plan(episode=None, *, by=None, signed_days_ago: int = 0) -> TreatmentPlan:
    """A complete plan signed through the service, optionally back-dated."""
    from clinical.services import plan_sign

    plan = complete_plan(episode)
    now = timezone.now() - dt.timedelta(days=signed_days_ago)
    return plan_sign(plan=plan, by=by or plan.episode.primary_clinician, now=now)


def plan_goal(plan: TreatmentPlan) -> Goal:
    return Goal.objects.filter(problem__plan=plan).first()
