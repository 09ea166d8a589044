import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AccessLog
from patients.constants import PatientStatus
from patients.models import Patient
from patients.selectors import patient_search, possible_duplicates

from .factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory

pytestmark = pytest.mark.django_db


def names(queryset):
    return sorted(p.legal_last_name for p in queryset)


class TestSearch:
    def test_name_search_ignores_accents_and_case(self):
        PatientFactory(legal_first_name="José", legal_last_name="Núñez")
        PatientFactory(legal_first_name="Joseph", legal_last_name="Nunn")
        assert names(patient_search(Patient.objects.all(), "NUNEZ jose")) == ["Núñez"]
        assert names(patient_search(Patient.objects.all(), "núñez")) == ["Núñez"]

    def test_preferred_name_is_searchable(self):
        PatientFactory(legal_first_name="Katherine", preferred_name="Kit", legal_last_name="Osei")
        assert names(patient_search(Patient.objects.all(), "kit")) == ["Osei"]

    def test_date_of_birth_in_us_and_iso_formats(self):
        PatientFactory(legal_last_name="Born", date_of_birth=dt.date(1985, 3, 7))
        PatientFactory(legal_last_name="Other", date_of_birth=dt.date(1985, 3, 8))
        assert names(patient_search(Patient.objects.all(), "03/07/1985")) == ["Born"]
        assert names(patient_search(Patient.objects.all(), "1985-03-07")) == ["Born"]

    def test_mrn_and_phone(self):
        target = PatientFactory(legal_last_name="Target", phone="+16175550142")
        PatientFactory(legal_last_name="Else", phone="+16175550177")
        assert names(patient_search(Patient.objects.all(), target.mrn)) == ["Target"]
        assert names(patient_search(Patient.objects.all(), "(617) 555-0142")) == ["Target"]
        assert names(patient_search(Patient.objects.all(), "0142")) == ["Target"]

    def test_entered_in_error_patients_are_not_found(self, admin_user):
        patient = PatientFactory(legal_last_name="Mistake")
        patient.mark_entered_in_error(by=admin_user, reason="Registered twice")
        from patients.selectors import patients_visible_to

        assert names(patient_search(patients_visible_to(admin_user), "mistake")) == []


class TestDuplicates:
    def test_same_name_and_birth_date_or_same_phone(self):
        existing = PatientFactory(
            legal_first_name="Zoë", legal_last_name="Brontë", date_of_birth=dt.date(1990, 1, 2), phone="+16175550150"
        )
        by_name = possible_duplicates(
            legal_first_name="zoe", legal_last_name="bronte", date_of_birth=dt.date(1990, 1, 2), phone=""
        )
        by_phone = possible_duplicates(
            legal_first_name="X", legal_last_name="Y", date_of_birth=dt.date(2000, 1, 1), phone="617-555-0150"
        )
        unrelated_dob = possible_duplicates(
            legal_first_name="Zoë", legal_last_name="Brontë", date_of_birth=dt.date(1993, 8, 25), phone=""
        )
        assert [match.patient for match in by_name] == [existing]
        assert [match.patient for match in by_phone] == [existing]
        assert unrelated_dob == []


class TestRegistryPage:
    def test_intake_worker_finds_patients_and_the_search_is_logged(self, login, intake_worker):
        PatientFactory(legal_first_name="Ana", legal_last_name="Ibáñez")
        response = login(intake_worker).get(reverse("patients:registry"), {"q": "ibanez"})
        assert response.status_code == 200
        assert "Ibáñez" in response.text
        log = AccessLog.objects.get(action="registry search")
        assert log.user == intake_worker
        assert "ibanez" not in log.detail

    def test_counselor_sees_only_their_care_team_and_program(self, login, counselor, program, other_counselor):
        mine = PatientFactory(legal_last_name="Mine")
        CareTeamMemberFactory(patient=mine, user=counselor)
        EpisodeFactory(patient=PatientFactory(legal_last_name="InProgram"), program=program)
        EpisodeFactory(patient=PatientFactory(legal_last_name="Elsewhere"), primary_clinician=other_counselor)
        response = login(counselor).get(reverse("patients:registry"))
        assert "Mine" in response.text and "InProgram" in response.text
        assert "Elsewhere" not in response.text

    def test_htmx_search_returns_only_the_results_partial(self, login, intake_worker):
        PatientFactory(legal_last_name="Partial")
        response = login(intake_worker).get(reverse("patients:registry"), {"q": "partial"}, HTTP_HX_REQUEST="true")
        assert "Partial" in response.text
        assert "<html" not in response.text

    def test_status_filter(self, login, intake_worker):
        PatientFactory(legal_last_name="Referred", status=PatientStatus.REFERRAL)
        EpisodeFactory(patient=PatientFactory(legal_last_name="Admitted", status=PatientStatus.ADMITTED))
        response = login(intake_worker).get(reverse("patients:registry"), {"status": "admitted"})
        assert "Admitted" in response.text and "Referred" not in response.text

    @pytest.mark.parametrize("count", [3, 30])
    def test_query_count_does_not_grow_with_the_data(self, login, intake_worker, count, django_assert_max_num_queries):
        for _ in range(count):
            EpisodeFactory()
        client = login(intake_worker)
        # session, user, groups/permissions, count, page, prefetch of episodes+programs, access log, nav perms
        with django_assert_max_num_queries(12):
            response = client.get(reverse("patients:registry"), {"q": ""})
        assert response.status_code == 200


