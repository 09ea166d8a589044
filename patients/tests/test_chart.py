import datetime as dt

import pytest
from django.urls import reverse

from audit.constants import Outcome
from audit.models import AccessLog
from patients.constants import ConsentKind, LevelOfCare
from patients.instruments import Instrument
from patients.models import Authorization, Consent, Contact, Diagnosis, LevelOfCareChange

from .factories import (
    AuthorizationFactory,
    CareTeamMemberFactory,
    ConsentFactory,
    ContactFactory,
    DiagnosisFactory,
    EpisodeFactory,
    InstrumentResponseFactory,
    InsurancePolicyFactory,
    PatientAlertFactory,
    PatientFactory,
    SubstanceUseFactory,
)

pytestmark = pytest.mark.django_db

SECTIONS = ["chart", "chart_assessments", "chart_consents", "chart_contacts", "chart_insurance"]


@pytest.fixture
def episode(counselor, program):
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    return episode


def fill_chart(patient, size: int):
    for index in range(size):
        InstrumentResponseFactory(patient=patient, instrument=Instrument.PHQ9 if index % 2 else Instrument.GAD7)
        ConsentFactory(patient=patient)
        ContactFactory(patient=patient)
        policy = InsurancePolicyFactory(patient=patient)
        AuthorizationFactory(policy=policy)
        DiagnosisFactory(patient=patient)
        SubstanceUseFactory(patient=patient)
        PatientAlertFactory(patient=patient)


class TestChartPages:
    @pytest.mark.parametrize("section", SECTIONS)
    def test_each_section_renders_and_writes_one_access_log_row(self, login, counselor, episode, section):
        fill_chart(episode.patient, 2)
        response = login(counselor).get(reverse(f"patients:{section}", args=[episode.patient.pk]))
        assert response.status_code == 200
        assert episode.patient.mrn in response.text
        logs = AccessLog.objects.filter(patient=episode.patient, user=counselor)
        assert logs.count() == 1 and logs.get().outcome == Outcome.ALLOWED

    @pytest.mark.parametrize("section", SECTIONS)
    def test_query_count_is_the_same_for_a_small_and_a_large_chart(
        self, login, counselor, episode, section, django_assert_num_queries
    ):
        client = login(counselor)
        url = reverse(f"patients:{section}", args=[episode.patient.pk])
        fill_chart(episode.patient, 1)
        client.get(url)  # warm the session
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            client.get(url)
        fill_chart(episode.patient, 8)
        with django_assert_num_queries(len(small.captured_queries)):
            client.get(url)

    def test_other_teams_clinician_gets_404_and_the_refusal_is_logged(self, login, other_counselor, episode):
        for section in SECTIONS:
            response = login(other_counselor).get(reverse(f"patients:{section}", args=[episode.patient.pk]))
            assert response.status_code == 404
        refused = AccessLog.objects.filter(user=other_counselor, outcome=Outcome.REFUSED)
        assert refused.count() == len(SECTIONS)
        assert set(refused.values_list("patient", flat=True)) == {episode.patient.pk}

    def test_anonymous_user_is_sent_to_login(self, client, episode):
        response = client.get(reverse("patients:chart", args=[episode.patient.pk]))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_trend_chart_gets_phq9_and_gad7_series(self, login, counselor, episode):
        InstrumentResponseFactory(patient=episode.patient, instrument=Instrument.PHQ9)
        response = login(counselor).get(reverse("patients:chart_assessments", args=[episode.patient.pk]))
        assert 'id="instrument-trend-data"' in response.text
        assert response.context["trend_data"]["PHQ-9"][0]["y"] is not None


