"""Part 2 disclosure consents: written (paper attached or signed on screen), structured, older ones confirmed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.constants import DataCategory, DisclosureSection
from audit.disclosure_scope import consent_unusable_reason
from audit.models import AccessLog
from patients.constants import ConsentKind, ConsentMethod
from patients.models import Consent
from patients.models.consents import SECTION_FIELDS
from patients.services import consent_record, consent_sections_confirm, signature_matches

from .factories import (
    CareTeamMemberFactory,
    ConsentFactory,
    EpisodeFactory,
    Part2DisclosureConsentFactory,
    PatientFactory,
    days_ago,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% signed consent scan\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Signed copies go to a directory of this test's own, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def patient(counselor, program):
    episode = EpisodeFactory(
        program=program,
        primary_clinician=counselor,
        patient=PatientFactory(legal_first_name="Dana", legal_last_name="O'Neill-Park"),
    )
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    return episode.patient


def add_url(patient):
    return reverse("patients:chart_record_add", args=[patient.pk, "consent"])


def part2_post(**overrides):
    data = {
        "kind": ConsentKind.PART2_DISCLOSURE,
        "method": ConsentMethod.ELECTRONIC,
        "granted_on": timezone.localdate().isoformat(),
        "expires_on": (timezone.localdate() + dt.timedelta(days=180)).isoformat(),
        "disclosing_program": "Riverside Health, Adult IOP — evenings",
        "recipient": "Harbor Street Family Practice",
        "purpose": "Coordination of care",
        "information_scope": "My diagnoses; insurance and substance use history are excluded.",
        "sections": [DisclosureSection.DIAGNOSES],
        "revocation_right_stated": "on",
        "signature": "Dana O'Neill-Park",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


class TestRecordingAPart2Consent:
    def test_signed_on_screen_allows_exactly_the_sections_ticked(self, login, counselor, patient):
        response = login(counselor).post(add_url(patient), part2_post())
        assert response.status_code == 302
        consent = Consent.objects.get(kind=ConsentKind.PART2_DISCLOSURE)
        # The words name diagnoses and mention insurance and substance use: only the tick decides.
        assert consent.allowed_sections == ["diagnoses"]
        assert consent.information_scope.startswith("My diagnoses")
        assert consent.signature_name == "Dana O'Neill-Park" and consent.signed_at is not None
        assert consent.sections_confirmed_by == counselor and consent.recorded_by == counselor
        assert consent.revocation_right_stated and consent.disclosing_program.startswith("Riverside Health")
        assert consent_unusable_reason(consent, patient) is None

    def test_the_form_shows_the_statement_the_patient_signs(self, login, counselor, patient):
        response = login(counselor).get(add_url(patient) + "?kind=part2_disclosure")
        assert response.status_code == 200
        assert f"I, {escape(patient.legal_name)}, allow the program named above" in response.text
        assert "except to the extent that the program has already acted in reliance on it" in response.text
        assert 'value="Riverside Health, Adult IOP — evenings"' in response.text  # who may disclose, prefilled
        assert 'enctype="multipart/form-data"' in response.text

    def test_signed_on_paper_keeps_the_scan_under_a_name_that_says_nothing(self, login, counselor, patient, media_root):
        scan = SimpleUploadedFile("Dana ONeill-Park SUD consent.pdf", PDF, content_type="application/pdf")
        response = login(counselor).post(
            add_url(patient), part2_post(method=ConsentMethod.SIGNED, signature=None, document=scan)
        )
        assert response.status_code == 302
        consent = Consent.objects.get(kind=ConsentKind.PART2_DISCLOSURE)
        assert consent.document.name.startswith(f"consents/{patient.pk}/")
        assert "Dana" not in consent.document.name and consent.document.name.endswith(".pdf")
        assert [path.read_bytes() for path in stored_files(media_root)] == [PDF]

    def test_the_signed_copy_is_served_to_the_care_team_and_the_look_logged(self, login, counselor, patient):
        consent = Part2DisclosureConsentFactory(patient=patient, on_paper=True)
        url = reverse("patients:consent_signed_copy", args=[patient.pk, consent.pk])
        response = login(counselor).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]
        log = AccessLog.objects.get(patient=patient, action="consent signed copy")
        assert log.category == DataCategory.CONSENTS

    def test_another_teams_clinician_cannot_fetch_the_signed_copy(self, login, patient):
        from accounts.tests.factories import CounselorFactory

        consent = Part2DisclosureConsentFactory(patient=patient, on_paper=True)
        url = reverse("patients:consent_signed_copy", args=[patient.pk, consent.pk])
        assert login(CounselorFactory()).get(url).status_code == 404

    def test_verbal_is_refused_with_a_message_next_to_the_method(self, login, counselor, patient):
        response = login(counselor).post(
            add_url(patient), part2_post(method=ConsentMethod.VERBAL, witness="R. Alvarez", signature=None)
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert "Verbal consent is not accepted" in " ".join(form.errors["method"])
        assert not Consent.objects.filter(kind=ConsentKind.PART2_DISCLOSURE).exists()

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"sections": None}, "sections", "Tick the sections"),
            ({"sections": ["counseling_notes"]}, "sections", "Select a valid choice"),
            ({"disclosing_program": ""}, "disclosing_program", "Name the program"),
            ({"revocation_right_stated": None}, "revocation_right_stated", "right to revoke"),
            ({"signature": ""}, "signature", "type their full name"),
            ({"signature": "D. Park"}, "signature", "full legal name (Dana O'Neill-Park)"),
            ({"method": ConsentMethod.SIGNED, "signature": None}, "document", "Attach the scan"),
            ({"granted_on": days_ago(3).isoformat()}, "granted_on", "signed on screen is signed today"),
        ],
    )
    def test_a_missing_element_is_refused_next_to_its_field(self, login, counselor, patient, overrides, field, message):
        response = login(counselor).post(add_url(patient), part2_post(**overrides))
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert not Consent.objects.filter(kind=ConsentKind.PART2_DISCLOSURE).exists()

    def test_a_file_that_is_not_what_its_name_says_is_refused_and_not_stored(
        self, login, counselor, patient, media_root
    ):
        disguised = SimpleUploadedFile("consent.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        response = login(counselor).post(
            add_url(patient), part2_post(method=ConsentMethod.SIGNED, signature=None, document=disguised)
        )
        assert "not the PDF, JPEG or PNG its name says" in " ".join(response.context["form"].errors["document"])
        assert not Consent.objects.exists() and stored_files(media_root) == []

    def test_a_row_that_fails_to_save_leaves_no_file_in_storage(
        self, login, counselor, patient, media_root, monkeypatch
    ):
        def insert_fails(*args, **kwargs):
            raise IntegrityError("the database refused the row")

        monkeypatch.setattr(Consent, "_do_insert", insert_fails)
        scan = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        with pytest.raises(IntegrityError):
            login(counselor).post(
                add_url(patient), part2_post(method=ConsentMethod.SIGNED, signature=None, document=scan)
            )
        assert stored_files(media_root) == []

    def test_sections_on_another_kind_of_consent_are_refused(self, counselor, patient):
        consent = Consent(patient=patient, kind=ConsentKind.TELEHEALTH, granted_on=timezone.localdate())
        with pytest.raises(ValidationError, match="Only a 42 CFR Part 2"):
            consent_record(consent=consent, recorded_by=counselor, sections=[DisclosureSection.DIAGNOSES])

    def test_other_consents_are_recorded_as_before(self, login, counselor, patient):
        response = login(counselor).post(
            add_url(patient),
            {
                "kind": ConsentKind.REMINDERS_SMS,
                "method": ConsentMethod.VERBAL,
                "witness": "R. Alvarez",
                "granted_on": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 302
        consent = Consent.objects.get(kind=ConsentKind.REMINDERS_SMS)
        assert consent.allowed_sections == [] and not consent.needs_section_confirmation


class TestSignature:
    @pytest.mark.parametrize(
        ("typed", "matches"),
        [
            ("Dana O'Neill-Park", True),
            ("  dana  o neill park ", True),
            ("Dana Maria O'Neill-Park", True),  # a middle name
            ("O'Neill-Park", False),
            ("Dana", False),
            ("Dan O'Neill-Park", False),
            ("", False),
        ],
    )
    def test_the_patients_full_legal_name(self, typed, matches):
        patient = PatientFactory.build(legal_first_name="Dana", legal_last_name="O'Neill-Park")
        assert signature_matches(patient, typed) is matches


class TestTheDatabaseHoldsTheRules:
    def assert_refused(self, constraint, **changes):
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
            Consent.objects.filter(kind=ConsentKind.PART2_DISCLOSURE).update(**changes)

    def test_a_section_cannot_be_allowed_without_a_person_confirming_it(self, patient):
        Part2DisclosureConsentFactory(patient=patient, needs_confirmation=True)
        self.assert_refused("patients_consent_sections_confirmed", allows_insurance=True)

    def test_a_confirmed_consent_allows_at_least_one_section(self, patient):
        Part2DisclosureConsentFactory(patient=patient)
        self.assert_refused("patients_consent_sections_confirmed", **dict.fromkeys(SECTION_FIELDS.values(), False))

    def test_only_a_part2_consent_allows_sections(self, patient, counselor):
        ConsentFactory(patient=patient, kind=ConsentKind.TELEHEALTH)
        with pytest.raises(IntegrityError, match="patients_consent_sections_confirmed"), transaction.atomic():
            Consent.objects.filter(kind=ConsentKind.TELEHEALTH).update(
                allows_diagnoses=True, sections_confirmed_at=timezone.now(), sections_confirmed_by=counselor
            )

    def test_a_confirmed_consent_is_written(self, patient):
        Part2DisclosureConsentFactory(patient=patient)
        self.assert_refused("patients_consent_part2_written", method=ConsentMethod.VERBAL, witness="R. Alvarez")

    def test_a_paper_consent_that_allows_sections_has_its_scan(self, patient):
        Part2DisclosureConsentFactory(patient=patient, on_paper=True)
        self.assert_refused("patients_consent_part2_written", document="")

    def test_a_confirmed_consent_names_who_may_disclose_and_states_the_right_to_revoke(self, patient):
        Part2DisclosureConsentFactory(patient=patient)
        self.assert_refused("patients_consent_part2_names_discloser", disclosing_program="")
        self.assert_refused("patients_consent_part2_states_revocation", revocation_right_stated=False)

    def test_a_screen_signature_has_its_name_and_time(self, patient):
        Part2DisclosureConsentFactory(patient=patient, on_paper=True)
        self.assert_refused("patients_consent_screen_signature_complete", signature_name=patient.legal_name)

    def test_a_new_verbal_part2_consent_is_refused_by_the_model_too(self, patient, counselor):
        consent = Part2DisclosureConsentFactory.build(
            patient=patient, recorded_by=counselor, needs_confirmation=True, method=ConsentMethod.VERBAL, witness="X"
        )
        with pytest.raises(ValidationError, match="Verbal consent is not accepted"):
            consent.full_clean()


class TestConfirmingAnOlderConsent:
    def url(self, consent):
        return reverse("patients:consent_confirm", args=[consent.patient_id, consent.pk])

    def test_the_chart_shows_it_needs_confirmation(self, login, counselor, patient):
        consent = Part2DisclosureConsentFactory(patient=patient, needs_confirmation=True)
        response = login(counselor).get(reverse("patients:chart_consents", args=[patient.pk]))
        assert "1 Part 2 disclosure consent needs confirmation" in response.text
        assert "Needs confirmation" in response.text and self.url(consent) in response.text
        assert "No section allowed" in response.text

    def test_confirming_records_the_sections_the_signed_paper_allows(self, login, counselor, patient):
        consent = Part2DisclosureConsentFactory(patient=patient, needs_confirmation=True)
        scan = SimpleUploadedFile("scan.pdf", PDF)
        response = login(counselor).post(
            self.url(consent),
            {
                "sections": [DisclosureSection.EPISODES, DisclosureSection.DIAGNOSES],
                "disclosing_program": "Riverside Health",
                "revocation_right_stated": "on",
                "document": scan,
            },
        )
        assert response.status_code == 302
        consent.refresh_from_db()
        assert consent.allowed_sections == ["episodes", "diagnoses"]
        assert consent.sections_confirmed_by == counselor and not consent.needs_section_confirmation
        assert consent.document.name.startswith(f"consents/{patient.pk}/")
        assert consent_unusable_reason(consent, patient) is None
        assert consent.history.first().sections_confirmed_by_id == counselor.pk  # who confirmed, in the history

    def test_confirming_without_the_signed_copy_is_refused_next_to_the_field(self, login, counselor, patient):
        consent = Part2DisclosureConsentFactory(patient=patient, needs_confirmation=True)
        response = login(counselor).post(
            self.url(consent),
            {
                "sections": [DisclosureSection.DIAGNOSES],
                "disclosing_program": "Riverside",
                "revocation_right_stated": "on",
            },
        )
        assert "Attach the scan" in " ".join(response.context["form"].errors["document"])
        consent.refresh_from_db()
        assert consent.needs_section_confirmation and consent.allowed_sections == []

    def test_sections_once_recorded_do_not_change(self, counselor, patient):
        consent = Part2DisclosureConsentFactory(patient=patient)
        with pytest.raises(ValidationError, match="They don't change"):
            consent_sections_confirm(
                consent=consent,
                confirmed_by=counselor,
                sections=list(SECTION_FIELDS),
                disclosing_program="Riverside Health",
                revocation_right_stated=True,
            )
        consent.refresh_from_db()
        assert consent.allowed_sections == ["episodes", "diagnoses"]

    def test_a_verbal_consent_cannot_be_confirmed(self, counselor, patient):
        consent = Part2DisclosureConsentFactory(
            patient=patient, needs_confirmation=True, method=ConsentMethod.VERBAL, witness="R. Alvarez"
        )
        with pytest.raises(ValidationError, match="given verbally"):
            consent_sections_confirm(
                consent=consent,
                confirmed_by=counselor,
                sections=[DisclosureSection.DIAGNOSES],
                disclosing_program="Riverside Health",
                revocation_right_stated=True,
                document=SimpleUploadedFile("scan.pdf", PDF),
            )
        assert "verbally" in consent_unusable_reason(consent, patient)

    def test_the_consents_page_does_not_grow_in_queries(self, login, counselor, patient, django_assert_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = login(counselor)
        url = reverse("patients:chart_consents", args=[patient.pk])
        Part2DisclosureConsentFactory(patient=patient)
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for _ in range(3):
            Part2DisclosureConsentFactory(patient=patient, needs_confirmation=True)
            Part2DisclosureConsentFactory(patient=patient, sections_confirmed_by=counselor)
            ConsentFactory(patient=patient)
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(url)


# serialized_rollback: a plain transactional flush re-runs post_migrate (role groups), and the next
# serialized test's restore would then collide with the groups it re-created.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_consents_from_before_migrate_allowing_nothing_until_confirmed(counselor, program):
    """Migration 0013 on a consent recorded with the free-text scope only: nothing allowed, confirmation needed."""
    from django.db import connection

    patient = PatientFactory()
    executor = MigrationExecutor(connection)
    before = [("patients", "0012_asam_edition_withdrawal_management_cosign")]
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldConsent = old_apps.get_model("patients", "Consent")
        old_id = OldConsent.objects.create(
            patient_id=patient.pk,
            kind=ConsentKind.PART2_DISCLOSURE,
            method=ConsentMethod.SIGNED,
            granted_on=days_ago(30),
            expires_on=days_ago(-300),
            recipient="Harbor Street Family Practice",
            purpose="Coordination of care",
            information_scope="Entire record",
            recorded_by_id=counselor.pk,
            recorded_at=timezone.now(),
        ).pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    consent = Consent.objects.get(pk=old_id)
    assert consent.allowed_sections == [] and consent.needs_section_confirmation
    assert consent.information_scope == "Entire record"  # the patient's words, kept
    assert "Needs confirmation" in consent_unusable_reason(consent, patient)
