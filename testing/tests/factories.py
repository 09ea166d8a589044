"""Factories for drug tests, panels, random draws and program clinical policies."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import CounselorFactory
from patients.tests.factories import PatientFactory, days_ago
from programs.tests.factories import ProgramFactory
from testing.constants import AnalyteOutcome, ResultMethod, TestReason
from testing.models import (
    Analyte,
    AnalyteResult,
    DrugTest,
    DrugTestResultSet,
    Panel,
    PanelAnalyte,
    ProgramClinicalPolicy,
    RandomDraw,
    SobrietyDate,
)
from testing.services import drug_tests as drug_testing

URINE_CUP = "Urine 12-panel cup"
BREATH = "Breath alcohol"
LAB_PANEL = "Urine lab panel (LC-MS/MS)"


def panel(name: str = URINE_CUP) -> Panel:
    """One of the panels the data migration seeds."""
    return Panel.objects.get(name=name)


class DrugTestFactory(factory.django.DjangoModelFactory):
    """An ordered urine cup test; use ``resulted_test`` for one with results."""

    class Meta:
        model = DrugTest

    patient = factory.SubFactory(PatientFactory)
    episode = factory.LazyAttribute(lambda test: test.patient.episodes.valid().filter(status="active").first())
    panel = factory.LazyFunction(panel)
    reason = TestReason.SCHEDULED
    specimen = factory.SelfAttribute("panel.specimen")
    method = factory.SelfAttribute("panel.method")
    ordered_by = factory.SubFactory(CounselorFactory)
    ordered_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))


def resulted_test(patient, *, positives=(), levels=None, collected_at=None, by=None, panel_name=URINE_CUP):
    """A test taken through order → collected → resulted by the real services, positive for ``positives``."""
    by = by or CounselorFactory()
    collected_at = collected_at or timezone.now() - dt.timedelta(hours=1)
    test = DrugTestFactory(
        patient=patient, panel=panel(panel_name), ordered_by=by, ordered_at=collected_at - dt.timedelta(minutes=10)
    )
    drug_testing.drug_test_collect(
        drug_test=test,
        collector=by,
        collected_at=collected_at,
        temperature_in_range=True if test.specimen == "urine" else None,
    )
    levels = levels or {}
    results = {
        analyte: (
            AnalyteOutcome.POSITIVE if analyte.code in positives else AnalyteOutcome.NEGATIVE,
            levels.get(analyte.code),
        )
        for analyte in test.panel.analytes.all()
    }
    drug_testing.drug_test_result(
        drug_test=test,
        method=ResultMethod.PRESUMPTIVE,
        results=results,
        recorded_by=by,
        resulted_at=collected_at + dt.timedelta(minutes=5),
    )
    test.refresh_from_db()
    return test


class ProgramClinicalPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramClinicalPolicy

    program = factory.SubFactory(ProgramFactory)
    weekly_testing_rate = Decimal("0.30")
    longest_gap_days = 14
    testing_days = "MO,TU,WE,TH,FR"


def _resulted_for_admin():
    return resulted_test(PatientFactory(), positives=("thc",))


def _sobriety_for_admin():
    patient = PatientFactory()
    return drug_testing.sobriety_date_set(
        patient=patient, sober_since=days_ago(10), reason="admission", by=CounselorFactory()
    )


def _draw_for_admin():
    return RandomDraw.objects.create(
        program=ProgramFactory(),
        draw_date=days_ago(1),
        weekly_testing_rate=Decimal("0.3"),
        testing_days="MO,TU",
        daily_probability=Decimal("0.163340"),
        longest_gap_days=14,
    )


# Admin pages of the drug-testing models: a record maker, and whether
# the admin may add one (tests, results, draws and sobriety dates come from the chart).
CLINICAL_ADMIN_FACTORIES = {
    Analyte: (lambda: Analyte.objects.get(code="thc"), True),
    Panel: (panel, True),
    ProgramClinicalPolicy: (ProgramClinicalPolicyFactory, True),
    DrugTest: (_resulted_for_admin, False),
    DrugTestResultSet: (lambda: _resulted_for_admin().result_sets.get(), False),
    AnalyteResult: (lambda: _resulted_for_admin().result_sets.get().analyte_results.first(), False),
    PanelAnalyte: (lambda: panel().panel_analytes.first(), True),
    SobrietyDate: (_sobriety_for_admin, False),
    RandomDraw: (_draw_for_admin, False),
}
