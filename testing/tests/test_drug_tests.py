import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PrescriberFactory
from audit.constants import DataCategory, Outcome
from audit.models import AccessLog
from medications.services import medications as medication_services
from medications.tests.factories import MedicationFactory
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory, InstrumentResponseFactory
from testing.constants import AnalyteOutcome, DrugTestStatus, FindingKind, ResultMethod, SpecimenValidity
from testing.interpretation import Reading, effective_readings, flag_count, interpret
from testing.models import Analyte, DrugTest, SobrietyDate
from testing.services import drug_tests as drug_testing
from testing.tests.factories import BREATH, CLINICAL_ADMIN_FACTORIES, LAB_PANEL, DrugTestFactory, panel, resulted_test
from testing.validity import SpecimenChecks

# Creatinine 10 mg/dL and specific gravity 1.002: dilute by the HHS criteria.
DILUTE_CHECKS = SpecimenChecks(creatinine_mg_dl=Decimal("10"), specific_gravity=Decimal("1.0020"))


def kinds(findings):
    return {finding.analyte: finding.kind for finding in findings}


class TestInterpretation:
    """The pure reading of results against prescriptions: each flag on both sides."""

    BUP = {"buprenorphine": ["Buprenorphine-naloxone"]}

    def test_prescribed_analyte_present_is_expected_and_not_flagged(self):
        findings = interpret([Reading("buprenorphine", AnalyteOutcome.POSITIVE)], expected=self.BUP)
        assert kinds(findings) == {"buprenorphine": FindingKind.EXPECTED_POSITIVE}
        assert flag_count(findings) == 0
        assert "Buprenorphine-naloxone" in findings[0].message

    def test_prescribed_analyte_absent_is_flagged_as_possible_non_adherence(self):
        findings = interpret([Reading("buprenorphine", AnalyteOutcome.NEGATIVE)], expected=self.BUP)
        assert kinds(findings) == {"buprenorphine": FindingKind.EXPECTED_ABSENT}
        assert flag_count(findings) == 1
        assert "non-adherence or diversion" in findings[0].message

    def test_positive_not_prescribed_is_flagged_unexpected(self):
        findings = interpret([Reading("fentanyl", AnalyteOutcome.POSITIVE)], expected=self.BUP)
        found = kinds(findings)
        assert found["fentanyl"] == FindingKind.UNEXPECTED_POSITIVE
        assert flag_count(findings) == 1  # buprenorphine was not tested: reported, not flagged
        assert found["buprenorphine"] == FindingKind.NOT_TESTED

    def test_negative_not_prescribed_is_plain_negative(self):
        findings = interpret([Reading("cocaine", AnalyteOutcome.NEGATIVE)], expected={})
        assert kinds(findings) == {"cocaine": FindingKind.NEGATIVE} and flag_count(findings) == 0

    @pytest.mark.parametrize(
        ("outcome", "level", "flagged"),
        [
            (AnalyteOutcome.NEGATIVE, Decimal("0.000"), False),
            (AnalyteOutcome.NEGATIVE, None, False),
            (AnalyteOutcome.NEGATIVE, Decimal("0.001"), True),  # any level above zero counts
            (AnalyteOutcome.POSITIVE, Decimal("0.080"), True),
            (AnalyteOutcome.POSITIVE, None, True),
        ],
    )
    def test_breath_alcohol_above_zero_is_flagged(self, outcome, level, flagged):
        findings = interpret([Reading("breath_alcohol", outcome, level)], expected={})
        expected_kind = FindingKind.ALCOHOL_DETECTED if flagged else FindingKind.NEGATIVE
        assert kinds(findings) == {"breath_alcohol": expected_kind}
        assert flag_count(findings) == int(flagged)

    def test_invalid_results_and_invalid_specimens_are_flagged(self):
        findings = interpret(
            [Reading("thc", AnalyteOutcome.INVALID), Reading("breath_alcohol", AnalyteOutcome.INVALID)],
            expected={},
            validity=SpecimenValidity.DILUTE,
        )
        assert kinds(findings) == {
            "specimen": FindingKind.SPECIMEN_NOT_VALID,
            "thc": FindingKind.INVALID_RESULT,
            "breath_alcohol": FindingKind.INVALID_RESULT,
        }
        assert flag_count(findings) == 3

    def test_methadone_and_benzodiazepine_prescriptions(self):
        # Diazepam shows on a benzodiazepine screen; clonazepam does not reliably (test_assays.py).
        expected = {"methadone": ["Methadone"], "benzodiazepines": ["Diazepam"]}
        findings = interpret(
            [Reading("methadone", AnalyteOutcome.POSITIVE), Reading("benzodiazepines", AnalyteOutcome.NEGATIVE)],
            expected=expected,
        )
        assert kinds(findings) == {
            "methadone": FindingKind.EXPECTED_POSITIVE,
            "benzodiazepines": FindingKind.EXPECTED_ABSENT,
        }

    def test_definitive_result_replaces_the_screen_for_the_analytes_it_reports(self):
        screen = [Reading("oxycodone", AnalyteOutcome.POSITIVE), Reading("thc", AnalyteOutcome.POSITIVE)]
        confirmation = [Reading("oxycodone", AnalyteOutcome.NEGATIVE, Decimal("12"))]
        readings = {r.analyte: r.outcome for r in effective_readings(screen, confirmation)}
        assert readings == {"oxycodone": AnalyteOutcome.NEGATIVE, "thc": AnalyteOutcome.POSITIVE}


