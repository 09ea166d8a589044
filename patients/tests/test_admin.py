"""The chart in the Django admin: every page renders, lists do not grow in queries, nothing is deleted."""

from decimal import Decimal

import factory.random  # noqa: F401  (factories.valid_answers uses factory.random without importing it)
import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.constants import AlertKind, LevelOfCare
from patients.instruments import Instrument
from patients.models import (
    AsamAssessment,
    Authorization,
    BreakGlassAccess,
    CareTeamMember,
    Consent,
    Contact,
    Diagnosis,
    DuplicateOverride,
    Episode,
    InstrumentResponse,
    InsurancePolicy,
    Intake,
    LevelOfCareChange,
    Patient,
    PatientAlert,
    PatientMerge,
    SubstanceUse,
)
from patients.tests.factories import (
    AsamAssessmentFactory,
    AuthorizationFactory,
    CareTeamMemberFactory,
    ConsentFactory,
    ContactFactory,
    DiagnosisFactory,
    EpisodeFactory,
    InstrumentResponseFactory,
    InsurancePolicyFactory,
    IntakeFactory,
    LevelOfCareChangeFactory,
    PatientAlertFactory,
    PatientFactory,
    SubstanceUseFactory,
)
from programs.tests.factories import ProgramFactory

pytestmark = pytest.mark.django_db

FACTORIES = {
    Patient: PatientFactory,
    CareTeamMember: CareTeamMemberFactory,
    Contact: ContactFactory,
    PatientAlert: PatientAlertFactory,
    Consent: ConsentFactory,
    InsurancePolicy: InsurancePolicyFactory,
    Authorization: AuthorizationFactory,
    Episode: EpisodeFactory,
    LevelOfCareChange: LevelOfCareChangeFactory,
    Intake: IntakeFactory,
    InstrumentResponse: InstrumentResponseFactory,
    AsamAssessment: AsamAssessmentFactory,
    SubstanceUse: SubstanceUseFactory,
    Diagnosis: DiagnosisFactory,
}
# Emergency-access grants are made only by their service (read-only in the admin).
# Written only by their services (break-the-glass, registering despite matches, the chart merge): read-only here.
SERVICE_ONLY_MODELS = {BreakGlassAccess, DuplicateOverride, PatientMerge}
PATIENT_MODELS = [model for model in admin.site._registry if model._meta.app_label == "patients"]
MODEL_IDS = [model._meta.model_name for model in FACTORIES]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:patients_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password="not-used-in-tests"
    )


@pytest.fixture
def admin_client(login, superuser):
    return login(superuser)


def test_every_patients_model_is_registered():
    from django.apps import apps

    assert set(apps.get_app_config("patients").get_models()) - {
        model for model in apps.get_app_config("patients").get_models() if model.__name__.startswith("Historical")
    } == set(PATIENT_MODELS)
    assert set(FACTORIES) | SERVICE_ONLY_MODELS == set(PATIENT_MODELS)


