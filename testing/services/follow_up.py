"""What a drug test's findings set in motion: the rules of patients/follow_up.py, applied to a specimen.

Called after a specimen is collected (its validity) and after every interpretation (results,
and re-reads when the medication list changes), inside the same transaction. Each finding
has a key, so a re-read raises nothing twice.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from medications.selectors.medications import medication_context_on
from patients.follow_up import DILUTE_WINDOW_DAYS, RETURN_TO_USE_WINDOW_DAYS, Finding
from patients.services import finding_follow_up

from ..constants import DrugTestStatus, FindingKind, ResultMethod, SpecimenValidity
from ..models import DrugTest

# Opioids whose unexpected presence means overdose risk (naloxone, counselling).
# Buprenorphine is left out: a partial agonist with a ceiling on respiratory depression;
# its unexpected presence still gets the review with the patient.
OPIOID_ANALYTES = frozenset({"opiates", "oxycodone", "fentanyl", "methadone", "heroin", "morphine", "hydrocodone"})
FENTANYL = "fentanyl"
UNEXPECTED_KINDS = frozenset({FindingKind.UNEXPECTED_POSITIVE, FindingKind.ALCOHOL_DETECTED})
NOT_VALID = frozenset({SpecimenValidity.ADULTERATED, SpecimenValidity.SUBSTITUTED, SpecimenValidity.INVALID})


def _names(findings: list[dict]) -> str:
    return ", ".join(sorted({finding.get("analyte_name") or finding["analyte"] for finding in findings}))


def _had_unexpected_positive(test: DrugTest) -> bool:
    return any(finding.get("kind") in UNEXPECTED_KINDS for finding in test.findings)


def drug_test_follow_up(*, drug_test: DrugTest, by=None) -> list:
    """Raise the follow-up of every finding this test makes (validity, results, return to use)."""
    if drug_test.is_entered_in_error or drug_test.collected_at is None:
        return []
    patient = drug_test.patient
    collected = drug_test.collected_at
    day = timezone.localdate(collected)
    key = f"drug-test:{drug_test.pk}"
    # Due times run from when the finding became known (now), not from the collection.
    common = {"patient": patient, "at": timezone.now(), "recorded_by": by}
    done = []
    if drug_test.validity in NOT_VALID or drug_test.temperature_in_range is False:
        problem = (
            f"{drug_test.get_validity_display().lower()} specimen"
            if drug_test.validity in NOT_VALID
            else "temperature out of range"
        )
        detail = f"{problem}, collected {day:%b %d}"
        done.append(finding_follow_up(finding=Finding.SPECIMEN_NOT_VALID, key=key, detail=detail, **common))
    if drug_test.validity == SpecimenValidity.DILUTE:
        dilute = (
            DrugTest.objects.valid()
            .filter(patient=patient, validity=SpecimenValidity.DILUTE)
            .filter(collected_at__lte=collected, collected_at__gt=collected - dt.timedelta(days=DILUTE_WINDOW_DAYS))
            .count()
        )
        if dilute >= 2:
            done.append(finding_follow_up(finding=Finding.DILUTE_TWICE, key=key, detail=f"{day:%b %d}", **common))
    if drug_test.status != DrugTestStatus.RESULTED:
        return done
    findings = drug_test.findings
    unexpected = [finding for finding in findings if finding.get("kind") in UNEXPECTED_KINDS]
    presumptive_only = not drug_test.result_sets.valid().filter(method=ResultMethod.DEFINITIVE).exists()
    caution = " — presumptive: confirm before acting" if presumptive_only else ""
    if unexpected:
        detail = f"{_names(unexpected)} on {day:%b %d}{caution}"
        done.append(finding_follow_up(finding=Finding.UNEXPECTED_POSITIVE, key=key, detail=detail, **common))
    medications = medication_context_on(patient.pk, day)
    opioids = [finding for finding in unexpected if finding["analyte"] in OPIOID_ANALYTES]
    if medications.on_naltrexone:
        # On an antagonist any opioid is dangerous, prescribed or not: tolerance is gone.
        opioids += [
            finding
            for finding in findings
            if finding.get("kind") == FindingKind.EXPECTED_POSITIVE and finding["analyte"] in OPIOID_ANALYTES
        ]
    if opioids:
        detail = f"{_names(opioids)} positive on {day:%b %d}" + (
            " while on naltrexone" if medications.on_naltrexone else ""
        )
        done.append(finding_follow_up(finding=Finding.OVERDOSE_RISK, key=key, detail=detail + caution, **common))
    moud_absent = [
        finding
        for finding in findings
        if finding.get("kind") == FindingKind.EXPECTED_ABSENT and finding["analyte"] in medications.moud_analytes
    ]
    if moud_absent:
        detail = f"{_names(moud_absent)} absent on {day:%b %d}"
        done.append(finding_follow_up(finding=Finding.MOUD_ABSENT, key=key, detail=detail, **common))
    fentanyl = any(finding["analyte"] == FENTANYL for finding in unexpected)
    recent = [
        test
        for test in DrugTest.objects.valid().filter(
            Q(pk=drug_test.pk)
            | Q(
                collected_at__lte=collected,
                collected_at__gt=collected - dt.timedelta(days=RETURN_TO_USE_WINDOW_DAYS),
            ),
            patient=patient,
            status=DrugTestStatus.RESULTED,
        )
        if _had_unexpected_positive(test)
    ]
    if fentanyl or len(recent) >= 2:
        why = (
            "fentanyl positive"
            if fentanyl
            else f"{len(recent)} unexpected positives in {RETURN_TO_USE_WINDOW_DAYS} days"
        )
        done.append(return_to_use_follow_up(patient=patient, day=day, detail=f"{why}, {day:%b %d}", by=by))
    return done


def return_to_use_follow_up(*, patient, day: dt.date, detail: str, by=None):
    """One treatment-plan review per patient and ISO week, however many findings point to use that week."""
    year, week, _ = day.isocalendar()
    return finding_follow_up(
        patient=patient,
        finding=Finding.RETURN_TO_USE,
        key=f"patient:{patient.pk}:week:{year}-W{week:02d}",
        detail=detail,
        recorded_by=by,
    )
