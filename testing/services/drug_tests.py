"""Writes for drug testing: orders, collection, lab hand-off, results, interpretation, sobriety date."""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from iop.hooks import records_changed

# Drug testing sits below medications; reading the medication list is its one named way up.
from medications.selectors.medications import expected_analytes_on
from patients.constants import EpisodeStatus
from patients.models import Patient

from ..constants import (
    DRUG_TEST_TRANSITIONS,
    AnalyteOutcome,
    DrugTestStatus,
    ResultMethod,
    Specimen,
    TestingMethod,
)
from ..interpretation import Reading, effective_readings, flag_count, interpret
from ..models import Analyte, AnalyteResult, DrugTest, DrugTestResultSet, Panel, SobrietyDate
from ..validity import SpecimenChecks, specimen_validity
from ..validity import temperature_in_range as temperature_reading_in_range
from .follow_up import drug_test_follow_up, return_to_use_follow_up


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _move(drug_test: DrugTest, to: DrugTestStatus) -> None:
    if to not in DRUG_TEST_TRANSITIONS[drug_test.status]:
        raise ValidationError(
            {"status": f"A test that is {drug_test.get_status_display().lower()} cannot become {to.label.lower()}."}
        )
    drug_test.status = to


def _locked(drug_test: DrugTest) -> DrugTest:
    """Re-read the test under a row lock so two people recording at once cannot both move it."""
    locked = DrugTest.objects.select_for_update().get(pk=drug_test.pk)
    if locked.is_entered_in_error:
        raise ValidationError("This test was marked entered in error.")
    return locked


@transaction.atomic
def drug_test_order(
    *,
    patient: Patient,
    panel: Panel,
    reason: str,
    ordered_by,
    specimen: str | None = None,
    method: str | None = None,
    observed: bool = False,
    ordered_at: datetime | None = None,
    notes: str = "",
    random_draw=None,
) -> DrugTest:
    episode = patient.episodes.valid().filter(status=EpisodeStatus.ACTIVE).first()
    drug_test = DrugTest(
        patient=patient,
        episode=episode,
        panel=panel,
        reason=reason,
        specimen=specimen or panel.specimen,
        method=method or panel.method,
        observed=observed,
        ordered_by=ordered_by,
        ordered_at=ordered_at or timezone.now(),
        notes=notes,
        random_draw=random_draw,
    )
    if not panel.is_active:
        raise ValidationError({"panel": "This panel is no longer in use; choose another."})
    return _save(drug_test)


@transaction.atomic
def drug_test_collect(
    *,
    drug_test: DrugTest,
    collector,
    collected_at: datetime | None = None,
    observed: bool | None = None,
    temperature_in_range: bool | None = None,
    checks: SpecimenChecks | None = None,
) -> DrugTest:
    """Record the collection and the specimen checks; the validity is computed from them (testing/validity.py)."""
    drug_test = _locked(drug_test)
    _move(drug_test, DrugTestStatus.COLLECTED)
    checks = checks or SpecimenChecks()
    collected_at = collected_at or timezone.now()
    if collected_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"collected_at": "The collection time cannot be in the future."})
    if drug_test.ordered_at - timedelta(minutes=1) < collected_at < drug_test.ordered_at:
        # The form gives minutes; a collection typed as the minute of the order is not before it.
        collected_at = drug_test.ordered_at
    if collected_at < drug_test.ordered_at:
        raise ValidationError({"collected_at": "The collection time cannot come before the order."})
    urine = drug_test.specimen == Specimen.URINE
    measured = temperature_reading_in_range(checks.temperature_c)
    if measured is not None and temperature_in_range is not None and measured != temperature_in_range:
        raise ValidationError(
            {"temperature_in_range": f"{checks.temperature_c} °C is {'in' if measured else 'out of'} range (32–38 °C)."}
        )
    temperature_in_range = measured if measured is not None else temperature_in_range
    if urine and temperature_in_range is None:
        raise ValidationError({"temperature_in_range": "Record the urine temperature, or whether it was in range."})
    validity = specimen_validity(checks, drug_test.specimen)
    drug_test.collector = collector
    drug_test.collected_at = collected_at
    drug_test.temperature_in_range = temperature_in_range if urine else None
    for name in ("temperature_c", "creatinine_mg_dl", "specific_gravity", "ph", "nitrite_mcg_ml", "oxidant_detected"):
        setattr(drug_test, name, getattr(checks, name) if urine else None)
    drug_test.validity = validity.validity
    drug_test.validity_reasons = "; ".join(validity.reasons)[:300]
    if observed is not None:
        drug_test.observed = observed
    _save(drug_test)
    # An adulterated, substituted, invalid or repeatedly dilute specimen, or a temperature out of
    # range, is a finding of its own.
    drug_test_follow_up(drug_test=drug_test, by=collector)
    return drug_test