@pytest.mark.parametrize("model", sorted(SERVICE_ONLY_MODELS, key=lambda m: m.__name__))
def test_service_only_changelists_render(admin_client, model):
    assert admin_client.get(url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", list(FACTORIES), ids=MODEL_IDS)
def test_changelist_add_and_change_pages_render(admin_client, model):
    record = FACTORIES[model]()
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 200
    assert admin_client.get(url(model, "change", record.pk)).status_code == 200
    assert admin_client.get(url(model, "history", record.pk)).status_code == 200


@pytest.mark.parametrize("model", list(FACTORIES), ids=MODEL_IDS)
def test_search_and_filters_render(admin_client, model):
    FACTORIES[model]()
    response = admin_client.get(url(model, "changelist"), {"q": "smith"})
    assert response.status_code == 200
    if hasattr(model, "entered_in_error_at"):
        assert admin_client.get(url(model, "changelist"), {"entered_in_error": "yes"}).status_code == 200


def _changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


def test_patient_changelist_runs_in_constant_queries(admin_client):
    clinician = get_user_model().objects.create_user(username="clin", first_name="Ada", last_name="Reyes")
    PatientFactory.create_batch(3, primary_clinician=clinician)
    few = _changelist_queries(admin_client, Patient)
    PatientFactory.create_batch(24)
    PatientFactory.create_batch(
        3, primary_clinician=get_user_model().objects.create_user(username="clin2", last_name="Okafor")
    )
    assert Patient.objects.count() == 30
    many = _changelist_queries(admin_client, Patient)
    assert many == few


@pytest.mark.parametrize("model", list(FACTORIES), ids=MODEL_IDS)
def test_every_changelist_runs_in_constant_queries(admin_client, model):
    FACTORIES[model].create_batch(2)
    few = _changelist_queries(admin_client, model)
    FACTORIES[model].create_batch(8)
    many = _changelist_queries(admin_client, model)
    assert many == few


# --- Nothing is deleted --------------------------------------------------------------------


@pytest.mark.parametrize("model", list(FACTORIES), ids=MODEL_IDS)
def test_delete_is_refused_everywhere(admin_client, superuser, model):
    record = FACTORIES[model]()
    model_admin = admin.site._registry[model]
    request = admin_client.get(url(model, "changelist")).wsgi_request
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, record) is False
    assert "delete_selected" not in model_admin.get_actions(request)
    action_form = admin_client.get(url(model, "changelist")).context["action_form"]
    if action_form is not None:
        assert "delete_selected" not in [name for name, _ in action_form.fields["action"].choices]
    change_page = admin_client.get(url(model, "change", record.pk))
    assert url(model, "delete", record.pk).encode() not in change_page.content
    assert admin_client.get(url(model, "delete", record.pk)).status_code == 403
    assert admin_client.post(url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=record.pk).exists()


