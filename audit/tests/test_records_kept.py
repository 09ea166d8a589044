"""Clinical records keep their history and are never deleted: checked on every ClinicalRecord model there is."""

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from iop.models import ClinicalRecord

CLINICAL_MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, ClinicalRecord)), key=lambda m: m._meta.label
)
ADMIN_CLINICAL = [model for model in CLINICAL_MODELS if model in site._registry]
# The only clinical records allowed to have no history table, each with the reason.
HISTORY_EXEMPT = {
    # 42 CFR §2.11 (2024): SUD counseling notes are kept apart and seen only by their author;
    # a history table would keep a second copy of their content that the admin could show.
    "clinical.CounselingNote",
}


def test_the_walk_finds_the_chart():
    labels = {model._meta.label for model in CLINICAL_MODELS}
    assert {"patients.Patient", "patients.Consent", "patients.Episode", "patients.InstrumentResponse"} <= labels


@pytest.mark.parametrize("model", CLINICAL_MODELS, ids=lambda m: m._meta.label)
def test_every_clinical_record_keeps_history(model):
    if model._meta.label in HISTORY_EXEMPT:
        assert not hasattr(model, "history")
        return
    assert hasattr(model, "history"), f"{model._meta.label} has no HistoricalRecords()"
    assert model.history.model._meta.db_table.endswith(model._meta.model_name)


@pytest.mark.parametrize("model", CLINICAL_MODELS, ids=lambda m: m._meta.label)
@pytest.mark.django_db
def test_every_clinical_record_refuses_delete(model):
    with pytest.raises(ValidationError, match="never deleted"):
        model().delete()
    with pytest.raises(ValidationError, match="never deleted"):
        model._default_manager.all().delete()
    with pytest.raises(ValidationError, match="never deleted"):
        model.objects.none().delete()


@pytest.mark.parametrize("model", ADMIN_CLINICAL, ids=lambda m: m._meta.label)
def test_the_admin_offers_no_delete_and_shows_history(rf, model):
    from accounts.tests.factories import UserFactory

    request = rf.get("/")
    request.user = UserFactory.build(is_superuser=True, is_staff=True)
    model_admin = site._registry[model]
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request):
        if issubclass(inline.model, ClinicalRecord):
            assert not inline.has_delete_permission(request)
    if model._meta.label not in HISTORY_EXEMPT:
        assert isinstance(model_admin, SimpleHistoryAdmin)


@pytest.mark.django_db
def test_a_records_history_page_renders_in_the_admin(login, admin_user_superuser):
    from patients.tests.factories import ConsentFactory

    consent = ConsentFactory()
    consent.witness = "Front desk"
    consent.save()
    response = login(admin_user_superuser).get(f"/admin/patients/consent/{consent.pk}/history/")
    assert response.status_code == 200
    assert "Changed" in response.text or "Created" in response.text


@pytest.fixture
def admin_user_superuser(db):
    from accounts.tests.factories import AdminFactory

    return AdminFactory(is_superuser=True)