@transaction.atomic
def drug_test_mark_not_collected(*, drug_test: DrugTest, reason: str, by) -> DrugTest:
    drug_test = _locked(drug_test)
    if not reason.strip():
        raise ValidationError({"not_collected_reason": "Say why the specimen was not collected."})
    _move(drug_test, DrugTestStatus.NOT_COLLECTED)
    drug_test.not_collected_reason = reason.strip()
    return _save(drug_test)


@transaction.atomic
def drug_test_send(*, drug_test: DrugTest, lab_name: str, sent_at: datetime | None = None, by=None) -> DrugTest:
    """Send to the lab: a lab test's specimen, or a presumptive result for LC-MS/MS confirmation."""
    drug_test = _locked(drug_test)
    if (
        drug_test.status == DrugTestStatus.RESULTED
        and drug_test.result_sets.valid().filter(method=ResultMethod.DEFINITIVE).exists()
    ):
        raise ValidationError({"status": "This specimen already has its definitive (LC-MS/MS) result."})
    _move(drug_test, DrugTestStatus.SENT)
    if not lab_name.strip():
        raise ValidationError({"lab_name": "Name the laboratory."})
    drug_test.lab_name = lab_name.strip()
    drug_test.sent_at = sent_at or timezone.now()
    return _save(drug_test)


@transaction.atomic
def drug_test_result(
    *,
    drug_test: DrugTest,
    method: str,
    results: Mapping[Analyte, tuple[str, Decimal | None]],
    recorded_by,
    resulted_at: datetime | None = None,
    lab_name: str = "",
    accession_number: str = "",
) -> DrugTestResultSet:
    """Record one result set (presumptive or definitive) and re-read the test against the medications."""
    drug_test = _locked(drug_test)
    if not results:
        raise ValidationError("Enter a result for at least one analyte.")
    existing = set(drug_test.result_sets.valid().values_list("method", flat=True))
    if method in existing:
        raise ValidationError({"method": "This specimen already has a result of that kind."})
    if method == ResultMethod.PRESUMPTIVE:
        if drug_test.status == DrugTestStatus.SENT and drug_test.method == TestingMethod.POINT_OF_CARE:
            raise ValidationError(
                {"method": "The specimen is at the lab for confirmation: enter the definitive result."}
            )
        cutoffs = {
            row.analyte_id: row.effective_cutoff for row in drug_test.panel.panel_analytes.select_related("analyte")
        }
        missing = [a for a in drug_test.panel.analytes.all() if a not in results]
        if missing:
            raise ValidationError({"results": f"Enter a result for every analyte: {', '.join(map(str, missing))}."})
    else:
        if drug_test.status != DrugTestStatus.SENT:
            raise ValidationError({"method": "A definitive result comes from the lab: send the specimen first."})
        cutoffs = {row.analyte_id: row.effective_cutoff for row in drug_test.panel.panel_analytes.all()}
    _move(drug_test, DrugTestStatus.RESULTED)
    resulted_at = resulted_at or timezone.now()
    if drug_test.collected_at and drug_test.collected_at - timedelta(minutes=1) < resulted_at < drug_test.collected_at:
        resulted_at = drug_test.collected_at  # typed to the minute of the collection
    if drug_test.collected_at and resulted_at < drug_test.collected_at:
        raise ValidationError({"resulted_at": "The result cannot come before the collection."})
    result_set = _save(
        DrugTestResultSet(
            drug_test=drug_test,
            method=method,
            resulted_at=resulted_at,
            lab_name=lab_name or drug_test.lab_name,
            accession_number=accession_number,
            recorded_by=recorded_by,
        )
    )
    for analyte, (outcome, level) in results.items():
        if outcome not in AnalyteOutcome.values:
            raise ValidationError({"results": f"{analyte}: choose negative, positive or invalid."})
        if level is not None and level < 0:
            raise ValidationError({"results": f"{analyte}: a level cannot be negative."})
        cutoff = cutoffs.get(analyte.pk, analyte.default_cutoff)
        disagreement = level_disagrees_with_outcome(level=level, outcome=outcome, cutoff=cutoff)
        if disagreement:
            raise ValidationError({"results": f"{analyte}: {disagreement}"})
        row = AnalyteResult(
            result_set=result_set,
            analyte=analyte,
            outcome=outcome,
            level=level,
            cutoff=cutoff,
        )
        _save(row)
    drug_test.resulted_at = resulted_at
    _save(drug_test)
    drug_test_interpret(drug_test=drug_test, by=recorded_by)
    return result_set


