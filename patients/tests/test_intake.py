"""The guided intake from referral to admission, through the browser's requests."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from iop.hooks import follow_on_url
from patients import services
from patients.constants import ConsentKind, EpisodeStatus, IntakeStatus, IntakeStep, LevelOfCare, PatientStatus
from patients.models import AsamAssessment, CareTeamMember, Episode, InstrumentResponse, Intake, PatientAlert

from .factories import ConsentFactory, EpisodeFactory, IntakeFactory, PatientFactory

pytestmark = pytest.mark.django_db

UNDER_20 = "allows fewer than 20 hours a week"
PHQ9_ITEM9_POSITIVE = {f"item_{n}": "1" for n in range(1, 10)}


def asam_post(**ratings):
    values = {"d1": 0, "d2": 0, "d3": 1, "d4": 2, "d5": 2, "d6": 1, **ratings}
    names = dict(zip(["d1", "d2", "d3", "d4", "d5", "d6"], AsamAssessment.RATING_FIELDS, strict=True))
    return {names[key]: str(value) for key, value in values.items()}


@pytest.fixture
def intake(intake_worker):
    patient = PatientFactory()
    return services.intake_start(patient=patient, started_by=intake_worker, referral_source="self")


class TestReferralAndScreening:
    def test_start_intake_saves_the_referral_and_moves_to_screening(self, login, intake_worker):
        patient = PatientFactory()
        response = login(intake_worker).post(
            reverse("patients:intake_start", args=[patient.pk]),
            {"referral_source": "hospital", "referred_by": "City ED", "referral_date": dt.date.today().isoformat()},
        )
        intake = Intake.objects.get(patient=patient)
        assert response.url == reverse("patients:intake_screening", args=[intake.pk])
        assert intake.step == IntakeStep.SCREENING
        patient.refresh_from_db()
        assert patient.status == PatientStatus.SCREENING

    def test_a_second_intake_resumes_the_open_one(self, login, intake_worker, intake):
        response = login(intake_worker).get(reverse("patients:intake_start", args=[intake.patient.pk]))
        assert response.status_code == 302
        assert Intake.objects.filter(patient=intake.patient).count() == 1

    def test_any_intake_worker_can_resume(self, login, intake, intake_worker):
        from accounts.tests.factories import IntakeCoordinatorFactory

        colleague = IntakeCoordinatorFactory()
        response = login(colleague).get(reverse("patients:intake_resume", args=[intake.pk]))
        assert response.status_code == 302
        assert response.url == reverse("patients:intake_referral", args=[intake.pk])

    def test_incomplete_instrument_is_refused_naming_the_missing_items(self, login, intake_worker, intake):
        answers = {f"item_{n}": "1" for n in range(1, 8)}  # items 8 and 9 missing
        response = login(intake_worker).post(reverse("patients:intake_instrument", args=[intake.pk, "phq9"]), answers)
        assert response.status_code == 200
        assert "answer items 8, 9" in response.text
        assert not InstrumentResponse.objects.exists()

    def test_phq9_item_9_raises_a_safety_alert_visible_on_the_chart(self, login, intake_worker, intake):
        client = login(intake_worker)
        client.post(reverse("patients:intake_instrument", args=[intake.pk, "phq9"]), PHQ9_ITEM9_POSITIVE)
        response = InstrumentResponse.objects.get()
        assert (response.score, response.band) == (9, "mild")
        alert = PatientAlert.objects.get()
        assert alert.source_instrument == response
        chart = client.get(reverse("patients:chart", args=[intake.patient.pk]))
        assert "Safety risk" in chart.text and "self-harm" in chart.text


class TestAssessmentAndAdmission:
    def test_asam_ratings_recommend_a_level_and_advance_to_decision(self, login, intake_worker, intake):
        response = login(intake_worker).post(reverse("patients:intake_assessment", args=[intake.pk]), asam_post())
        assert response.url == reverse("patients:intake_decision", args=[intake.pk])
        assert AsamAssessment.objects.get().recommended_level == LevelOfCare.IOP

    def test_missing_rating_is_named(self, login, intake_worker, intake):
        data = asam_post()
        del data["d4_readiness"]
        response = login(intake_worker).post(reverse("patients:intake_assessment", args=[intake.pk]), data)
        assert response.status_code == 200
        assert "This field is required" in response.text
        assert not AsamAssessment.objects.exists()

    def admit_data(self, program, counselor, **overrides):
        data = {
            "decision": "admit",
            "program": program.pk,
            "level_of_care": LevelOfCare.IOP,
            "admitted_on": dt.date.today().isoformat(),
            "primary_clinician": counselor.pk,
            "target_weekly_hours": "12",
        }
        data.update(overrides)
        return data

    @pytest.fixture
    def assessed(self, intake, intake_worker):
        ratings = dict(zip(AsamAssessment.RATING_FIELDS, [0, 0, 1, 2, 2, 1], strict=True))
        services.asam_assessment_record(patient=intake.patient, intake=intake, assessed_by=intake_worker, **ratings)
        ConsentFactory(patient=intake.patient, kind=ConsentKind.TREATMENT)
        return intake

    def test_admission_opens_an_episode_and_closes_the_intake(self, login, intake_worker, assessed, program, counselor):
        response = login(intake_worker).post(
            reverse("patients:intake_decision", args=[assessed.pk]), self.admit_data(program, counselor)
        )
        episode = Episode.objects.get()
        chart = reverse("patients:chart", args=[assessed.patient.pk])
        # The flow goes on to what apps above ask at admission (outcomes: the TEDS measures), then the chart.
        assert response.url == (follow_on_url("patients.admitted", episode, then=chart) or chart)
        assert (episode.status, episode.level_of_care, episode.target_weekly_hours) == (
            EpisodeStatus.ACTIVE,
            LevelOfCare.IOP,
            Decimal("12.0"),
        )
        assessed.refresh_from_db()
        assessed.patient.refresh_from_db()
        assert assessed.status == IntakeStatus.ADMITTED and assessed.closed_at
        assert assessed.patient.status == PatientStatus.ADMITTED
        assert CareTeamMember.objects.filter(patient=assessed.patient, user=counselor, role="primary").exists()

    @pytest.mark.parametrize(
        ("hours", "message"),
        [
            ("8.9", "needs at least 9 hours a week; 8.9 is 0.1 short"),
            ("20.5", f"{UNDER_20} (20 or more is level 2.5 Partial hospitalization); 20.5 is 0.5 over"),
            ("20.0", f"{UNDER_20} (20 or more is level 2.5 Partial hospitalization); it is the limit"),
        ],
    )
    def test_target_hours_outside_the_band_are_refused(
        self, login, intake_worker, assessed, program, counselor, hours, message
    ):
        response = login(intake_worker).post(
            reverse("patients:intake_decision", args=[assessed.pk]),
            self.admit_data(program, counselor, target_weekly_hours=hours),
        )
        assert response.status_code == 200
        assert message in response.text
        assert not Episode.objects.exists()

    @pytest.mark.parametrize("hours", ["9", "19.9"])
    def test_band_edges_are_accepted(self, intake_worker, assessed, program, counselor, hours):
        episode = services.patient_admit(
            intake=assessed,
            program=program,
            primary_clinician=counselor,
            admitted_by=intake_worker,
            target_weekly_hours=Decimal(hours),
        )
        assert episode.target_weekly_hours == Decimal(hours)

    def test_adolescent_band_starts_at_six(self, intake_worker, assessed, counselor):
        from programs.tests.factories import AdolescentProgramFactory

        teens = AdolescentProgramFactory()  # band left to the default for adolescents: 6 to under 20
        admit = {"intake": assessed, "program": teens, "primary_clinician": counselor, "admitted_by": intake_worker}
        with pytest.raises(ValidationError, match=r"needs at least 6 hours a week; 5\.9 is 0\.1 short"):
            services.patient_admit(**admit, target_weekly_hours=Decimal("5.9"))
        episode = services.patient_admit(**admit, target_weekly_hours=Decimal("6.0"))
        assert episode.program == teens

    def test_other_level_than_recommended_needs_a_category_and_a_reason(
        self, login, intake_worker, assessed, program, counselor
    ):
        client = login(intake_worker)
        url = reverse("patients:intake_decision", args=[assessed.pk])
        php = {"level_of_care": LevelOfCare.PHP, "target_weekly_hours": "22"}
        response = client.post(url, self.admit_data(program, counselor, **php))
        form = response.context["admit_form"]
        category_error = form.errors["level_of_care_reason_category"][0]
        assert "choose why the patient is admitted to another placement" in category_error
        assert "write why the patient is admitted to another placement" in form.errors["level_of_care_reason"][0]
        assert not Episode.objects.exists()
        client.post(
            url,
            self.admit_data(
                program,
                counselor,
                **php,
                level_of_care_reason_category="clinical_judgement",
                level_of_care_reason="Relapsed twice in IOP this year; needs daily structure for now.",
            ),
        )
        episode = Episode.objects.get()
        assert (episode.level_of_care, episode.level_of_care_reason_category) == (LevelOfCare.PHP, "clinical_judgement")
        assert not episode.admitted_below_recommendation  # above the recommendation: no co-signature

    def test_admission_needs_consent_to_treatment(self, login, intake_worker, intake, program, counselor):
        ratings = dict(zip(AsamAssessment.RATING_FIELDS, [0, 0, 1, 2, 2, 1], strict=True))
        services.asam_assessment_record(patient=intake.patient, intake=intake, assessed_by=intake_worker, **ratings)
        response = login(intake_worker).post(
            reverse("patients:intake_decision", args=[intake.pk]), self.admit_data(program, counselor)
        )
        assert "consent to treatment" in response.text
        assert not Episode.objects.exists()

    def test_patient_with_an_active_episode_cannot_be_admitted_twice(self, intake_worker, counselor, program):
        episode = EpisodeFactory()
        with pytest.raises(Exception, match="already admitted"):
            services.intake_start(patient=episode.patient, started_by=intake_worker)

    def test_close_without_admitting_needs_a_reason(self, login, intake_worker, assessed):
        client = login(intake_worker)
        url = reverse("patients:intake_decision", args=[assessed.pk])
        response = client.post(url, {"decision": "close", "reason": ""})
        assert "This field is required" in response.text
        client.post(url, {"decision": "close", "reason": "Needs residential care; referred to Harbor House"})
        assessed.refresh_from_db()
        assert assessed.status == IntakeStatus.NOT_ADMITTED
        assessed.patient.refresh_from_db()
        assert assessed.patient.status == PatientStatus.NOT_ADMITTED


class TestAccess:
    def test_counselor_cannot_run_intake(self, login, counselor, intake):
        response = login(counselor).get(reverse("patients:intake_start", args=[intake.patient.pk]))
        assert response.status_code == 403

    def test_intake_list_shows_open_intakes(self, login, intake_worker, intake):
        IntakeFactory(
            status=IntakeStatus.WITHDRAWN,
            closed_at="2026-01-01T00:00Z",
            patient=PatientFactory(legal_last_name="Closedcase"),
        )
        response = login(intake_worker).get(reverse("patients:intake_list"))
        assert intake.patient.legal_last_name in response.text
        assert "Closedcase" not in response.text
