"""Looks through the admin at patient data are logged like the chart's, and every 403 is logged."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import AdminFactory, CounselorFactory
from accounts.tests.helpers import login_verified
from audit.constants import DataCategory, Outcome
from audit.middleware import patient_path, shows_patient_data
from audit.models import AccessLog
from clinical.services import counseling_note_create
from medications.tests.factories import MedicationFactory
from patients.models import Patient
from patients.tests.factories import ConsentFactory, EpisodeFactory, PatientFactory
from scheduling.tests.factories import EnrolmentFactory, GroupFactory, RoomFactory, SessionFactory
from testing.tests.factories import resulted_test

pytestmark = pytest.mark.django_db


def admin_url(obj, view: str = "change", *args) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])


def new_rows(since: int):
    return list(AccessLog.objects.filter(pk__gt=since).order_by("pk"))


def last_row_id() -> int:
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def admin_client():
    return login_verified(Client(raise_request_exception=False), AdminFactory(is_superuser=True))


def record_of(kind: str, patient: Patient):
    """A record of this kind about the patient, as the five admin pages of issue 12 show them."""
    if kind == "patient":
        return patient
    if kind == "consent":
        return ConsentFactory(patient=patient)
    if kind == "medication":
        return MedicationFactory(patient=patient)
    if kind == "session":
        return SessionFactory(episode=EpisodeFactory(patient=patient))
    # Three foreign keys from the patient: analyte result → result set → drug test → patient.
    return resulted_test(patient).result_sets.get().analyte_results.first()


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("patient", DataCategory.DEMOGRAPHICS),
        ("consent", DataCategory.CONSENTS),
        ("medication", DataCategory.MEDICATIONS),
        ("session", DataCategory.SCHEDULE),
        ("analyte_result", DataCategory.DRUG_TESTS),
    ],
)
def test_an_admin_record_page_names_its_patient_in_the_access_log(admin_client, kind, category):
    patient = PatientFactory()
    record = record_of(kind, patient)
    since = last_row_id()
    assert admin_client.get(admin_url(record)).status_code == 200
    rows = new_rows(since)
    assert [(row.patient_id, row.category, row.action, row.outcome) for row in rows] == [
        (patient.pk, category, "admin record", Outcome.ALLOWED)
    ]
    assert patient.mrn not in rows[0].detail and patient.legal_last_name not in rows[0].detail


def test_an_admin_list_writes_one_row_per_page(admin_client, settings):
    for _ in range(3):
        PatientFactory()
    url = reverse("admin:patients_patient_changelist")
    since = last_row_id()
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"p": "2"}).status_code in {200, 302}
    rows = new_rows(since)
    assert rows[0].action == "admin list" and rows[0].patient_id is None
    assert rows[0].category == DataCategory.DEMOGRAPHICS and rows[0].detail == "patients.patient page 1"
    assert len(rows) <= 2


def test_admin_history_pages_are_logged(admin_client):
    patient = PatientFactory()
    patient.preferred_name = "Sam"
    patient.save()
    version = patient.history.order_by("-history_id").first()
    since = last_row_id()
    assert admin_client.get(admin_url(patient, "history")).status_code == 200
    assert admin_client.get(admin_url(patient, "simple_history", version.history_id)).status_code == 200
    assert [(row.action, row.patient_id) for row in new_rows(since)] == [
        ("admin history", patient.pk),
        ("admin history version", patient.pk),
    ]


def test_a_page_listing_patients_inline_is_logged_and_one_without_patients_is_not(admin_client):
    group = GroupFactory()
    EnrolmentFactory(group=group)
    room = RoomFactory()
    since = last_row_id()
    assert admin_client.get(admin_url(group)).status_code == 200
    assert admin_client.get(admin_url(room)).status_code == 200
    assert admin_client.get(reverse("admin:scheduling_room_changelist")).status_code == 200
    rows = new_rows(since)
    assert [(row.category, row.patient_id) for row in rows] == [(DataCategory.SCHEDULE, None)]


def test_which_admin_pages_show_patient_data():
    from django.contrib import admin

    shown = {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if shows_patient_data(model_admin)
    }
    assert {
        "patients.patient",
        "clinical.objective",
        "testing.analyteresult",
        "testing.randomdraw",
        "scheduling.group",
        "audit.accesslog",
    } <= shown
    assert not shown & {"scheduling.room", "programs.program", "accounts.user", "otp_totp.totpdevice", "auth.group"}
    assert patient_path(Patient) == ""


def test_a_refused_admin_page_is_logged_without_the_patient(caplog):
    """The Admin role holds no counseling-note permission: the list is a 403, logged as a refusal."""
    patient = PatientFactory()
    counseling_note_create(patient=patient, author=CounselorFactory(), content="Secret dream work.")
    user = AdminFactory()
    client = login_verified(Client(raise_request_exception=False), user)
    since = last_row_id()
    with caplog.at_level(logging.WARNING, logger="audit.refusals"):
        response = client.get(reverse("admin:clinical_counselingnote_changelist"), {"q": patient.legal_last_name})
    assert response.status_code == 403
    assert [(row.user_id, row.category, row.outcome, row.patient_id) for row in new_rows(since)] == [
        (user.pk, DataCategory.NOTES, Outcome.REFUSED, None)
    ]
    lines = [record.getMessage() for record in caplog.records if record.name == "audit.refusals"]
    assert len(lines) == 1 and f"user={user.pk}" in lines[0] and "admin/clinical/counselingnote/" in lines[0]
    assert patient.legal_last_name not in lines[0]


def test_a_refused_page_of_the_app_is_logged_by_its_route_never_its_values(caplog):
    """A counselor may not co-sign an admission: the 403 is logged by route pattern, with no patient in it."""
    episode = EpisodeFactory()
    user = CounselorFactory()
    client = login_verified(Client(raise_request_exception=False), user)
    url = reverse("patients:episode_cosign", args=[episode.patient_id, episode.pk])
    since = last_row_id()
    with caplog.at_level(logging.WARNING, logger="audit.refusals"):
        response = client.post(f"{url}?q={episode.patient.mrn}")
    assert response.status_code == 403
    rows = new_rows(since)
    assert [(row.category, row.outcome, row.patient_id) for row in rows] == [
        (DataCategory.DEMOGRAPHICS, Outcome.REFUSED, None)
    ]
    assert rows[0].detail == "patients/<int:pk>/episodes/<int:episode_pk>/cosign/"
    (line,) = [record.getMessage() for record in caplog.records if record.name == "audit.refusals"]
    assert "POST patients/<int:pk>/episodes/<int:episode_pk>/cosign/ (patients:episode_cosign)" in line
    assert episode.patient.mrn not in line and f"/{episode.patient_id}/" not in line


def test_a_non_admin_at_a_patients_admin_page_is_refused_and_logged():
    patient = PatientFactory()
    client = login_verified(Client(raise_request_exception=False), CounselorFactory())
    since = last_row_id()
    response = client.get(admin_url(patient))
    assert response.status_code == 403 and "The admin is for administrators" in response.text
    assert patient.legal_last_name not in response.text
    assert [(row.category, row.outcome, row.patient_id) for row in new_rows(since)] == [
        (DataCategory.DEMOGRAPHICS, Outcome.REFUSED, None)
    ]