@pytest.fixture
def episode(counselor, program):
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    return episode


@pytest.mark.django_db
class TestSeededConfiguration:
    def test_standard_analytes_and_panels_are_seeded(self):
        codes = set(Analyte.objects.values_list("code", flat=True))
        assert {"amphetamines", "methamphetamine", "mdma", "cocaine", "opiates", "oxycodone", "fentanyl"} <= codes
        assert {"buprenorphine", "methadone", "benzodiazepines", "barbiturates", "thc", "pcp", "etg"} <= codes
        assert "breath_alcohol" in codes
        assert panel().analytes.count() == 12
        assert list(panel(BREATH).analytes.values_list("code", flat=True)) == ["breath_alcohol"]


@pytest.mark.django_db
class TestDrugTestLifecycle:
    def test_order_collect_result_interprets_against_medications_active_on_collection_day(self, episode, counselor):
        patient = episode.patient
        MedicationFactory(patient=patient)  # buprenorphine-naloxone
        test = resulted_test(patient, positives=("buprenorphine", "fentanyl"), by=counselor)
        assert test.status == DrugTestStatus.RESULTED
        found = {f["analyte"]: f["kind"] for f in test.findings}
        assert found["buprenorphine"] == FindingKind.EXPECTED_POSITIVE
        assert found["fentanyl"] == FindingKind.UNEXPECTED_POSITIVE
        assert test.flag_count == 1
        assert test.episode == episode

    def test_medication_stopped_before_collection_is_not_expected(self, episode, counselor):
        MedicationFactory(patient=episode.patient, start_date=timezone.localdate() - dt.timedelta(days=60))
        medication = episode.patient.medications.get()
        medication_services.medication_stop(
            medication=medication, stop_date=timezone.localdate() - dt.timedelta(days=10), stop_reason="tapered",
            by=counselor,
        )  # fmt: skip
        test = resulted_test(episode.patient, positives=("buprenorphine",), by=counselor)
        assert {f["analyte"]: f["kind"] for f in test.findings}["buprenorphine"] == FindingKind.UNEXPECTED_POSITIVE

    def test_adding_a_back_dated_medication_reinterprets_earlier_tests(self, episode, counselor):
        test = resulted_test(episode.patient, positives=("benzodiazepines",), by=counselor)
        assert test.flag_count == 1
        medication_services.medication_add(
            patient=episode.patient,
            recorded_by=counselor,
            catalogue_code="clonazepam",
            dose="0.5 mg",
            frequency="twice daily",
            source="outside",
            outside_prescriber="Dr. Rivera, community psychiatry",
            start_date=timezone.localdate() - dt.timedelta(days=90),
        )
        test.refresh_from_db()
        assert test.flag_count == 0
        assert {f["analyte"]: f["kind"] for f in test.findings}["benzodiazepines"] == FindingKind.EXPECTED_POSITIVE

    def test_transitions_are_enforced(self, episode, counselor):
        test = DrugTestFactory(patient=episode.patient)
        with pytest.raises(ValidationError) as error:
            drug_testing.drug_test_send(drug_test=test, lab_name="Quest", by=counselor)
        assert "status" in error.value.message_dict
        analytes = dict.fromkeys(test.panel.analytes.all(), (AnalyteOutcome.NEGATIVE, None))
        with pytest.raises(ValidationError):
            drug_testing.drug_test_result(
                drug_test=test, method=ResultMethod.PRESUMPTIVE, results=analytes, recorded_by=counselor
            )
        test.refresh_from_db()
        assert test.status == DrugTestStatus.ORDERED and not test.result_sets.exists()

    def test_urine_collection_needs_the_temperature_check(self, episode, counselor):
        test = DrugTestFactory(patient=episode.patient)
        with pytest.raises(ValidationError) as error:
            drug_testing.drug_test_collect(drug_test=test, collector=counselor)
        assert "temperature_in_range" in error.value.message_dict

    def test_presumptive_then_definitive_confirmation_on_the_same_specimen(self, episode, counselor):
        test = resulted_test(episode.patient, positives=("oxycodone",), by=counselor)
        assert test.flag_count == 1
        drug_testing.drug_test_send(drug_test=test, lab_name="Regional toxicology lab", by=counselor)
        oxycodone = Analyte.objects.get(code="oxycodone")
        drug_testing.drug_test_result(
            drug_test=test,
            method=ResultMethod.DEFINITIVE,
            results={oxycodone: (AnalyteOutcome.NEGATIVE, Decimal("20"))},
            recorded_by=counselor,
        )
        test.refresh_from_db()
        assert test.status == DrugTestStatus.RESULTED
        assert set(test.result_sets.values_list("method", flat=True)) == {"presumptive", "definitive"}
        assert test.flag_count == 0  # the confirmation overrode the screen's false positive
        with pytest.raises(ValidationError):
            drug_testing.drug_test_send(drug_test=test, lab_name="Again", by=counselor)

    def test_definitive_needs_the_specimen_at_the_lab(self, episode, counselor):
        test = resulted_test(episode.patient, by=counselor)
        with pytest.raises(ValidationError) as error:
            drug_testing.drug_test_result(
                drug_test=test,
                method=ResultMethod.DEFINITIVE,
                results={Analyte.objects.get(code="thc"): (AnalyteOutcome.NEGATIVE, None)},
                recorded_by=counselor,
            )
        assert "method" in error.value.message_dict

    def test_lab_test_goes_ordered_collected_sent_resulted(self, episode, counselor):
        test = DrugTestFactory(patient=episode.patient, panel=panel(LAB_PANEL), method="lab")
        drug_testing.drug_test_collect(
            drug_test=test, collector=counselor, temperature_in_range=True, checks=DILUTE_CHECKS
        )
        drug_testing.drug_test_send(drug_test=test, lab_name="Quest", by=counselor)
        results = dict.fromkeys(test.panel.analytes.all(), (AnalyteOutcome.NEGATIVE, None))
        drug_testing.drug_test_result(
            drug_test=test, method=ResultMethod.DEFINITIVE, results=results, recorded_by=counselor
        )
        test.refresh_from_db()
        assert test.status == DrugTestStatus.RESULTED
        assert {f["kind"] for f in test.flagged_findings} == {FindingKind.SPECIMEN_NOT_VALID}

    def test_breath_alcohol_above_zero_is_flagged_end_to_end(self, episode, counselor):
        test = resulted_test(
            episode.patient,
            panel_name=BREATH,
            positives=("breath_alcohol",),
            levels={"breath_alcohol": Decimal("0.02")},
        )
        assert [f["kind"] for f in test.flagged_findings] == [FindingKind.ALCOHOL_DETECTED]

    def test_database_refuses_a_collected_test_without_collector(self, episode):
        test = DrugTestFactory(patient=episode.patient)
        with pytest.raises(IntegrityError), transaction.atomic():
            DrugTest.objects.filter(pk=test.pk).update(status=DrugTestStatus.COLLECTED)

    def test_not_collected_needs_a_reason(self, episode, counselor):
        test = DrugTestFactory(patient=episode.patient)
        with pytest.raises(ValidationError):
            drug_testing.drug_test_mark_not_collected(drug_test=test, reason=" ", by=counselor)
        drug_testing.drug_test_mark_not_collected(drug_test=test, reason="absent", by=counselor)
        test.refresh_from_db()
        assert test.status == DrugTestStatus.NOT_COLLECTED