def level_disagrees_with_outcome(*, level: Decimal | None, outcome: str, cutoff: Decimal) -> str:
    """Why a measured level contradicts the outcome recorded, or "" when they agree.

    At or above the cutoff is positive (HHS Mandatory Guidelines 2017); with a cutoff of zero
    (breath alcohol) any level above zero is positive.
    """
    if level is None or outcome == AnalyteOutcome.INVALID:
        return ""
    positive = level > 0 if cutoff == 0 else level >= cutoff
    if outcome == AnalyteOutcome.NEGATIVE and positive:
        return f"a level of {level} is at or above the cutoff of {cutoff}: that is positive, not negative."
    if outcome == AnalyteOutcome.POSITIVE and not positive:
        return f"a level of {level} is below the cutoff of {cutoff}: that is negative, not positive."
    return ""


def drug_test_interpret(*, drug_test: DrugTest, by=None) -> DrugTest:
    """Write the test's findings against the medication list active on the collection day."""
    sets = {
        result_set.method: [
            Reading(row.analyte.code, row.outcome, row.level, row.analyte.name)
            for row in result_set.analyte_results.valid().select_related("analyte")
        ]
        for result_set in drug_test.result_sets.valid()
    }
    readings = effective_readings(sets.get(ResultMethod.PRESUMPTIVE, []), sets.get(ResultMethod.DEFINITIVE, []))
    day = timezone.localdate(drug_test.collected_at or drug_test.ordered_at)
    expected = expected_analytes_on(drug_test.patient_id, day)
    names = dict(Analyte.objects.filter(code__in=expected).values_list("code", "name"))
    findings = interpret(
        readings,
        expected=expected,
        validity=drug_test.validity,
        analyte_names=names,
        temperature_in_range=drug_test.temperature_in_range,
    )
    drug_test.findings = [finding.as_dict() for finding in findings]
    drug_test.flag_count = flag_count(findings)
    drug_test.save(update_fields=["findings", "flag_count", "updated_at"])
    drug_test_follow_up(drug_test=drug_test, by=by)
    records_changed(drug_test)
    return drug_test


def drug_tests_reinterpret(*, patient: Patient) -> int:
    """Re-read every resulted test after the medication list changed (a back-dated start, a stop)."""
    tests = DrugTest.objects.valid().filter(patient=patient, status=DrugTestStatus.RESULTED)
    for drug_test in tests:
        drug_test_interpret(drug_test=drug_test)
    return len(tests)


@transaction.atomic
def sobriety_date_set(*, patient: Patient, sober_since: date, reason: str, by) -> SobrietyDate:
    """Set or reset the sobriety date; the history keeps every earlier date with its reason."""
    if sober_since > timezone.localdate():
        raise ValidationError({"sober_since": "The sobriety date cannot be in the future."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the sobriety date is set or reset."})
    current = SobrietyDate.objects.select_for_update().filter(patient=patient).first()
    if current is None:
        current = SobrietyDate(patient=patient)
    # A later date than before is a reset: the patient used again, which the plan must answer.
    reset = current.pk is not None and sober_since > current.sober_since
    current.sober_since = sober_since
    current.reason = reason.strip()
    current.set_by = by
    _save(current)
    if reset:
        return_to_use_follow_up(
            patient=patient, day=timezone.localdate(), detail=f"sobriety date reset to {sober_since:%b %d}", by=by
        )
    return current
