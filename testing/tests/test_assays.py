"""Drug tests read as a toxicologist would: what a screen detects, presumptive results, levels against cutoffs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import PrescriberFactory
from medications.constants import CatalogueMedication, MedicationCategory
from medications.services.medications import medication_add
from patients.tests.factories import EpisodeFactory
from testing.constants import AnalyteOutcome, FindingKind, ResultMethod
from testing.interpretation import Reading, interpret
from testing.models import Analyte
from testing.services import drug_tests as drug_testing
from testing.services.drug_tests import level_disagrees_with_outcome
from testing.tests.factories import DrugTestFactory, panel, resulted_test
from testing.validity import SpecimenChecks

NEGATIVE, POSITIVE = AnalyteOutcome.NEGATIVE, AnalyteOutcome.POSITIVE


@pytest.fixture
def episode(counselor, program):
    return EpisodeFactory(program=program, primary_clinician=counselor)


def kind_of(findings, analyte):
    return next(finding.kind for finding in findings if finding.analyte == analyte)


class TestWhatAScreenDetects:
    @pytest.mark.parametrize(
        ("analyte", "medication"),
        [
            ("benzodiazepines", "Clonazepam"),
            ("benzodiazepines", "Lorazepam 1 mg"),
            ("opiates", "Hydrocodone-acetaminophen"),
            ("opiates", "Oxycodone"),
            ("buprenorphine", "Buprenorphine extended-release injection"),
        ],
    )
    def test_a_negative_screen_for_a_poorly_detected_drug_asks_for_confirmation_not_diversion(
        self, analyte, medication
    ):
        findings = interpret([Reading(analyte, NEGATIVE)], expected={analyte: [medication]})
        finding = next(f for f in findings if f.analyte == analyte)
        assert finding.kind == FindingKind.NOT_RELIABLY_DETECTED and not finding.flagged
        assert "confirm with definitive testing" in finding.message and "diversion" not in finding.message

    def test_a_well_detected_drug_absent_from_the_screen_is_flagged(self):
        findings = interpret(
            [Reading("buprenorphine", NEGATIVE)], expected={"buprenorphine": ["Buprenorphine-naloxone"]}
        )
        assert kind_of(findings, "buprenorphine") == FindingKind.EXPECTED_ABSENT

    def test_a_definitive_negative_is_absent_even_for_a_poorly_screened_drug(self):
        findings = interpret(
            [Reading("benzodiazepines", NEGATIVE, definitive=True)], expected={"benzodiazepines": ["Clonazepam"]}
        )
        assert kind_of(findings, "benzodiazepines") == FindingKind.EXPECTED_ABSENT

    def test_one_well_detected_medication_among_them_makes_absence_meaningful(self):
        findings = interpret(
            [Reading("benzodiazepines", NEGATIVE)], expected={"benzodiazepines": ["Clonazepam", "Diazepam"]}
        )
        assert kind_of(findings, "benzodiazepines") == FindingKind.EXPECTED_ABSENT


class TestPresumptiveAndDefinitive:
    def test_a_presumptive_positive_says_confirm_before_acting(self):
        presumptive = interpret([Reading("cocaine", POSITIVE)], expected={})
        definitive = interpret([Reading("cocaine", POSITIVE, definitive=True)], expected={})
        assert "confirm before acting" in presumptive[0].message
        assert "confirm before acting" not in definitive[0].message

    @pytest.mark.django_db
    def test_the_detail_page_shows_the_definitive_result_superseding_the_screen(self, login, counselor, episode):
        test = resulted_test(episode.patient, positives=("oxycodone",), by=counselor)
        drug_testing.drug_test_send(drug_test=test, lab_name="Regional toxicology lab", by=counselor)
        oxycodone = Analyte.objects.get(code="oxycodone")
        drug_testing.drug_test_result(
            drug_test=test, method=ResultMethod.DEFINITIVE, results={oxycodone: (NEGATIVE, None)}, recorded_by=counselor
        )
        page = login(counselor).get(reverse("testing:drug_test_detail", args=[episode.patient.pk, test.pk])).text
        assert "Presumptive" in page and "superseded by the definitive result" in page


class TestLevelsAgainstCutoffs:
    @pytest.mark.parametrize(
        ("level", "outcome", "refused"),
        [
            (Decimal("299.9"), NEGATIVE, False),
            (Decimal("300"), NEGATIVE, True),  # at the cutoff is positive
            (Decimal("5000"), NEGATIVE, True),
            (Decimal("300"), POSITIVE, False),
            (Decimal("299.9"), POSITIVE, True),
            (None, POSITIVE, False),  # no level measured: the outcome stands
            (Decimal("5000"), AnalyteOutcome.INVALID, False),
        ],
    )
    def test_a_level_must_agree_with_the_outcome(self, level, outcome, refused):
        assert bool(level_disagrees_with_outcome(level=level, outcome=outcome, cutoff=Decimal("300"))) == refused

    @pytest.mark.parametrize(("level", "positive"), [(Decimal("0"), False), (Decimal("0.001"), True)])
    def test_breath_alcohol_is_positive_above_zero(self, level, positive):
        outcome = POSITIVE if positive else NEGATIVE
        assert not level_disagrees_with_outcome(level=level, outcome=outcome, cutoff=Decimal("0"))

    @pytest.mark.django_db
    def test_the_service_refuses_a_negative_at_5000_on_a_300_cutoff_and_saves_nothing(self, counselor, episode):
        test = DrugTestFactory(patient=episode.patient, panel=panel())
        drug_testing.drug_test_collect(drug_test=test, collector=counselor, temperature_in_range=True)
        cocaine = Analyte.objects.get(code="cocaine")
        results = dict.fromkeys(test.panel.analytes.all(), (NEGATIVE, None))
        results[cocaine] = (NEGATIVE, Decimal("5000"))
        with pytest.raises(ValidationError, match="that is positive, not negative"):
            drug_testing.drug_test_result(
                drug_test=test, method=ResultMethod.PRESUMPTIVE, results=results, recorded_by=counselor
            )
        assert not test.result_sets.exists()


@pytest.mark.django_db
class TestCollection:
    def test_validity_is_computed_and_its_reasons_kept(self, counselor, episode):
        test = DrugTestFactory(patient=episode.patient, panel=panel())
        drug_testing.drug_test_collect(
            drug_test=test,
            collector=counselor,
            checks=SpecimenChecks(
                temperature_c=Decimal("35.0"), creatinine_mg_dl=Decimal("12"), specific_gravity=Decimal("1.0020")
            ),
        )
        test.refresh_from_db()
        assert (test.validity, test.temperature_in_range) == ("dilute", True)
        assert "creatinine 12" in test.validity_reasons

    def test_a_reading_and_a_strip_that_disagree_are_refused(self, counselor, episode):
        test = DrugTestFactory(patient=episode.patient, panel=panel())
        with pytest.raises(ValidationError) as refused:
            drug_testing.drug_test_collect(
                drug_test=test,
                collector=counselor,
                temperature_in_range=True,
                checks=SpecimenChecks(temperature_c=Decimal("30")),
            )
        assert "out of range" in refused.value.message_dict["temperature_in_range"][0]

    def test_the_form_has_no_validity_to_pick(self, login, counselor, episode):
        test = DrugTestFactory(patient=episode.patient, panel=panel())
        page = login(counselor).get(reverse("testing:drug_test_detail", args=[episode.patient.pk, test.pk])).text
        assert 'name="temperature_c"' in page and 'name="validity"' not in page

    def test_a_temperature_out_of_range_is_flagged_on_the_result(self, counselor, episode):
        test = DrugTestFactory(patient=episode.patient, panel=panel())
        drug_testing.drug_test_collect(
            drug_test=test, collector=counselor, checks=SpecimenChecks(temperature_c=Decimal("39.5"))
        )
        results = dict.fromkeys(test.panel.analytes.all(), (NEGATIVE, None))
        drug_testing.drug_test_result(
            drug_test=test, method=ResultMethod.PRESUMPTIVE, results=results, recorded_by=counselor
        )
        test.refresh_from_db()
        assert FindingKind.TEMPERATURE_OUT_OF_RANGE in {f["kind"] for f in test.flagged_findings}


@pytest.mark.django_db
class TestMoudFromTheCatalogue:
    @pytest.mark.parametrize(
        ("fields"),
        [
            {"name": "Suboxone 8 mg", "category": MedicationCategory.OTHER},
            {"name": "Bup", "category": MedicationCategory.MOUD},
            {"name": "methadone 60 mg", "category": MedicationCategory.OTHER},
        ],
    )
    def test_typed_moud_is_refused_with_a_pointer_to_the_list(self, episode, fields):
        prescriber = PrescriberFactory()
        with pytest.raises(ValidationError) as refused:
            medication_add(
                patient=episode.patient,
                recorded_by=prescriber,
                prescriber=prescriber,
                dose="8 mg",
                frequency="daily",
                **fields,
            )
        assert "Buprenorphine-naloxone" in str(refused.value) or "buprenorphine-naloxone" in str(refused.value)

    def test_moud_from_the_list_sets_its_expectation(self, episode):
        prescriber = PrescriberFactory()
        medication = medication_add(
            patient=episode.patient,
            recorded_by=prescriber,
            prescriber=prescriber,
            catalogue_code=CatalogueMedication.BUPRENORPHINE_NALOXONE,
            dose="8 mg",
            frequency="daily",
            start_date=timezone.localdate() - dt.timedelta(days=3),
        )
        assert list(medication.expected_analytes.values_list("code", flat=True)) == ["buprenorphine"]