@pytest.mark.django_db
class TestSobrietyDate:
    def test_reset_keeps_history_with_reasons(self, episode, counselor):
        today = timezone.localdate()
        drug_testing.sobriety_date_set(
            patient=episode.patient, sober_since=today - dt.timedelta(days=40), reason="admission", by=counselor
        )
        drug_testing.sobriety_date_set(
            patient=episode.patient, sober_since=today - dt.timedelta(days=3), reason="reported use", by=counselor
        )
        current = SobrietyDate.objects.get(patient=episode.patient)
        assert current.days_on(today) == 3
        assert list(current.history.order_by("history_date").values_list("reason", flat=True)) == [
            "admission",
            "reported use",
        ]

    def test_future_date_and_missing_reason_are_refused(self, episode, counselor):
        with pytest.raises(ValidationError) as error:
            drug_testing.sobriety_date_set(
                patient=episode.patient,
                sober_since=timezone.localdate() + dt.timedelta(days=1),
                reason="x",
                by=counselor,
            )
        assert "sober_since" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            drug_testing.sobriety_date_set(
                patient=episode.patient, sober_since=timezone.localdate(), reason="", by=counselor
            )
        assert "reason" in error.value.message_dict


def fill_tests(patient, counselor, count):
    MedicationFactory(patient=patient)
    for index in range(count):
        resulted_test(
            patient,
            positives=("buprenorphine",) if index % 2 else ("cocaine",),
            collected_at=timezone.now() - dt.timedelta(days=index + 1),
            by=counselor,
        )
        DrugTestFactory(patient=patient, ordered_by=counselor)
        InstrumentResponseFactory(patient=patient)


