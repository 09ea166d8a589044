import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinical import selectors, services
from clinical.constants import FrequencyPeriod, InterventionModality, PatientAgreement, PlanReviewOutcome, ReviewStatus
from clinical.models import Goal, ProgramDocumentationPolicy, TreatmentPlan
from patients.tests.factories import EpisodeFactory
from scheduling.constants import AttendanceStatus, SessionKind
from scheduling.tests.factories import AttendanceFactory, SessionFactory, session_times

from .factories import (
    GoalFactory,
    InterventionFactory,
    ObjectiveFactory,
    ProblemFactory,
    TreatmentPlanFactory,
    complete_plan,
    plan_goal,
    signed_plan,
)

pytestmark = pytest.mark.django_db


class TestDraftAndSigning:
    def test_plan_is_built_through_the_services_and_signed(self, episode, counselor):
        plan = services.plan_create(episode=episode, created_by=counselor)
        problem = services.plan_problem_add(plan=plan, statement="Daily drinking", asam_dimensions=[5, 6])
        goal = services.plan_goal_add(problem=problem, statement="Stay sober")
        services.plan_objective_add(goal=goal, statement="4 negative tests", target_on=timezone.localdate())
        services.plan_intervention_add(
            goal=goal,
            modality=InterventionModality.INDIVIDUAL,
            frequency_count=1,
            frequency_period=FrequencyPeriod.WEEK,
            responsible=counselor,
        )
        plan = services.plan_sign(plan=plan, by=counselor)
        assert plan.is_signed and not plan.cosign_required
        assert plan.review_due_on == timezone.localdate() + dt.timedelta(days=30)

    def test_an_incomplete_plan_is_not_signed(self, episode, counselor):
        plan = TreatmentPlanFactory(episode=episode)
        goal = GoalFactory(problem=ProblemFactory(plan=plan))
        ObjectiveFactory(goal=goal)
        with pytest.raises(ValidationError, match="has no intervention"):
            services.plan_sign(plan=plan, by=counselor)

    def test_a_problem_needs_an_asam_dimension(self, episode, counselor):
        plan = TreatmentPlanFactory(episode=episode)
        with pytest.raises(ValidationError) as error:
            services.plan_problem_add(plan=plan, statement="Daily drinking", asam_dimensions=[])
        assert "asam_dimensions" in error.value.message_dict

    def test_a_signed_version_is_immutable(self, episode):
        plan = signed_plan(episode)
        with pytest.raises(ValidationError, match="signed"):
            services.plan_goal_add(problem=plan.problems.get(), statement="Another goal")
        with pytest.raises(ValidationError, match="signed"):
            services.plan_item_remove(item=plan_goal(plan))
        with pytest.raises(ValidationError, match="signed"):
            services.plan_sign(plan=plan, by=episode.primary_clinician)

    def test_verbal_agreement_needs_a_named_witness(self, episode, counselor):
        plan = signed_plan(episode)
        with pytest.raises(ValidationError) as error:
            services.plan_patient_agreement_record(
                plan=plan,
                agreement=PatientAgreement.VERBAL,
                agreed_on=timezone.localdate(),
                witness=" ",
                recorded_by=counselor,
            )
        assert "witness" in error.value.message_dict
        plan = services.plan_patient_agreement_record(
            plan=plan,
            agreement=PatientAgreement.VERBAL,
            agreed_on=timezone.localdate(),
            witness="R. Alvarez, RN",
            recorded_by=counselor,
        )
        assert plan.agreement_witness == "R. Alvarez, RN"

    def test_agreement_needs_a_signed_plan(self, episode, counselor):
        plan = complete_plan(episode)
        with pytest.raises(ValidationError, match="signs the plan before"):
            services.plan_patient_agreement_record(
                plan=plan, agreement=PatientAgreement.SIGNED, agreed_on=timezone.localdate(), recorded_by=counselor
            )


class TestCosignature:
    def test_program_policy_requires_a_supervisor_cosignature(self, episode, counselor, supervisor, other_counselor):
        ProgramDocumentationPolicy.objects.create(program=episode.program, plans_require_supervisor_cosign=True)
        plan = signed_plan(episode, by=counselor)
        assert plan.awaits_cosign
        with pytest.raises(ValidationError, match="supervisor"):
            services.plan_cosign(plan=plan, by=other_counselor)
        plan = services.plan_cosign(plan=plan, by=supervisor)
        assert plan.cosigned_by == supervisor and not plan.awaits_cosign

    def test_staff_in_training_need_a_cosignature(self, episode, trainee):
        assert signed_plan(episode, by=trainee).cosign_required

    def test_no_cosignature_by_default(self, episode, counselor):
        plan = signed_plan(episode, by=counselor)
        assert not plan.cosign_required
        with pytest.raises(ValidationError, match="does not await"):
            services.plan_cosign(plan=plan, by=counselor.supervisor)


