"""Addresses from before the split keep working: they redirect to where the page now lives."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory, CounselorFactory
from aftercare.models import Discharge
from iop.urls import MOVED_ADMIN_MODELS
from testing.models import Analyte

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(login):
    return login(AdminFactory(is_superuser=True))


@pytest.mark.parametrize(
    ("old", "new"),
    [("/patients/drug-tests/", "testing:testing_lists"), ("/patients/check-ins/", "aftercare:checkins_due")],
)
def test_moved_pages_redirect_permanently(login, old, new):
    response = login(CounselorFactory()).get(old)
    assert response.status_code == 301
    assert response["Location"] == reverse(new)


def test_every_moved_admin_model_lives_in_its_new_app():
    from django.apps import apps

    for (old_app, model), new_app in MOVED_ADMIN_MODELS.items():
        assert apps.get_model(new_app, model)._meta.app_label == new_app
        assert (old_app, model) not in {(m._meta.app_label, m._meta.model_name) for m in apps.get_models()}


def test_old_admin_addresses_redirect_with_path_and_query(superuser_client):
    response = superuser_client.get("/admin/patients/drugtest/?status__exact=resulted")
    assert response.status_code == 301
    assert response["Location"] == "/admin/testing/drugtest/?status__exact=resulted"
    thc = Analyte.objects.get(code="thc")
    response = superuser_client.get(f"/admin/patients/analyte/{thc.pk}/change/")
    assert response["Location"] == f"/admin/testing/analyte/{thc.pk}/change/"
    assert superuser_client.get(response["Location"]).status_code == 200
    assert superuser_client.get("/admin/scheduling/program/", follow=True).status_code == 200
    assert Discharge._meta.app_label == "aftercare"


def test_admin_pages_of_models_that_did_not_move_are_not_redirected(superuser_client):
    assert superuser_client.get("/admin/patients/patient/").status_code == 200
    assert superuser_client.get("/admin/scheduling/session/").status_code == 200