def test_delete_selected_posted_anyway_deletes_nothing(admin_client):
    patient = PatientFactory()
    response = admin_client.post(
        url(Patient, "changelist"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [patient.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_inlines_cannot_delete(admin_client):
    patient = PatientFactory()
    response = admin_client.get(url(Patient, "change", patient.pk))
    formsets = response.context["inline_admin_formsets"]
    assert {formset.opts.model for formset in formsets} == {Contact, Consent, CareTeamMember, InsurancePolicy}
    assert not any(formset.formset.can_delete for formset in formsets)
    assert url(Patient, "delete", patient.pk).encode() not in response.content


def test_episode_shows_level_changes_and_policy_shows_authorizations(admin_client):
    change = LevelOfCareChangeFactory()
    response = admin_client.get(url(Episode, "change", change.episode.pk))
    assert [f.opts.model for f in response.context["inline_admin_formsets"]] == [LevelOfCareChange]
    assert change.reason.encode() in response.content
    authorization = AuthorizationFactory()
    response = admin_client.get(url(InsurancePolicy, "change", authorization.policy.pk))
    assert [f.opts.model for f in response.context["inline_admin_formsets"]] == [Authorization]


# --- Mark entered in error -----------------------------------------------------------------


@pytest.mark.parametrize("model", [m for m in FACTORIES if m is not CareTeamMember], ids=lambda m: m._meta.model_name)
def test_mark_entered_in_error_is_offered_on_clinical_records(admin_client, model):
    FACTORIES[model]()
    actions = admin_client.get(url(model, "changelist")).context["action_form"].fields["action"].choices
    assert "mark_entered_in_error" in [name for name, _ in actions]


def test_mark_entered_in_error_asks_for_a_reason_first(admin_client):
    diagnoses = DiagnosisFactory.create_batch(2)
    response = admin_client.post(
        url(Diagnosis, "changelist"),
        {"action": "mark_entered_in_error", "index": 0, ACTION_CHECKBOX_NAME: [d.pk for d in diagnoses]},
    )
    assert response.status_code == 200
    assert response.templates[0].name == "admin/mark_entered_in_error.html"
    assert b'name="reason"' in response.content
    assert not Diagnosis.objects.filter(entered_in_error_at__isnull=False).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_mark_entered_in_error_requires_a_reason(admin_client, reason):
    diagnosis = DiagnosisFactory()
    response = admin_client.post(
        url(Diagnosis, "changelist"),
        {"action": "mark_entered_in_error", "apply": "yes", "reason": reason, ACTION_CHECKBOX_NAME: [diagnosis.pk]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    diagnosis.refresh_from_db()
    assert diagnosis.entered_in_error_at is None


def test_mark_entered_in_error_marks_with_user_and_reason(admin_client, superuser):
    wrong, right = DiagnosisFactory.create_batch(2)
    response = admin_client.post(
        url(Diagnosis, "changelist"),
        {
            "action": "mark_entered_in_error",
            "apply": "yes",
            "reason": "  Charted on the wrong patient.  ",
            ACTION_CHECKBOX_NAME: [wrong.pk],
        },
    )
    assert response.status_code == 302
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert wrong.is_entered_in_error
    assert wrong.entered_in_error_by == superuser
    assert wrong.entered_in_error_reason == "Charted on the wrong patient."
    assert not right.is_entered_in_error
    # Still there and still listed: admins see rows entered in error, and can filter on them.
    listed = admin_client.get(url(Diagnosis, "changelist"))
    assert set(listed.context["cl"].result_list) == {wrong, right}
    only_errors = admin_client.get(url(Diagnosis, "changelist"), {"entered_in_error": "yes"})
    assert list(only_errors.context["cl"].result_list) == [wrong]
    only_valid = admin_client.get(url(Diagnosis, "changelist"), {"entered_in_error": "no"})
    assert list(only_valid.context["cl"].result_list) == [right]
    assert wrong.history.first().entered_in_error_reason == "Charted on the wrong patient."


def test_mark_entered_in_error_leaves_earlier_marks_alone(admin_client, superuser):
    other = get_user_model().objects.create_user(username="other")
    contact = ContactFactory()
    contact.mark_entered_in_error(by=other, reason="Duplicate.")
    first_marked_at = contact.entered_in_error_at
    admin_client.post(
        url(Contact, "changelist"),
        {"action": "mark_entered_in_error", "apply": "yes", "reason": "Again.", ACTION_CHECKBOX_NAME: [contact.pk]},
    )
    contact.refresh_from_db()
    assert (contact.entered_in_error_by, contact.entered_in_error_reason) == (other, "Duplicate.")
    assert contact.entered_in_error_at == first_marked_at


def test_mark_entered_in_error_on_patients(admin_client, superuser):
    patients = PatientFactory.create_batch(3)
    response = admin_client.post(
        url(Patient, "changelist"),
        {
            "action": "mark_entered_in_error",
            "apply": "yes",
            "reason": "Test charts created during training.",
            ACTION_CHECKBOX_NAME: [p.pk for p in patients[:2]],
        },
    )
    assert response.status_code == 302
    assert Patient.objects.filter(entered_in_error_at__isnull=False).count() == 2
    assert Patient.objects.count() == 3


# --- Computed fields are never typed -------------------------------------------------------


def test_instrument_scores_are_read_only(admin_client):
    response = InstrumentResponseFactory(instrument=Instrument.PHQ9, items=[1] * 9)
    page = admin_client.get(url(InstrumentResponse, "change", response.pk))
    form_fields = set(page.context["adminform"].form.fields)
    assert not form_fields & {"score", "band", "subscales", "items", "is_positive", "instrument"}
    admin_client.post(
        url(InstrumentResponse, "change", response.pk),
        {
            "administered_at_0": "2026-01-05",
            "administered_at_1": "10:00",
            "administered_by": response.administered_by.pk,
            "score": 0,
            "band": "minimal",
            "items": "[0, 0, 0, 0, 0, 0, 0, 0, 0]",
        },
    )
    response.refresh_from_db()
    assert (response.score, response.band, response.items) == (9, "mild", [1] * 9)


def _instrument_add_data(patient, counselor, items: str) -> dict:
    return {
        "patient": patient.pk,
        "instrument": Instrument.PHQ9,
        "items": items,
        "administered_at_0": "2026-01-05",
        "administered_at_1": "10:00",
        "administered_by": counselor.pk,
    }


def test_adding_an_instrument_in_the_admin_scores_it_and_raises_the_safety_alert(admin_client, superuser):
    patient = PatientFactory()
    response = admin_client.post(
        url(InstrumentResponse, "add"), _instrument_add_data(patient, superuser, "[3, 3, 3, 3, 3, 0, 0, 0, 1]")
    )
    assert response.status_code == 302
    saved = InstrumentResponse.objects.get(patient=patient)
    assert (saved.score, saved.band, saved.is_positive) == (16, "moderately severe", True)
    assert PatientAlert.objects.filter(patient=patient, kind=AlertKind.SAFETY, source_instrument=saved).exists()


def test_adding_an_instrument_with_bad_answers_names_the_items(admin_client, superuser):
    patient = PatientFactory()
    response = admin_client.post(
        url(InstrumentResponse, "add"), _instrument_add_data(patient, superuser, "[0, 5, 0, 0, 0, 0, 0]")
    )
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["items"])
    assert "Item 2" in errors
    assert "Item 8" in errors
    assert "Item 9" in errors
    assert not InstrumentResponse.objects.exists()


def test_asam_recommended_level_is_computed_not_typed(admin_client, superuser):
    patient = PatientFactory()
    ratings = {
        "d1_intoxication": 0,
        "d2_biomedical": 0,
        "d3_emotional": 2,
        "d4_readiness": 1,
        "d5_relapse": 3,
        "d6_environment": 1,
    }
    response = admin_client.post(
        url(AsamAssessment, "add"),
        {
            "patient": patient.pk,
            **ratings,
            "recommended_level": LevelOfCare.OP,
            "assessed_at_0": "2026-01-05",
            "assessed_at_1": "10:00",
            "assessed_by": superuser.pk,
        },
    )
    assert response.status_code == 302
    assessment = AsamAssessment.objects.get(patient=patient)
    assert assessment.recommended_level == LevelOfCare.PHP


def test_level_change_added_in_the_admin_moves_the_episode(admin_client, superuser):
    episode = EpisodeFactory()  # 2.1, 12 hours a week
    data = {
        "episode": episode.pk,
        "to_level": LevelOfCare.OP,
        "effective_on": episode.admitted_on.isoformat(),
        "reason": "Stable; steps down.",
        "recorded_by": superuser.pk,
    }
    # Level 1.0 is under 9 hours a week for adults: the 12-hour target does not fit it.
    refused = admin_client.post(url(LevelOfCareChange, "add"), data)
    assert refused.status_code == 200
    assert "does not fit level 1.0 Outpatient (0 to under 9 hours)" in str(
        refused.context["adminform"].form.errors["target_weekly_hours"]
    )
    assert not LevelOfCareChange.objects.exists()
    response = admin_client.post(url(LevelOfCareChange, "add"), {**data, "target_weekly_hours": "6"})
    assert response.status_code == 302
    change = LevelOfCareChange.objects.get(episode=episode)
    assert (change.from_level, change.to_level) == (LevelOfCare.IOP, LevelOfCare.OP)
    episode.refresh_from_db()
    assert (episode.level_of_care, episode.target_weekly_hours) == (LevelOfCare.OP, Decimal("6"))


def test_patient_added_in_the_admin_gets_an_mrn_and_a_normalized_phone(admin_client):
    data = {
        "legal_first_name": "Rosa",
        "legal_last_name": "Delgado",
        "preferred_name": "",
        "pronouns": "",
        "date_of_birth": "1984-03-09",
        "sex_at_birth": "female",
        "gender_identity": "",
        "status": "referral",
        "phone": "(617) 555-0142",
        "email": "",
        "preferred_contact_channel": "phone",
        "language": "English",
        "address_line1": "",
        "address_line2": "",
        "city": "",
        "state": "",
        "postal_code": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "emergency_contact_relationship": "",
    }
    for prefix in ("contacts", "consents", "care_team", "insurance_policies"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = admin_client.post(url(Patient, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    patient = Patient.objects.get(legal_last_name="Delgado")
    assert len(patient.mrn) == 9
    assert patient.phone == "+16175550142"


def test_admin_search_finds_patients_by_mrn_and_name_only(admin_client):
    patient = PatientFactory(legal_first_name="Imani", legal_last_name="Okonkwo", phone="+16175550142")
    PatientFactory(legal_first_name="Other", legal_last_name="Person")
    for term in (patient.mrn, "Okonkwo", "Imani"):
        found = admin_client.get(url(Patient, "changelist"), {"q": term}).context["cl"].result_list
        assert list(found) == [patient]
    by_phone = admin_client.get(url(Patient, "changelist"), {"q": "5550142"}).context["cl"].result_list
    assert list(by_phone) == []
    found = admin_client.get(url(Episode, "changelist"), {"q": "Okonkwo"})
    assert found.status_code == 200


def test_episode_level_is_read_only_once_admitted(admin_client):
    episode = EpisodeFactory(program=ProgramFactory())
    page = admin_client.get(url(Episode, "change", episode.pk))
    assert "level_of_care" not in page.context["adminform"].form.fields