class TestVersions:
    def test_revision_copies_the_tree_and_keeps_the_earlier_version(self, episode, counselor):
        first = signed_plan(episode)
        revision = services.plan_revise(plan=first, by=counselor, reason="Relapse; adding family sessions.")
        assert revision.version == 2 and revision.revised_from == first and not revision.is_signed
        new_goal = plan_goal(revision)
        assert new_goal.copied_from == plan_goal(first)
        assert new_goal.objectives.count() == 1 and new_goal.interventions.count() == 1
        services.plan_goal_add(problem=new_goal.problem, statement="Repair trust at home")
        assert Goal.objects.filter(problem__plan=first).count() == 1
        assert Goal.objects.filter(problem__plan=revision).count() == 2
        # The draft is what clinicians edit; the signed first version stays in force until the revision is signed.
        assert selectors.current_plan(episode) == first
        services.plan_intervention_add(
            goal=Goal.objects.get(problem__plan=revision, statement="Repair trust at home"),
            modality=InterventionModality.FAMILY,
            frequency_count=2,
            frequency_period=FrequencyPeriod.MONTH,
            responsible=counselor,
        )
        ObjectiveFactory(goal=Goal.objects.get(problem__plan=revision, statement="Repair trust at home"))
        services.plan_sign(plan=revision, by=counselor)
        assert selectors.current_plan(episode) == revision
        first.refresh_from_db()
        assert first.is_signed and first.version == 1

    def test_only_the_newest_signed_version_is_revised(self, episode, counselor):
        first = signed_plan(episode)
        services.plan_revise(plan=first, by=counselor, reason="New problem")
        with pytest.raises(ValidationError, match="newer version"):
            services.plan_revise(plan=first, by=counselor, reason="Again")

    def test_a_revision_needs_a_reason(self, episode, counselor):
        with pytest.raises(ValidationError) as error:
            services.plan_revise(plan=signed_plan(episode), by=counselor, reason="  ")
        assert "reason" in error.value.message_dict


class TestReviewDueDates:
    @pytest.mark.parametrize(
        ("days_until_due", "expected"),
        [
            (8, ReviewStatus.CURRENT),
            (7, ReviewStatus.DUE),
            (0, ReviewStatus.DUE),
            (-1, ReviewStatus.OVERDUE),
        ],
    )
    def test_review_status_boundaries(self, episode, days_until_due, expected):
        plan = signed_plan(episode)
        today = plan.review_due_on - dt.timedelta(days=days_until_due)
        assert selectors.review_status(plan, on=today) == expected

    def test_first_review_falls_the_programs_cadence_after_signing(self, episode):
        episode.program.plan_review_days = 14
        episode.program.save()
        plan = signed_plan(episode, signed_days_ago=3)
        assert plan.review_due_on == timezone.localdate() + dt.timedelta(days=11)

    def test_plans_due_for_review_by_program_and_by_user(self, episode, counselor, other_counselor, program):
        plan = signed_plan(episode)
        due = plan.review_due_on
        assert selectors.plans_due_for_review(program, on=due - dt.timedelta(days=8)) == []
        rows = selectors.plans_due_for_review(program, on=due)
        assert [(row.plan, row.status) for row in rows] == [(plan, ReviewStatus.DUE)]
        rows = selectors.plans_due_for_review(counselor, on=due + dt.timedelta(days=1))
        assert [(row.plan, row.status) for row in rows] == [(plan, ReviewStatus.OVERDUE)]
        assert selectors.plans_due_for_review(other_counselor, on=due + dt.timedelta(days=1)) == []

    def test_drafts_superseded_versions_and_discharged_episodes_are_not_due(self, episode, counselor, program):
        first = signed_plan(episode)
        complete_plan(EpisodeFactory(program=program))  # a draft: no review date yet
        discharged = EpisodeFactory(program=program, discharged=True)
        signed_plan(discharged)
        revision = services.plan_revise(plan=first, by=counselor, reason="Update")
        services.plan_sign(plan=revision, by=counselor)
        revision.refresh_from_db()
        far = timezone.localdate() + dt.timedelta(days=400)
        assert [row.plan for row in selectors.plans_due_for_review(program, on=far)] == [revision]

    def test_a_review_moves_the_next_date_on(self, episode, counselor):
        plan = signed_plan(episode, signed_days_ago=29)
        today = timezone.localdate()
        services.plan_review_record(
            plan=plan,
            reviewed_by=counselor,
            reviewed_on=today,
            progress_summary="Three negative tests.",
            outcome=PlanReviewOutcome.CONTINUE,
        )
        plan.refresh_from_db()
        assert plan.review_due_on == today + dt.timedelta(days=30)

    def test_a_review_that_revises_opens_a_new_version(self, episode, counselor):
        plan = signed_plan(episode)
        services.plan_review_record(
            plan=plan,
            reviewed_by=counselor,
            reviewed_on=timezone.localdate(),
            progress_summary="Relapsed twice.",
            outcome=PlanReviewOutcome.REVISE,
        )
        assert TreatmentPlan.objects.filter(episode=episode, version=2, signed_at__isnull=True).exists()

    def test_a_review_cannot_be_in_the_future(self, episode, counselor):
        with pytest.raises(ValidationError) as error:
            services.plan_review_record(
                plan=signed_plan(episode),
                reviewed_by=counselor,
                reviewed_on=timezone.localdate() + dt.timedelta(1),
                progress_summary="x",
                outcome=PlanReviewOutcome.CONTINUE,
            )
        assert "reviewed_on" in error.value.message_dict