class TestChartRecords:
    def test_add_contact_with_consent_to_contact(self, login, counselor, episode):
        response = login(counselor).post(
            reverse("patients:chart_record_add", args=[episode.patient.pk, "contact"]),
            {
                "name": "Maria Lopez",
                "relationship": "parent",
                "phone": "617 555 0188",
                "takes_part_in_family_sessions": "on",
                "patient_consents_to_contact": "on",
            },
        )
        assert response.status_code == 302
        contact = Contact.objects.get(name="Maria Lopez")
        assert contact.phone == "+16175550188" and contact.patient_consents_to_contact

    def test_part2_consent_without_recipient_is_refused(self, login, counselor, episode):
        response = login(counselor).post(
            reverse("patients:chart_record_add", args=[episode.patient.pk, "consent"]),
            {"kind": ConsentKind.PART2_DISCLOSURE, "method": "signed", "granted_on": dt.date.today().isoformat()},
        )
        assert response.status_code == 200
        assert "names the recipient, the purpose" in response.text
        assert not Consent.objects.filter(kind=ConsentKind.PART2_DISCLOSURE).exists()

    def test_verbal_consent_needs_a_witness(self, login, counselor, episode):
        response = login(counselor).post(
            reverse("patients:chart_record_add", args=[episode.patient.pk, "consent"]),
            {"kind": ConsentKind.REMINDERS_SMS, "method": "verbal", "granted_on": dt.date.today().isoformat()},
        )
        assert "needs the name of the witness" in response.text

    def test_revoking_a_consent_keeps_it_with_the_reason(self, login, counselor, episode):
        consent = ConsentFactory(patient=episode.patient, kind=ConsentKind.REMINDERS_SMS)
        login(counselor).post(
            reverse("patients:consent_revoke", args=[episode.patient.pk, consent.pk]),
            {"reason": "Asked in group to stop texts"},
        )
        consent.refresh_from_db()
        assert consent.revoked_at and not consent.is_active
        assert consent.revocation_reason == "Asked in group to stop texts"

    def test_authorization_cannot_point_at_another_patients_policy(self, login, intake_worker, episode):
        foreign_policy = InsurancePolicyFactory(patient=PatientFactory())
        response = login(intake_worker).post(
            reverse("patients:chart_record_add", args=[episode.patient.pk, "authorization"]),
            {
                "policy": foreign_policy.pk,
                "number": "A-1",
                "level_of_care": "2.1",
                "starts_on": "2026-11-01",
                "ends_on": "2026-11-30",
                "units_authorized": "20",
                "unit": "days",
            },
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
        assert not Authorization.objects.filter(number="A-1").exists()

    def test_authorization_dates_must_be_ordered(self, login, intake_worker, episode):
        policy = InsurancePolicyFactory(patient=episode.patient)
        response = login(intake_worker).post(
            reverse("patients:chart_record_add", args=[episode.patient.pk, "authorization"]),
            {
                "policy": policy.pk,
                "number": "A-2",
                "level_of_care": "2.1",
                "starts_on": "2026-11-30",
                "ends_on": "2026-11-01",
                "units_authorized": "20",
                "unit": "days",
            },
        )
        assert "cannot end before it starts" in response.text

    def test_diagnosis_code_format_is_checked_and_common_codes_fill_the_description(self, login, counselor, episode):
        client = login(counselor)
        url = reverse("patients:chart_record_add", args=[episode.patient.pk, "diagnosis"])
        response = client.post(url, {"code": "10.20", "diagnosed_on": "2026-11-01"})
        assert "Enter an ICD-10-CM code" in response.text
        client.post(url, {"code": "f11.20", "diagnosed_on": "2026-11-01"})
        assert Diagnosis.objects.get().description == "Opioid use disorder, moderate/severe"

    def test_step_down_is_recorded_inside_the_episode(self, login, counselor, episode):
        url = reverse("patients:level_of_care_change", args=[episode.patient.pk, episode.pk])
        data = {"to_level": LevelOfCare.OP, "effective_on": dt.date.today().isoformat(), "reason": "Stable 6 weeks"}
        # Level 1.0 is under 9 hours a week: the episode's 12-hour target must come down with it.
        refused = login(counselor).post(url, data)
        assert (
            "does not fit level 1.0 Outpatient (0 to under 9 hours): give the new target"
            in (refused.context["form"].errors["target_weekly_hours"][0])
        )
        response = login(counselor).post(url, {**data, "target_weekly_hours": "4"})
        assert response.status_code == 302
        episode.refresh_from_db()
        assert (episode.level_of_care, episode.target_weekly_hours) == (LevelOfCare.OP, 4)
        change = LevelOfCareChange.objects.get()
        assert (change.from_level, change.to_level, change.direction) == ("2.1", "1.0", "step-down")

    def test_same_level_is_refused(self, login, counselor, episode):
        response = login(counselor).post(
            reverse("patients:level_of_care_change", args=[episode.patient.pk, episode.pk]),
            {"to_level": episode.level_of_care, "effective_on": dt.date.today().isoformat(), "reason": "x"},
        )
        assert "different from the current one" in response.text

    def test_resolving_a_safety_alert_needs_the_assessment_and_a_note_that_says_something(
        self, login, counselor, episode
    ):
        alert = PatientAlertFactory(patient=episode.patient)
        client = login(counselor)
        url = reverse("patients:alert_resolve", args=[episode.patient.pk, alert.pk])
        page = client.get(url)
        assert "Risk level after assessment" in page.text and "Action taken" in page.text
        response = client.post(url, {"note": "."})
        assert response.status_code == 200  # the form again, with what was typed and the errors
        assert "Choose the risk level" in response.text or "This field is required" in response.text
        alert.refresh_from_db()
        assert alert.resolved_at is None
        response = client.post(url, {"note": ".", "risk_level": "low", "action": "safety_plan"})
        assert "at least 20 characters" in response.text
        alert.refresh_from_db()
        assert alert.resolved_at is None
        response = client.post(
            url,
            {"note": "C-SSRS screen negative; safety plan reviewed", "risk_level": "low", "action": "safety_plan"},
        )
        assert response.status_code == 302
        alert.refresh_from_db()
        assert alert.resolved_at and alert.resolved_by == counselor
        assert (alert.resolution_risk_level, alert.resolution_action) == ("low", "safety_plan")

    def test_an_allergy_alert_closes_with_a_note_alone(self, login, counselor, episode):
        alert = PatientAlertFactory(patient=episode.patient, kind="allergy", message="Penicillin: rash")
        url = reverse("patients:alert_resolve", args=[episode.patient.pk, alert.pk])
        assert "Risk level after assessment" not in login(counselor).get(url).text
        login(counselor).post(url, {"note": "Entered on the wrong chart; confirmed with the patient"})
        alert.refresh_from_db()
        assert alert.resolved_at is not None

    def test_clinical_records_refuse_deletion(self, episode):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            episode.patient.delete()
        with pytest.raises(ValidationError):
            Contact.objects.all().delete()


def test_phones_are_shown_the_way_staff_dial_them(login, counselor, episode):
    response = login(counselor).get(reverse("patients:chart", args=[episode.patient.pk]))
    national = f"({episode.patient.phone[2:5]}) {episode.patient.phone[5:8]}-{episode.patient.phone[8:]}"
    assert national in response.text
