"""Admission at the ASAM placement: reasons for another level, the supervisor's co-signature, the edition, the band."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import DirectorFactory, SupervisorFactory
from notifications.constants import TaskKind, TaskSeverity, TaskStatus
from notifications.models import StaffTask
from patients import services
from patients.constants import ConsentKind, LevelOfCare, LevelOfCareReasonCategory, WithdrawalManagement
from patients.models import AsamAssessment, Episode
from programs.constants import AsamEdition
from programs.tests.factories import ProgramFactory

from .factories import ConsentFactory, EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db

REASON = "Patient declines residential care because of her children; IOP with weekly review."


def assess(intake, by, d1=0, d2=0, d3=1, d4=2, d5=2, d6=1, edition=None):
    values = dict(zip(AsamAssessment.RATING_FIELDS, [d1, d2, d3, d4, d5, d6], strict=True))
    return services.asam_assessment_record(
        patient=intake.patient, intake=intake, assessed_by=by, edition=edition, **values
    )


@pytest.fixture
def intake(intake_worker):
    patient = PatientFactory()
    ConsentFactory(patient=patient, kind=ConsentKind.TREATMENT)
    return services.intake_start(patient=patient, started_by=intake_worker, referral_source="self")


@pytest.fixture
def supervisor(program):
    return SupervisorFactory(programs=[program])


@pytest.fixture
def supervised_counselor(counselor, supervisor):
    counselor.supervisor = supervisor
    counselor.save()
    return counselor


def admit(intake, program, counselor, by, **fields):
    fields.setdefault("target_weekly_hours", Decimal("12"))
    return services.patient_admit(intake=intake, program=program, primary_clinician=counselor, admitted_by=by, **fields)


class TestPlacement:
    def test_the_recommendation_is_the_default_placement_and_needs_no_reason(
        self, intake, intake_worker, program, counselor
    ):
        assess(intake, intake_worker, d1=2)
        episode = admit(intake, program, counselor, intake_worker)
        assert (episode.level_of_care, episode.withdrawal_management) == (LevelOfCare.IOP, "2-WM")
        assert episode.level_label == "2.1 Intensive outpatient with 2-WM"
        assert not episode.admitted_below_recommendation
        assert not StaffTask.objects.exists()

    def test_below_the_recommendation_needs_a_category_and_a_reason_that_says_something(
        self, intake, intake_worker, program, counselor
    ):
        assert assess(intake, intake_worker, d5=4).recommended_level == LevelOfCare.RES_HIGH
        with pytest.raises(ValidationError) as refused:
            admit(intake, program, counselor, intake_worker, level_of_care=LevelOfCare.IOP, level_of_care_reason="ok")
        errors = refused.value.message_dict
        assert (
            "recommends 3.5 Clinically managed high-intensity residential" in errors["level_of_care_reason_category"][0]
        )
        assert "in a sentence" in errors["level_of_care_reason"][0]
        with pytest.raises(ValidationError) as refused:
            admit(
                intake,
                program,
                counselor,
                intake_worker,
                level_of_care=LevelOfCare.IOP,
                level_of_care_reason_category=LevelOfCareReasonCategory.PATIENT_PREFERENCE,
                level_of_care_reason="prefers IOP",  # 11 characters: says nothing a reviewer can weigh
            )
        assert set(refused.value.message_dict) == {"level_of_care_reason"}
        assert not Episode.objects.exists()

    @pytest.mark.parametrize("category", LevelOfCareReasonCategory.values)
    def test_each_category_is_accepted_with_a_reason(self, intake, intake_worker, program, counselor, category):
        assess(intake, intake_worker, d6=4)
        episode = admit(
            intake,
            program,
            counselor,
            intake_worker,
            level_of_care=LevelOfCare.IOP,
            level_of_care_reason_category=category,
            level_of_care_reason=REASON,
        )
        assert episode.admitted_below_recommendation
        assert episode.get_level_of_care_reason_category_display() == LevelOfCareReasonCategory(category).label

    def test_leaving_out_the_recommended_withdrawal_management_is_below_it(
        self, intake, intake_worker, program, counselor
    ):
        assess(intake, intake_worker, d1=2)
        with pytest.raises(ValidationError, match=r"recommends 2\.1 Intensive outpatient with 2-WM"):
            admit(intake, program, counselor, intake_worker, level_of_care=LevelOfCare.IOP, withdrawal_management="")
        episode = admit(
            intake,
            program,
            counselor,
            intake_worker,
            level_of_care=LevelOfCare.IOP,
            withdrawal_management="",
            level_of_care_reason_category=LevelOfCareReasonCategory.NOT_AVAILABLE,
            level_of_care_reason="No on-site withdrawal monitoring this month; prescriber follows up by phone daily.",
        )
        assert episode.admitted_below_recommendation

    def test_more_withdrawal_management_than_recommended_is_not_below(self, intake, intake_worker, program, counselor):
        assess(intake, intake_worker)
        episode = admit(
            intake,
            program,
            counselor,
            intake_worker,
            level_of_care=LevelOfCare.IOP,
            withdrawal_management=WithdrawalManagement.AMBULATORY_MONITORED,
            level_of_care_reason_category=LevelOfCareReasonCategory.CLINICAL_JUDGEMENT,
            level_of_care_reason="Drank daily until yesterday; prescriber wants on-site monitoring this week.",
        )
        assert not episode.admitted_below_recommendation

    def test_a_level_2_5_episode_is_held_to_20_hours(self, intake, intake_worker, program, counselor):
        assess(intake, intake_worker, d5=3)  # recommends 2.5
        with pytest.raises(ValidationError) as refused:
            admit(intake, program, counselor, intake_worker, target_weekly_hours=Decimal("19.9"))
        assert refused.value.message_dict["target_weekly_hours"] == [
            "A level 2.5 Partial hospitalization episode needs at least 20 hours a week; 19.9 is 0.1 short."
        ]
        episode = admit(intake, program, counselor, intake_worker, target_weekly_hours=Decimal("20"))
        assert episode.weekly_hours_band == (Decimal("20"), Decimal("40"))


class TestCosignature:
    def below(self, intake, intake_worker, program, counselor):
        assess(intake, intake_worker, d5=4)
        return admit(
            intake,
            program,
            counselor,
            intake_worker,
            level_of_care=LevelOfCare.IOP,
            level_of_care_reason_category=LevelOfCareReasonCategory.PAYER_DECISION,
            level_of_care_reason="The plan denied residential; appeal filed, IOP meanwhile.",
        )

    def test_below_the_recommendation_puts_a_24_hour_task_on_the_clinicians_supervisor(
        self, intake, intake_worker, program, supervised_counselor, supervisor
    ):
        director = DirectorFactory(programs=[program])
        before = timezone.now()
        episode = self.below(intake, intake_worker, program, supervised_counselor)
        task = StaffTask.objects.get()
        assert (task.assignee, task.kind, task.severity, task.patient) == (
            supervisor,
            TaskKind.ADMISSION_COSIGN,
            TaskSeverity.HIGH,
            episode.patient,
        )
        assert dt.timedelta(hours=24) <= task.due_at - before < dt.timedelta(hours=24, minutes=1)
        assert task.escalate_at == task.due_at
        assert list(task.escalate_to.all()) == [director]
        assert "recommended 3.5" in task.title

    def test_without_a_named_supervisor_the_programs_supervisors_get_it(
        self, intake, intake_worker, program, counselor
    ):
        staffing = [SupervisorFactory(programs=[program]), SupervisorFactory(programs=[program])]
        SupervisorFactory(programs=[ProgramFactory()])  # another program's: not asked
        self.below(intake, intake_worker, program, counselor)
        assert sorted(StaffTask.objects.values_list("assignee_id", flat=True)) == sorted(s.pk for s in staffing)

    def test_a_supervisor_cosigns_in_the_browser_and_the_tasks_close(
        self, login, intake, intake_worker, program, supervised_counselor, supervisor
    ):
        DirectorFactory(programs=[program])
        episode = self.below(intake, intake_worker, program, supervised_counselor)
        chart = reverse("patients:chart", args=[episode.patient.pk])
        cosign = reverse("patients:episode_cosign", args=[episode.patient.pk, episode.pk])
        page = login(supervisor).get(chart)
        assert "supervisor co-signature due" in page.text and cosign in page.text
        assert cosign not in login(supervised_counselor).get(chart).text  # no permission: no button
        assert login(supervised_counselor).post(cosign).status_code == 403
        response = login(supervisor).post(cosign)
        assert response.url == chart
        episode.refresh_from_db()
        assert (episode.cosigned_by, episode.awaits_cosign) == (supervisor, False)
        task = StaffTask.objects.get()
        assert (task.status, task.done_by) == (TaskStatus.DONE, supervisor)
        assert "co-signed by" in login(supervisor).get(chart).text

    def test_a_director_may_cosign_but_not_twice_and_not_their_own_admission(
        self, intake, intake_worker, program, counselor, director, supervisor
    ):
        episode = self.below(intake, director, program, counselor)  # the director admitted
        with pytest.raises(ValidationError, match="someone other than who admitted"):
            services.episode_cosign(episode=episode, by=director)
        with pytest.raises(ValidationError, match="Only a supervisor or director"):
            services.episode_cosign(episode=episode, by=intake_worker)
        services.episode_cosign(episode=episode, by=supervisor)
        with pytest.raises(ValidationError, match="already co-signed"):
            services.episode_cosign(episode=episode, by=DirectorFactory(programs=[program]))

    def test_an_admission_at_the_recommendation_has_nothing_to_cosign(self, director):
        with pytest.raises(ValidationError, match="nothing to co-sign"):
            services.episode_cosign(episode=EpisodeFactory(), by=director)


class TestEdition:
    def test_the_clinic_setting_decides_the_edition_and_the_episode_keeps_it(
        self, settings, login, intake, intake_worker, program, counselor
    ):
        settings.ASAM_EDITION = 4
        assessment = assess(intake, intake_worker, d1=2)
        assert (assessment.edition, assessment.recommended_level, assessment.recommended_withdrawal_management) == (
            AsamEdition.FOURTH,
            LevelOfCare.IOP_MEDICAL,
            "",
        )
        decision = login(intake_worker).get(reverse("patients:intake_decision", args=[intake.pk]))
        levels = [value for value, _ in decision.context["admit_form"].fields["level_of_care"].choices]
        assert "1.5" in levels and "2.7" in levels
        assert "withdrawal_management" not in decision.context["admit_form"].fields  # integrated in 2.7
        episode = admit(intake, program, counselor, intake_worker)
        assert (episode.edition, episode.level_of_care) == (AsamEdition.FOURTH, LevelOfCare.IOP_MEDICAL)
        # The clinic moves back to the 3rd edition: this episode still steps down in the 4th's levels.
        settings.ASAM_EDITION = 3
        change_page = login(counselor).get(
            reverse("patients:level_of_care_change", args=[episode.patient.pk, episode.pk])
        )
        assert "1.5" in [value for value, _ in change_page.context["form"].fields["to_level"].choices]
        services.level_of_care_change(
            episode=episode,
            to_level=LevelOfCare.OP_THERAPY,
            reason="Stable for six weeks.",
            recorded_by=counselor,
            target_weekly_hours=Decimal("3"),
        )
        episode.refresh_from_db()
        assert episode.level_label == "1.5 Outpatient therapy"

    def test_a_third_edition_episode_cannot_take_a_fourth_edition_level(self, counselor):
        episode = EpisodeFactory(primary_clinician=counselor)
        with pytest.raises(ValidationError, match="not a level of the ASAM Criteria, 3rd edition"):
            services.level_of_care_change(
                episode=episode, to_level=LevelOfCare.IOP_MEDICAL, reason="Needs medical care.", recorded_by=counselor
            )

    def test_separate_withdrawal_management_belongs_to_the_third_edition(
        self, intake, intake_worker, program, counselor
    ):
        assess(intake, intake_worker, d1=2, edition=AsamEdition.FOURTH)
        with pytest.raises(ValidationError, match="integrates withdrawal management"):
            admit(
                intake,
                program,
                counselor,
                intake_worker,
                level_of_care=LevelOfCare.IOP,
                withdrawal_management=WithdrawalManagement.AMBULATORY_MONITORED,
                level_of_care_reason_category=LevelOfCareReasonCategory.CLINICAL_JUDGEMENT,
                level_of_care_reason=REASON,
            )


class TestLevelChangeHours:
    def test_a_step_up_to_2_5_needs_a_target_of_20_or_more(self, counselor):
        episode = EpisodeFactory(primary_clinician=counselor)
        change = {"episode": episode, "to_level": LevelOfCare.PHP, "reason": "Relapse", "recorded_by": counselor}
        with pytest.raises(ValidationError, match="give the new target"):
            services.level_of_care_change(**change)
        with pytest.raises(ValidationError, match=r"needs at least 20 hours a week; 19\.9 is 0\.1 short"):
            services.level_of_care_change(**change, target_weekly_hours=Decimal("19.9"))
        services.level_of_care_change(**change, target_weekly_hours=Decimal("20"))
        episode.refresh_from_db()
        assert (episode.level_of_care, episode.target_weekly_hours) == (LevelOfCare.PHP, Decimal("20"))

    def test_the_admin_refuses_a_target_outside_the_band(self, login, admin_user):
        from accounts.tests.factories import AdminFactory

        episode = EpisodeFactory()
        client = login(AdminFactory(is_superuser=True))
        url = reverse("admin:patients_episode_change", args=[episode.pk])
        page = client.get(url).context
        form = page["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields}
        for inline in page["inline_admin_formsets"]:
            management = inline.formset.management_form
            data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        data.update({"target_weekly_hours": "20"})
        refused = client.post(url, data)
        assert refused.status_code == 200
        assert "allows fewer than 20 hours a week" in refused.context["adminform"].form.errors["target_weekly_hours"][0]
        episode.refresh_from_db()
        assert episode.target_weekly_hours == Decimal("12")