class TestRegisterPatient:
    def form(self, **overrides):
        data = {
            "legal_first_name": "Rosa",
            "legal_last_name": "Delgado",
            "date_of_birth": "1988-06-14",
            "sex_at_birth": "female",
            "phone": "(617) 555-0123",
            "preferred_contact_channel": "sms",
            "language": "Spanish",
            "next": "chart",
        }
        data.update(overrides)
        return data

    def test_registers_with_a_generated_mrn_and_normalised_phone(self, login, intake_worker):
        response = login(intake_worker).post(reverse("patients:patient_create"), self.form())
        patient = Patient.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("patients:chart", args=[patient.pk])
        assert len(patient.mrn) == 9 and patient.mrn.isdigit()
        assert patient.phone == "+16175550123"
        assert patient.search_name == "delgado rosa"

    def test_bad_phone_and_future_birth_date_are_named_and_nothing_is_saved(self, login, intake_worker):
        future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
        response = login(intake_worker).post(
            reverse("patients:patient_create"), self.form(phone="12", date_of_birth=future)
        )
        assert response.status_code == 200
        assert "not a valid phone number" in response.text or "Enter a phone number" in response.text
        assert "cannot be in the future" in response.text
        assert not Patient.objects.exists()

    def test_text_reminders_need_a_phone(self, login, intake_worker):
        response = login(intake_worker).post(reverse("patients:patient_create"), self.form(phone=""))
        assert "Add a mobile number" in response.text
        assert not Patient.objects.exists()

    def test_possible_duplicate_is_shown_before_saving_and_can_be_confirmed(self, login, intake_worker):
        PatientFactory(legal_first_name="Rosa", legal_last_name="Delgado", date_of_birth=dt.date(1988, 6, 14))
        client = login(intake_worker)
        response = client.post(reverse("patients:patient_create"), self.form(phone="(617) 555-0124"))
        assert response.status_code == 200
        assert "Possible existing charts" in response.text
        assert Patient.objects.count() == 1
        response = client.post(
            reverse("patients:patient_create"),
            self.form(
                phone="(617) 555-0124", not_duplicate_reason="Another Rosa Delgado: different address and mother."
            ),
        )
        assert response.status_code == 302
        assert Patient.objects.count() == 2

    def test_register_and_start_intake_goes_to_the_referral_step(self, login, intake_worker):
        response = login(intake_worker).post(reverse("patients:patient_create"), self.form(next="intake"))
        patient = Patient.objects.get()
        assert response.url == reverse("patients:intake_start", args=[patient.pk])

    def test_counselor_cannot_register_patients(self, login, counselor):
        response = login(counselor).post(reverse("patients:patient_create"), self.form())
        assert response.status_code == 403
        assert not Patient.objects.exists()


@pytest.mark.django_db
def test_the_care_team_labels_each_member_by_their_own_role():
    from accounts.tests.factories import CounselorFactory, PrescriberFactory, SupervisorFactory
    from patients.constants import CareTeamRole
    from patients.services import care_team_set

    patient = PatientFactory()
    primary, counselor, prescriber, supervisor = (
        CounselorFactory(),
        CounselorFactory(),
        PrescriberFactory(),
        SupervisorFactory(),
    )
    care_team_set(patient=patient, primary_clinician=primary, members=[counselor, prescriber, supervisor])
    labels = dict(patient.care_team.values_list("user_id", "role"))
    assert labels == {
        primary.pk: CareTeamRole.PRIMARY,
        counselor.pk: CareTeamRole.COUNSELOR,
        prescriber.pk: CareTeamRole.PRESCRIBER,
        supervisor.pk: CareTeamRole.SUPERVISOR,
    }