@pytest.mark.django_db
class TestDrugTestPages:
    def test_chart_shows_flags_and_days_sober_and_writes_one_access_row(self, login, counselor, episode):
        resulted_test(episode.patient, positives=("fentanyl",), by=counselor)
        drug_testing.sobriety_date_set(
            patient=episode.patient, sober_since=timezone.localdate() - dt.timedelta(days=12), reason="intake",
            by=counselor,
        )  # fmt: skip
        response = login(counselor).get(reverse("testing:chart_drug_tests", args=[episode.patient.pk]))
        assert response.status_code == 200
        assert "Unexpected positive" in response.text and "12 days" in response.text
        assert 'id="clinical-timeline-data"' in response.text
        logs = AccessLog.objects.filter(patient=episode.patient, user=counselor)
        assert logs.count() == 1 and logs.get().category == DataCategory.DRUG_TESTS

    def test_other_teams_clinician_gets_404_and_the_refusal_is_logged(self, login, other_counselor, episode):
        response = login(other_counselor).get(reverse("testing:chart_drug_tests", args=[episode.patient.pk]))
        assert response.status_code == 404
        assert AccessLog.objects.filter(user=other_counselor, outcome=Outcome.REFUSED).count() == 1

    def test_chart_query_count_does_not_grow(self, login, counselor, episode, django_assert_num_queries):
        client = login(counselor)
        url = reverse("testing:chart_drug_tests", args=[episode.patient.pk])
        fill_tests(episode.patient, counselor, 1)
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        fill_tests(episode.patient, counselor, 6)
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url)
        assert response.text.count("table-danger") >= 3

    def test_testing_desk_lists_pending_oldest_first_in_constant_queries(
        self, login, counselor, episode, django_assert_num_queries
    ):
        client = login(counselor)
        url = reverse("testing:testing_lists")

        def collected(hours_ago):
            test = DrugTestFactory(
                patient=episode.patient, ordered_at=timezone.now() - dt.timedelta(hours=hours_ago + 1)
            )
            drug_testing.drug_test_collect(
                drug_test=test, collector=counselor, collected_at=timezone.now() - dt.timedelta(hours=hours_ago),
                temperature_in_range=True,
            )  # fmt: skip
            return test

        newer, older = collected(1), collected(30)
        DrugTestFactory(patient=episode.patient)
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            response = client.get(url)
        body = response.text
        pending = body[body.index('id="pending-results"') :]
        assert pending.index(f"/drug-tests/{older.pk}/") < pending.index(f"/drug-tests/{newer.pk}/")
        for hours in range(2, 8):
            collected(hours)
            other = EpisodeFactory(program=episode.program)
            CareTeamMemberFactory(patient=other.patient, user=counselor)
            DrugTestFactory(patient=other.patient)
        with django_assert_num_queries(len(small.captured_queries)):
            client.get(url)

    def test_counselor_orders_collects_and_results_in_the_browser_flow(self, login, counselor, episode):
        client = login(counselor)
        pk = episode.patient.pk
        response = client.post(
            reverse("testing:drug_test_order", args=[pk]),
            {"panel": panel().pk, "reason": "for_cause", "observed": "on"},
        )
        test = DrugTest.objects.get(patient=episode.patient)
        assert response.status_code == 302 and test.reason == "for_cause" and test.observed
        collected_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        response = client.post(
            reverse("testing:drug_test_collect", args=[pk, test.pk]),
            {"collected_at": collected_at, "temperature_in_range": "true", "validity": "normal", "observed": "on"},
        )
        assert response.status_code == 302
        form = {"method": "presumptive", "resulted_at": collected_at}
        for analyte in test.panel.analytes.all():
            form[f"outcome_{analyte.pk}"] = "positive" if analyte.code == "cocaine" else "negative"
        response = client.post(reverse("testing:drug_test_result", args=[pk, test.pk]), form)
        assert response.status_code == 302
        detail = client.get(reverse("testing:drug_test_detail", args=[pk, test.pk]))
        assert "Unexpected positive" in detail.text

    def test_result_form_shows_missing_analytes_next_to_the_field(self, login, counselor, episode):
        test = DrugTestFactory(patient=episode.patient)
        drug_testing.drug_test_collect(drug_test=test, collector=counselor, temperature_in_range=True)
        response = login(counselor).post(
            reverse("testing:drug_test_result", args=[episode.patient.pk, test.pk]),
            {"method": "presumptive", "resulted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
        )
        assert response.status_code == 200
        assert "Enter this analyte&#x27;s result." in response.text
        test.refresh_from_db()
        assert test.status == DrugTestStatus.COLLECTED

    def test_sobriety_date_page_sets_and_shows_history(self, login, counselor, episode):
        client = login(counselor)
        url = reverse("testing:sobriety_date_set", args=[episode.patient.pk])
        response = client.post(url, {"sober_since": "2026-01-02", "reason": "reported last use on admission"})
        assert response.status_code == 302
        assert "reported last use on admission" in client.get(url).text

    def test_prescriber_without_care_team_sees_nothing(self, login, episode):
        response = login(PrescriberFactory()).get(reverse("testing:chart_drug_tests", args=[episode.patient.pk]))
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(CLINICAL_ADMIN_FACTORIES), ids=lambda m: m._meta.model_name)
def test_admin_pages(login, model):
    from django.contrib.auth import get_user_model

    make, addable = CLINICAL_ADMIN_FACTORIES[model]
    client = login(get_user_model().objects.create_superuser(username="root", email="r@example.org", password="x"))
    record = make()
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{name}_changelist")).status_code == 200
    assert client.get(reverse(f"{name}_change", args=[record.pk])).status_code == 200
    assert client.get(reverse(f"{name}_add")).status_code == (200 if addable else 403)