def attended(episode, *, days_ago: int, kind=SessionKind.INDIVIDUAL, status=AttendanceStatus.PRESENT):
    start = timezone.now() - dt.timedelta(days=days_ago)
    session = SessionFactory(episode=episode, kind=kind, **session_times(start, 60))
    minutes = 0 if status in (AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED) else 60
    return AttendanceFactory(session=session, status=status, minutes_attended=minutes)


class TestInterventionsAgainstTheSchedule:
    def test_weekly_individual_therapy_without_a_session_in_14_days_is_flagged(self, episode):
        plan = signed_plan(episode, signed_days_ago=20)
        flags = selectors.intervention_schedule_flags(plan)
        assert [flag.intervention.modality for flag in flags] == [InterventionModality.INDIVIDUAL]
        assert flags[0].last_held_on is None

    @pytest.mark.parametrize(
        ("days_ago", "status", "flagged"),
        [
            (13, AttendanceStatus.PRESENT, False),
            (3, AttendanceStatus.LATE, False),
            (3, AttendanceStatus.LEFT_EARLY, False),
            (14, AttendanceStatus.PRESENT, True),
            (3, AttendanceStatus.UNEXCUSED, True),
            (3, AttendanceStatus.EXCUSED, True),
        ],
    )
    def test_held_sessions_clear_the_flag(self, episode, days_ago, status, flagged):
        plan = signed_plan(episode, signed_days_ago=30)
        attended(episode, days_ago=days_ago, status=status)
        assert bool(selectors.intervention_schedule_flags(plan)) is flagged

    def test_a_session_of_another_kind_does_not_count(self, episode):
        plan = signed_plan(episode, signed_days_ago=30)
        attended(episode, days_ago=2, kind=SessionKind.FAMILY)
        assert selectors.intervention_schedule_flags(plan)

    def test_monthly_interventions_and_new_plans_are_not_flagged(self, episode):
        assert selectors.intervention_schedule_flags(signed_plan(episode, signed_days_ago=13)) == []
        other = EpisodeFactory()
        plan = complete_plan(other)
        plan.problems.get().goals.get().interventions.update(frequency_period=FrequencyPeriod.MONTH)
        plan = services.plan_sign(plan=plan, by=other.primary_clinician, now=timezone.now() - dt.timedelta(days=30))
        assert selectors.intervention_schedule_flags(plan) == []

    def test_interventions_of_a_goal_are_checked_each(self, episode, counselor):
        plan = complete_plan(episode)
        InterventionFactory(goal=plan_goal(plan), modality=InterventionModality.GROUP, frequency_count=3)
        plan = services.plan_sign(plan=plan, by=counselor, now=timezone.now() - dt.timedelta(days=30))
        attended(episode, days_ago=5)
        assert [f.intervention.modality for f in selectors.intervention_schedule_flags(plan)] == ["group"]
