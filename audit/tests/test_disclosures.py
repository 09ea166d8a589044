"""42 CFR Part 2 disclosures: only under an active consent naming recipient and purpose, always logged."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, IntakeCoordinatorFactory
from audit.constants import REDISCLOSURE_NOTICE, DataCategory, DisclosureSection, Outcome
from audit.disclosure_scope import (
    consent_unusable_reason,
    purpose_covered,
    recipient_matches,
    sections_not_covered,
)
from audit.models import AccessLog, Disclosure
from audit.services import disclosure_record
from patients.constants import ConsentKind, ConsentMethod
from patients.tests.factories import (
    ConsentFactory,
    DiagnosisFactory,
    Part2DisclosureConsentFactory,
    days_ago,
)

from .factories import DisclosureFactory

pytestmark = pytest.mark.django_db

RECIPIENT = "Harbor Street Family Practice (primary care)"
PURPOSE = "Coordination of care"


@pytest.fixture
def consent(patient):
    return Part2DisclosureConsentFactory(patient=patient)


def disclose(consent, user, **overrides):
    values = {
        "patient": consent.patient,
        "consent": consent,
        "recipient": RECIPIENT,
        "purpose": PURPOSE,
        "sections": [DisclosureSection.DIAGNOSES],
        "disclosed_by": user,
    }
    return disclosure_record(**{**values, **overrides})


class TestConsentScope:
    # The phrasings the free-text reader got wrong (issue 12): the words no longer decide anything.
    @pytest.mark.parametrize(
        "words",
        [
            "Diagnoses; insurance and substance use history are excluded.",
            "Entire record",
            "Everything except the diagnosis",
            "Insurance, demographics, assessments, substance use, episodes and diagnoses",
        ],
    )
    def test_the_patients_words_decide_nothing(self, words):
        consent = Part2DisclosureConsentFactory.build(information_scope=words, sections=[DisclosureSection.DIAGNOSES])
        assert consent.allowed_sections == ["diagnoses"]
        assert sections_not_covered(consent, [DisclosureSection.INSURANCE, DisclosureSection.SUBSTANCE_USE]) == [
            "Insurance and authorizations",
            "Substance use history",
        ]

    def test_a_consent_awaiting_confirmation_allows_nothing_whatever_it_says(self, patient):
        consent = Part2DisclosureConsentFactory(
            patient=patient, needs_confirmation=True, information_scope="Entire record"
        )
        assert consent.allowed_sections == []
        assert "Needs confirmation" in consent_unusable_reason(consent, patient)

    def test_recipient_must_be_the_one_named_whatever_the_case_and_spacing(self):
        consent = Part2DisclosureConsentFactory.build(recipient=RECIPIENT)
        assert recipient_matches(consent, "  harbor street family practice  (Primary Care) ")
        assert not recipient_matches(consent, "Harbor Street Family Practice")
        assert not recipient_matches(consent, "")

    def test_purpose_must_be_one_the_consent_lists(self):
        consent = Part2DisclosureConsentFactory.build(purpose="Coordination of care; payment")
        assert purpose_covered(consent, "coordination of care")
        assert purpose_covered(consent, "Payment")
        assert not purpose_covered(consent, "Court proceedings")


class TestDisclosureService:
    def test_records_the_disclosure_with_notice_consent_copy_and_snapshot(self, consent, counselor):
        DiagnosisFactory(patient=consent.patient, code="F10.20", description="Alcohol dependence, uncomplicated")
        disclosure = disclose(consent, counselor, sections=[DisclosureSection.DIAGNOSES, DisclosureSection.EPISODES])
        assert disclosure.notice == REDISCLOSURE_NOTICE
        assert disclosure.sections == ["episodes", "diagnoses"]
        assert disclosure.consent_copy["recipient"] == RECIPIENT
        diagnoses = next(section for section in disclosure.content if section["code"] == "diagnoses")
        assert diagnoses["rows"][0][:3] == ["F10.20", "Alcohol dependence, uncomplicated", "yes"]
        log = AccessLog.objects.get(category=DataCategory.DISCLOSURE)
        assert (log.user, log.patient, log.outcome) == (counselor, consent.patient, Outcome.ALLOWED)

    def test_expired_consent_is_refused(self, patient, counselor):
        expired = Part2DisclosureConsentFactory(patient=patient, granted_on=days_ago(400), expires_on=days_ago(1))
        with pytest.raises(ValidationError, match="expired"):
            disclose(expired, counselor)
        assert not Disclosure.objects.exists()

    def test_revoked_consent_is_refused(self, consent, counselor):
        consent.revoked_at = timezone.now()
        consent.revocation_reason = "Patient revoked in writing."
        consent.save()
        with pytest.raises(ValidationError, match="revoked"):
            disclose(consent, counselor)

    def test_another_recipient_is_refused(self, consent, counselor):
        with pytest.raises(ValidationError) as excinfo:
            disclose(consent, counselor, recipient="Bayside Health Plan")
        assert "recipient" in excinfo.value.message_dict

    def test_a_purpose_the_consent_does_not_cover_is_refused(self, consent, counselor):
        with pytest.raises(ValidationError) as excinfo:
            disclose(consent, counselor, purpose="Employment screening")
        assert "purpose" in excinfo.value.message_dict

    def test_sections_the_consent_does_not_cover_are_refused(self, consent, counselor):
        with pytest.raises(ValidationError, match="does not allow: Insurance"):
            disclose(consent, counselor, sections=[DisclosureSection.INSURANCE])

    def test_words_that_claim_more_than_the_ticked_sections_disclose_nothing_more(self, patient, counselor):
        # Issue 12: "Diagnoses; insurance and substance use history are excluded." disclosed all three.
        consent = Part2DisclosureConsentFactory(
            patient=patient, sections=[DisclosureSection.DIAGNOSES], information_scope="Entire record"
        )
        for section in (DisclosureSection.INSURANCE, DisclosureSection.SUBSTANCE_USE, DisclosureSection.EPISODES):
            with pytest.raises(ValidationError, match="does not allow"):
                disclose(consent, counselor, sections=[DisclosureSection.DIAGNOSES, section])
        assert disclose(consent, counselor).sections == ["diagnoses"]

    def test_a_section_no_packet_carries_is_refused(self, consent, counselor):
        with pytest.raises(ValidationError, match="does not allow: counseling_notes"):
            disclose(consent, counselor, sections=["counseling_notes"])
        assert not Disclosure.objects.exists()

    def test_a_consent_awaiting_confirmation_is_refused_whatever_its_words(self, patient, counselor):
        legacy = Part2DisclosureConsentFactory(
            patient=patient, needs_confirmation=True, information_scope="Entire record"
        )
        with pytest.raises(ValidationError, match="Needs confirmation"):
            disclose(legacy, counselor)
        assert not Disclosure.objects.exists()

    def test_a_verbal_consent_from_before_is_refused(self, patient, counselor):
        verbal = Part2DisclosureConsentFactory(
            patient=patient, needs_confirmation=True, method=ConsentMethod.VERBAL, witness="R. Alvarez"
        )
        with pytest.raises(ValidationError, match="written consent"):
            disclose(verbal, counselor)

    def test_the_service_decides_on_the_consent_as_stored_not_as_handed_to_it(self, consent, counselor):
        consent.allows_insurance = True  # changed in memory only: the database still says no
        with pytest.raises(ValidationError, match="does not allow: Insurance"):
            disclose(consent, counselor, sections=[DisclosureSection.INSURANCE])
        assert not Disclosure.objects.exists()

    def test_the_copy_kept_with_the_disclosure_carries_the_structure_and_the_signature(self, consent, counselor):
        copy = disclose(consent, counselor).consent_copy
        assert copy["sections"] == ["episodes", "diagnoses"]
        assert copy["disclosing_program"] == consent.disclosing_program
        assert copy["signature_name"] == consent.patient.legal_name
        assert copy["information_scope"] == consent.information_scope
        assert "revoke this consent at any time" in copy["revocation_statement"]

    def test_a_consent_that_is_not_a_part2_consent_is_refused(self, patient, counselor):
        treatment = ConsentFactory(patient=patient, kind=ConsentKind.TREATMENT)
        with pytest.raises(ValidationError, match="Part 2"):
            disclose(treatment, counselor)

    def test_another_patients_consent_is_refused(self, patient, counselor):
        other = Part2DisclosureConsentFactory()
        with pytest.raises(ValidationError, match="Part 2"):
            disclose(other, counselor, patient=patient)


class TestDiscloseFlow:
    def url(self, patient, consent=None):
        base = reverse("audit:disclosure_create", args=[patient.pk])
        return f"{base}?consent={consent.pk}" if consent else base

    def test_without_an_active_consent_the_page_says_nothing_can_be_disclosed(self, login, counselor, patient):
        Part2DisclosureConsentFactory(patient=patient, granted_on=days_ago(400), expires_on=days_ago(2))
        response = login(counselor).get(self.url(patient))
        assert response.status_code == 200
        assert "No usable 42 CFR Part 2 consent" in response.text
        assert "expired on" in response.text
        assert 'name="sections"' not in response.text

    def test_only_covered_sections_are_offered(self, login, counselor, consent):
        response = login(counselor).get(self.url(consent.patient))
        assert response.status_code == 200
        assert 'value="diagnoses"' in response.text and 'value="episodes"' in response.text
        assert 'value="insurance"' not in response.text

    def test_a_section_the_consent_does_not_allow_cannot_be_posted(self, login, counselor, consent):
        response = login(counselor).post(
            self.url(consent.patient, consent),
            {"recipient": RECIPIENT, "purpose": PURPOSE, "sections": ["diagnoses", "insurance"]},
        )
        assert response.status_code == 200
        assert "insurance is not one of the available choices" in response.text
        assert not Disclosure.objects.exists()
        assert AccessLog.objects.get(outcome=Outcome.REFUSED).detail == "refused: sections"

    def test_a_consent_needing_confirmation_is_shown_and_refused(self, login, counselor, patient):
        legacy = Part2DisclosureConsentFactory(
            patient=patient, needs_confirmation=True, information_scope="Entire record"
        )
        response = login(counselor).get(self.url(patient, legacy))
        assert "Needs confirmation" in response.text
        assert reverse("patients:consent_confirm", args=[patient.pk, legacy.pk]) in response.text
        assert 'name="sections"' not in response.text

    def test_disclosing_records_it_and_shows_the_packet(self, login, counselor, consent):
        DiagnosisFactory(patient=consent.patient, code="F15.20", description="Other stimulant dependence")
        client = login(counselor)
        response = client.post(
            self.url(consent.patient, consent),
            {"recipient": RECIPIENT, "purpose": PURPOSE, "sections": ["diagnoses"]},
        )
        disclosure = Disclosure.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("audit:disclosure_packet", args=[consent.patient.pk, disclosure.pk])
        packet = client.get(response.url)
        assert packet.status_code == 200
        assert "protected by Federal confidentiality rules (42 CFR part 2)" in packet.text
        assert "NOT sufficient to meet the required elements of" in packet.text
        assert "F15.20" in packet.text
        assert consent.information_scope in packet.text  # the copy of the consent, the patient's words kept
        assert "Episodes of care (admission, level of care, discharge); Diagnoses" in packet.text
        assert consent.disclosing_program in packet.text and consent.signature_name in packet.text
        actions = set(AccessLog.objects.filter(patient=consent.patient).values_list("action", flat=True))
        assert {"disclose records form", "disclose records (Part 2)", "print disclosure packet"} <= actions

    def test_a_refused_disclosure_shows_why_and_is_logged(self, login, counselor, consent):
        response = login(counselor).post(
            self.url(consent.patient, consent),
            {"recipient": "Acme Employment Screening", "purpose": PURPOSE, "sections": ["diagnoses"]},
        )
        assert response.status_code == 200
        assert "Records may go only to the recipient the patient named" in response.text
        assert not Disclosure.objects.exists()
        refused = AccessLog.objects.get(outcome=Outcome.REFUSED)
        assert refused.category == DataCategory.DISCLOSURE and refused.detail == "refused: recipient"

    def test_posting_under_a_revoked_consent_is_refused(self, login, counselor, consent):
        consent.revoked_at = timezone.now()
        consent.revocation_reason = "Revoked by phone, witnessed."
        consent.save()
        response = login(counselor).post(
            self.url(consent.patient, consent), {"recipient": RECIPIENT, "purpose": PURPOSE, "sections": ["diagnoses"]}
        )
        assert response.status_code == 400
        assert "revoked this consent" in response.text
        assert not Disclosure.objects.exists()

    def test_intake_staff_may_not_disclose(self, login, patient):
        response = login(IntakeCoordinatorFactory()).get(self.url(patient))
        assert response.status_code == 403

    def test_another_teams_clinician_gets_404(self, login, consent):
        response = login(CounselorFactory()).get(self.url(consent.patient))
        assert response.status_code == 404


class TestAccounting:
    def test_lists_every_disclosure_with_date_recipient_purpose_what_and_who(
        self, login, counselor, consent, django_assert_max_num_queries
    ):
        first = disclose(consent, counselor)
        second = disclose(consent, counselor, sections=[DisclosureSection.EPISODES])
        client = login(counselor)
        url = reverse("audit:disclosure_accounting", args=[consent.patient.pk])
        client.get(url)
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200
        for disclosure in (first, second):
            assert reverse("audit:disclosure_packet", args=[consent.patient.pk, disclosure.pk]) in response.text
        assert RECIPIENT in response.text and PURPOSE in response.text
        assert "Diagnoses" in response.text and "Episodes of care" in response.text
        assert counselor.get_full_name() in response.text

    def test_query_count_does_not_grow_with_the_disclosures(self, login, counselor, consent, django_assert_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = login(counselor)
        url = reverse("audit:disclosure_accounting", args=[consent.patient.pk])
        disclose(consent, counselor)
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for _ in range(5):
            disclose(consent, counselor)
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(url)

    def test_printable_copy_for_the_patient(self, login, counselor, consent):
        disclose(consent, counselor)
        response = login(counselor).get(reverse("audit:disclosure_accounting_print", args=[consent.patient.pk]))
        assert response.status_code == 200
        assert "Accounting of disclosures" in response.text and RECIPIENT in response.text
        assert AccessLog.objects.filter(action="print accounting of disclosures", patient=consent.patient).exists()

    def test_the_disclosures_tab_is_on_the_chart_for_clinicians(self, login, counselor, patient):
        response = login(counselor).get(reverse("patients:chart", args=[patient.pk]))
        assert reverse("audit:disclosure_accounting", args=[patient.pk]) in response.text

    def test_kept_when_the_consent_later_expires(self, counselor, consent):
        disclosure = DisclosureFactory(consent=consent, disclosed_by=counselor)
        consent.expires_on = timezone.localdate() + dt.timedelta(days=1)
        consent.save()
        assert Disclosure.objects.filter(patient=consent.patient).get() == disclosure
