import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PrescriberFactory
from audit.constants import DataCategory
from audit.models import AccessLog
from medications.constants import MEDICATION_CATALOGUE, CatalogueMedication, MedicationCategory
from medications.models import Medication
from medications.services import medications as medication_services
from medications.tests.factories import MedicationFactory
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from testing.models import Analyte

pytestmark = pytest.mark.django_db


@pytest.fixture
def prescriber(program):
    return PrescriberFactory(programs=[program])


@pytest.fixture
def episode(counselor, prescriber, program):
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    CareTeamMemberFactory(patient=episode.patient, user=prescriber, role="prescriber")
    return episode


class TestCatalogue:
    @pytest.mark.parametrize(
        ("code", "analytes"),
        [
            ("buprenorphine", {"buprenorphine"}),
            ("buprenorphine_naloxone", {"buprenorphine"}),
            ("buprenorphine_xr", {"buprenorphine"}),
            ("methadone", {"methadone"}),
            ("naltrexone_oral", set()),
            ("naltrexone_xr", set()),
            ("acamprosate", set()),
            ("disulfiram", set()),
            ("clonazepam", {"benzodiazepines"}),
            ("sertraline", set()),
        ],
    )
    def test_expected_analytes_exist_and_match_the_pharmacology(self, code, analytes):
        assert set(MEDICATION_CATALOGUE[code].expected_analytes) == analytes
        assert Analyte.objects.filter(code__in=analytes).count() == len(analytes)

    def test_every_catalogue_choice_has_an_entry(self):
        assert set(CatalogueMedication.values) == set(MEDICATION_CATALOGUE)


class TestMedicationServices:
    def test_catalogue_medication_fills_name_category_route_and_analytes(self, episode, prescriber):
        medication = medication_services.medication_add(
            patient=episode.patient,
            recorded_by=prescriber,
            catalogue_code="methadone",
            dose="80 mg",
            frequency="daily at the OTP",
            source="otp",
            outside_prescriber="Harbor OTP",
        )
        assert medication.name == "Methadone" and medication.category == MedicationCategory.MOUD
        assert list(medication.expected_analytes.values_list("code", flat=True)) == ["methadone"]
        assert medication.prescriber is None

    def test_our_prescriber_must_be_named(self, episode, prescriber):
        with pytest.raises(ValidationError) as error:
            medication_services.medication_add(
                patient=episode.patient, recorded_by=prescriber, name="Sertraline", dose="50 mg", frequency="daily",
                source="ours",
            )  # fmt: skip
        assert "prescriber" in error.value.message_dict
        assert not Medication.objects.exists()

    def test_stop_needs_a_reason_and_keeps_history(self, episode, prescriber):
        medication = MedicationFactory(patient=episode.patient, prescriber=prescriber)
        with pytest.raises(ValidationError):
            medication_services.medication_stop(
                medication=medication, stop_date=timezone.localdate(), stop_reason="", by=prescriber
            )
        medication_services.medication_stop(
            medication=medication,
            stop_date=timezone.localdate(),
            stop_reason="switched to XR-naltrexone",
            by=prescriber,
        )
        assert medication.history.count() >= 2
        assert medication.history.first().stop_reason == "switched to XR-naltrexone"

    def test_stop_before_start_is_refused(self, episode, prescriber):
        medication = MedicationFactory(patient=episode.patient, prescriber=prescriber)
        with pytest.raises(ValidationError):
            medication_services.medication_stop(
                medication=medication, stop_date=medication.start_date - dt.timedelta(days=1), stop_reason="x",
                by=prescriber,
            )  # fmt: skip


class TestMedicationPages:
    def test_prescriber_adds_from_the_catalogue(self, login, prescriber, episode):
        response = login(prescriber).post(
            reverse("medications:medication_add", args=[episode.patient.pk]),
            {
                "catalogue_code": "buprenorphine_naloxone",
                "category": "moud",
                "dose": "16 mg",
                "route": "sublingual",
                "frequency": "once daily",
                "source": "ours",
                "prescriber": prescriber.pk,
                "start_date": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 302
        medication = Medication.objects.get()
        assert medication.name == "Buprenorphine-naloxone"
        assert list(medication.expected_analytes.values_list("code", flat=True)) == ["buprenorphine"]

    def test_outside_prescriber_without_name_shows_the_error_by_the_field(self, login, prescriber, episode):
        response = login(prescriber).post(
            reverse("medications:medication_add", args=[episode.patient.pk]),
            {"name": "Quetiapine", "category": "psychiatric", "dose": "50 mg", "route": "oral", "frequency": "qhs",
             "source": "outside", "start_date": timezone.localdate().isoformat()},
        )  # fmt: skip
        assert response.status_code == 200
        assert "Name the outside prescriber or program." in response.text
        assert not Medication.objects.exists()

    def test_counselor_views_but_cannot_add(self, login, counselor, episode):
        MedicationFactory(patient=episode.patient)
        client = login(counselor)
        response = client.get(reverse("medications:chart_medications", args=[episode.patient.pk]))
        assert response.status_code == 200 and "Buprenorphine-naloxone" in response.text
        assert "Add a medication" not in response.text
        assert client.get(reverse("medications:medication_add", args=[episode.patient.pk])).status_code == 403
        log = AccessLog.objects.get(patient=episode.patient, user=counselor)
        assert log.category == DataCategory.MEDICATIONS

    def test_prescriber_stops_a_medication(self, login, prescriber, episode):
        medication = MedicationFactory(patient=episode.patient, prescriber=prescriber)
        response = login(prescriber).post(
            reverse("medications:medication_stop", args=[episode.patient.pk, medication.pk]),
            {"stop-stop_date": timezone.localdate().isoformat(), "stop-stop_reason": "completed taper"},
        )
        assert response.status_code == 302
        medication.refresh_from_db()
        assert medication.stop_date == timezone.localdate()

    def test_list_query_count_does_not_grow(self, login, counselor, episode, django_assert_num_queries):
        client = login(counselor)
        url = reverse("medications:chart_medications", args=[episode.patient.pk])
        MedicationFactory(patient=episode.patient)
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for code in ("clonazepam", "sertraline", "methadone"):
            MedicationFactory(patient=episode.patient, catalogue_code=code, name=code, analytes=["benzodiazepines"])
            MedicationFactory(
                patient=episode.patient, stop_date=timezone.localdate() - dt.timedelta(days=1), stop_reason="done"
            )
        with django_assert_num_queries(len(small.captured_queries)):
            client.get(url)

    def test_other_teams_clinician_gets_404(self, login, other_counselor, episode):
        response = login(other_counselor).get(reverse("medications:chart_medications", args=[episode.patient.pk]))
        assert response.status_code == 404


def test_medication_admin_pages_render(login):
    from django.contrib.auth import get_user_model

    client = login(get_user_model().objects.create_superuser(username="root", email="r@example.org", password="x"))
    medication = MedicationFactory()
    assert client.get(reverse("admin:medications_medication_changelist")).status_code == 200
    assert client.get(reverse("admin:medications_medication_change", args=[medication.pk])).status_code == 200
    assert client.get(reverse("admin:medications_medication_add")).status_code == 200
