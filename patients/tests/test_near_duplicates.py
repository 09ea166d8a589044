"""Near-duplicate detection at registration: similar names, close birth dates, the same phone or email."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLog
from patients.models import DuplicateOverride, Patient
from patients.models.registry import name_key
from patients.selectors import possible_duplicates
from patients.selectors.registry import birth_date_variants

from .factories import PatientFactory

pytestmark = pytest.mark.django_db

ORLA_BORN = dt.date(1985, 3, 7)


def found(**given):
    """{MRN: reasons} of what the check lists for a new registration (names and contact details as given)."""
    given = {"phone": "", "email": "", **given}
    return {match.patient.mrn: match.reasons for match in possible_duplicates(**given)}


@pytest.fixture
def orla(db):
    return PatientFactory(
        legal_first_name="Orla",
        legal_last_name="Murphy",
        date_of_birth=ORLA_BORN,
        phone="+16175550101",
        email="orla.murphy@example.com",
    )


class TestNameKeys:
    def test_names_that_sound_alike_share_a_key(self):
        assert name_key("Orla") == name_key("Orlagh") != ""
        assert name_key("Catherine") == name_key("Katherine")
        assert name_key("O'Brien") == name_key("obrien")
        assert name_key("Núñez") == name_key("Nunez")
        assert name_key("Orla") != name_key("Olga")

    def test_a_name_without_latin_letters_has_no_key(self):
        assert name_key("李") == ""

    def test_the_keys_are_stored_with_the_chart(self, orla):
        orla.refresh_from_db()
        assert (orla.first_name_key, orla.last_name_key) == (name_key("Orla"), name_key("Murphy"))
        orla.legal_last_name = "Byrne"
        orla.save()
        orla.refresh_from_db()
        assert orla.last_name_key == name_key("Byrne")


class TestBirthDateVariants:
    def test_each_kind_of_slip_is_named(self):
        variants = birth_date_variants(ORLA_BORN)
        assert variants[ORLA_BORN] == "same date of birth"
        assert variants[dt.date(1985, 7, 3)] == "date of birth with day and month swapped"
        assert variants[dt.date(1995, 3, 7)] == "date of birth one digit apart"
        assert variants[dt.date(1958, 3, 7)] == "date of birth with two digits swapped"
        assert variants[dt.date(1985, 3, 10)] == "date of birth 3 days apart"
        assert variants[dt.date(1985, 3, 6)] == "date of birth 1 day apart"

    def test_dates_further_off_are_not_variants(self):
        variants = birth_date_variants(ORLA_BORN)
        assert dt.date(1985, 3, 11) not in variants  # 4 days and two digits away
        assert dt.date(1986, 4, 7) not in variants  # two digits changed
        assert dt.date(1958, 7, 3) not in variants  # two slips at once

    def test_a_day_above_twelve_has_no_swapped_variant(self):
        born = dt.date(1990, 5, 14)
        assert "date of birth with day and month swapped" not in birth_date_variants(born).values()


class TestNearDuplicates:
    def test_orlagh_with_day_and_month_swapped_is_orla(self, orla):
        matches = found(legal_first_name="Orlagh", legal_last_name="Murphy", date_of_birth=dt.date(1985, 7, 3))
        assert matches == {orla.mrn: ["similar name", "date of birth with day and month swapped"]}

    def test_the_same_email_whatever_its_case(self, orla):
        matches = found(
            legal_first_name="Ann",
            legal_last_name="Keane",
            date_of_birth=dt.date(2001, 11, 30),
            email="Orla.Murphy@Example.com",
        )
        assert matches == {orla.mrn: ["same email"]}

    def test_the_same_phone_in_any_format(self, orla):
        matches = found(
            legal_first_name="Ann", legal_last_name="Keane", date_of_birth=dt.date(2001, 11, 30), phone="(617) 555-0101"
        )
        assert matches == {orla.mrn: ["same phone"]}

    def test_a_one_digit_typo_in_the_birth_year(self, orla):
        matches = found(legal_first_name="Orla", legal_last_name="Murphy", date_of_birth=dt.date(1995, 3, 7))
        assert matches == {orla.mrn: ["same name", "date of birth one digit apart"]}

    def test_a_birth_date_a_few_days_off_but_not_more(self, orla):
        close = found(legal_first_name="Orla", legal_last_name="Murphey", date_of_birth=dt.date(1985, 3, 10))
        far = found(legal_first_name="Orla", legal_last_name="Murphey", date_of_birth=dt.date(1985, 3, 11))
        assert close == {orla.mrn: ["similar name", "date of birth 3 days apart"]}
        assert far == {}

    def test_first_and_last_names_swapped(self, orla):
        matches = found(legal_first_name="Murphy", legal_last_name="Orla", date_of_birth=ORLA_BORN)
        assert matches == {orla.mrn: ["first and last names swapped", "same date of birth"]}

    def test_a_changed_last_name_on_the_same_birth_date_only(self, orla):
        married = found(legal_first_name="Orla", legal_last_name="Fitzgerald", date_of_birth=ORLA_BORN)
        married_a_day_off = found(
            legal_first_name="Orla", legal_last_name="Fitzgerald", date_of_birth=dt.date(1985, 3, 8)
        )
        assert married == {orla.mrn: ["same first name, another last name", "same date of birth"]}
        assert married_a_day_off == {}

    def test_a_clearly_different_person_is_not_listed(self, orla):
        # A common name with an unrelated birth date, a twin (same last name and birth date), a stranger.
        PatientFactory(legal_first_name="John", legal_last_name="Smith", date_of_birth=dt.date(1972, 10, 21))
        assert found(legal_first_name="John", legal_last_name="Smith", date_of_birth=dt.date(1990, 6, 18)) == {}
        assert found(legal_first_name="Siobhan", legal_last_name="Murphy", date_of_birth=ORLA_BORN) == {}
        assert found(legal_first_name="Olga", legal_last_name="Petrova", date_of_birth=ORLA_BORN) == {}

    def test_the_same_name_on_a_close_date_is_listed_and_a_far_one_is_not(self):
        smith = PatientFactory(legal_first_name="John", legal_last_name="Smith", date_of_birth=dt.date(1972, 10, 21))
        assert found(legal_first_name="Jon", legal_last_name="Smyth", date_of_birth=dt.date(1972, 10, 21)) == {
            smith.mrn: ["similar name", "same date of birth"]
        }
        assert found(legal_first_name="John", legal_last_name="Smith", date_of_birth=dt.date(1973, 11, 21)) == {}

    def test_at_most_ten_best_first(self, orla):
        for _ in range(12):
            PatientFactory(phone="+16175550101", date_of_birth=dt.date(1960, 1, 1))
        matches = possible_duplicates(
            legal_first_name="Orlagh",
            legal_last_name="Murphy",
            date_of_birth=dt.date(1985, 7, 3),
            phone="617 555 0101",
            email="orla.murphy@example.com",
        )
        assert len(matches) == 10
        assert matches[0].patient == orla
        assert matches[0].reasons == [
            "same phone",
            "same email",
            "similar name",
            "date of birth with day and month swapped",
        ]
        assert all(match.reasons == ["same phone"] for match in matches[1:])

    def test_charts_entered_in_error_or_excluded_are_not_listed(self, orla, admin_user):
        given = {"legal_first_name": "Orla", "legal_last_name": "Murphy", "date_of_birth": ORLA_BORN}
        assert found(**given, exclude_pk=orla.pk) == {}
        orla.mark_entered_in_error(by=admin_user, reason="Registered by mistake in training.")
        assert found(**given) == {}

    def test_one_indexed_query_whatever_the_registry_holds(self, orla, django_assert_num_queries):
        PatientFactory.create_batch(30)
        with django_assert_num_queries(1):
            possible_duplicates(
                legal_first_name="Orlagh",
                legal_last_name="Murphy",
                date_of_birth=dt.date(1985, 7, 3),
                phone="617 555 0101",
                email="orla.murphy@example.com",
            )

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plan")
    def test_the_search_reads_indexes_never_the_whole_table(self, orla):
        with CaptureQueriesContext(connection) as captured:
            possible_duplicates(
                legal_first_name="Orlagh",
                legal_last_name="Murphy",
                date_of_birth=dt.date(1985, 7, 3),
                phone="617 555 0101",
                email="orla.murphy@example.com",
            )
        (query,) = captured.captured_queries
        with connection.cursor() as cursor:
            # On a small test table a scan is cheapest; forbid it to see whether every branch has an index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on patients_patient" not in plan, plan
        for index in (
            "patients_patient_last_key_dob",
            "patients_patient_first_key_dob",
            "patients_patient_email_lower",
        ):
            assert index in plan, plan


def registration(**overrides):
    data = {
        "legal_first_name": "Orlagh",
        "legal_last_name": "Murphy",
        "date_of_birth": "1985-07-03",
        "sex_at_birth": "female",
        "phone": "(617) 555-0199",
        "email": "",
        "preferred_contact_channel": "phone",
        "language": "English",
        "next": "chart",
    }
    data.update(overrides)
    return data


class TestRegisteringDespiteMatches:
    def test_matches_are_shown_with_why_and_nothing_is_saved(self, login, intake_worker, orla):
        response = login(intake_worker).post(reverse("patients:patient_create"), registration())
        assert response.status_code == 200
        assert "Possible existing charts" in response.text
        assert orla.mrn in response.text
        assert "date of birth with day and month swapped" in response.text
        assert "similar name" in response.text
        assert "Why this is a different person" in response.text
        assert Patient.objects.count() == 1
        shown = AccessLog.objects.get(action="possible duplicate shown")
        assert (shown.patient, shown.user) == (orla, intake_worker)

    def test_a_checkbox_or_a_word_is_not_a_reason(self, login, intake_worker, orla):
        client = login(intake_worker)
        for reason in ("", "ok", "different"):
            response = client.post(reverse("patients:patient_create"), registration(not_duplicate_reason=reason))
            assert response.status_code == 200
        assert "Write why this is a different person" in response.text
        assert Patient.objects.count() == 1
        assert not DuplicateOverride.objects.exists()

    def test_a_written_reason_registers_and_is_kept_for_review(self, login, intake_worker, orla):
        reason = "Different mother's maiden name and address; she showed her passport at the desk."
        response = login(intake_worker).post(
            reverse("patients:patient_create"), registration(not_duplicate_reason=reason)
        )
        assert response.status_code == 302
        patient = Patient.objects.exclude(pk=orla.pk).get()
        override = DuplicateOverride.objects.get()
        assert (override.patient, override.registered_by, override.reason) == (patient, intake_worker, reason)
        assert override.candidates == [
            {
                "patient_id": orla.pk,
                "mrn": orla.mrn,
                "reasons": ["similar name", "date of birth with day and month swapped"],
            }
        ]
        logged = AccessLog.objects.get(action="registered despite possible duplicates")
        assert (logged.patient, logged.user) == (patient, intake_worker)
        assert orla.mrn not in logged.detail

    def test_no_match_needs_no_reason(self, login, intake_worker, orla):
        response = login(intake_worker).post(
            reverse("patients:patient_create"),
            registration(legal_first_name="Siobhan", legal_last_name="Keane", date_of_birth="1999-12-30"),
        )
        assert response.status_code == 302
        assert not DuplicateOverride.objects.exists()

    def test_a_chart_the_user_cannot_open_is_shown_by_mrn_alone(self, login, director, orla):
        response = login(director).post(reverse("patients:patient_create"), registration())
        assert response.status_code == 200
        assert orla.mrn in response.text
        assert "A chart you cannot open" in response.text
        assert reverse("patients:chart", args=[orla.pk]) not in response.text
        assert not AccessLog.objects.filter(action="possible duplicate shown").exists()

    def test_the_page_with_matches_has_a_bounded_cost(self, login, intake_worker, orla, django_assert_max_num_queries):
        client = login(intake_worker)
        for _ in range(12):
            PatientFactory(phone="+16175550199")
        # The check's one query, the access rule's, and one access-log row per chart shown (at most 10).
        with django_assert_max_num_queries(25):
            response = client.post(reverse("patients:patient_create"), registration())
        assert response.text.count("Why it matched") == 10
