"""Reading a drug test against the medications the patient was prescribed on the collection day.

Pure functions (no database) so every flag is tested on its own. The rules follow
SAMHSA TIP 63 (medications for OUD) and ASAM's 2017 Appropriate Use of Drug Testing:
a prescribed medication's analyte is *expected*; its absence suggests non-adherence or
diversion; anything else positive is unexpected; any breath alcohol above zero counts.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal

from .constants import (
    BREATH_ALCOHOL,
    FLAGGED_FINDINGS,
    POORLY_DETECTED_BY_SCREEN,
    AnalyteOutcome,
    FindingKind,
    SpecimenValidity,
)

PRESUMPTIVE = " Presumptive screen: confirm before acting."


@dataclass(frozen=True)
class Reading:
    """One analyte's result as the interpretation needs it."""

    analyte: str
    outcome: str
    level: Decimal | None = None
    analyte_name: str = ""
    # From a definitive (LC-MS/MS) result; a presumptive screen is confirmed before anyone acts on it.
    definitive: bool = False


@dataclass(frozen=True)
class Finding:
    analyte: str
    analyte_name: str
    kind: str
    flagged: bool
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def effective_readings(presumptive: Iterable[Reading], definitive: Iterable[Reading]) -> list[Reading]:
    """A definitive (LC-MS/MS) result replaces the presumptive one for the analytes it reports."""
    by_analyte = {reading.analyte: reading for reading in presumptive}
    by_analyte.update({reading.analyte: replace(reading, definitive=True) for reading in definitive})
    return list(by_analyte.values())


def poorly_detected(analyte: str, medications: Sequence[str]) -> bool:
    """Every medication expected to show as ``analyte`` is one its screen detects poorly."""
    weak = POORLY_DETECTED_BY_SCREEN.get(analyte, ())
    return bool(medications) and all(any(name in medication.lower() for name in weak) for medication in medications)


def _finding(reading_or_code, kind: FindingKind, message: str, name: str = "") -> Finding:
    code = reading_or_code.analyte if isinstance(reading_or_code, Reading) else reading_or_code
    if isinstance(reading_or_code, Reading):
        name = reading_or_code.analyte_name or name
    return Finding(code, name or code, str(kind), kind in FLAGGED_FINDINGS, message)


def interpret(
    readings: Sequence[Reading],
    *,
    expected: Mapping[str, Sequence[str]],
    validity: str = SpecimenValidity.NORMAL,
    analyte_names: Mapping[str, str] | None = None,
    temperature_in_range: bool | None = None,
) -> list[Finding]:
    """Findings for one test.

    ``expected`` maps an analyte code to the names of the medications, active on the
    collection day, that should produce it. Prescribed analytes the panel did not test
    are reported (not flagged): absence cannot be judged from a test that did not look.
    """
    names = analyte_names or {}
    findings: list[Finding] = []
    if validity and validity != SpecimenValidity.NORMAL:
        findings.append(
            _finding(
                "specimen",
                FindingKind.SPECIMEN_NOT_VALID,
                f"Specimen {validity}: results may not reflect use; consider an observed recollection.",
                name="Specimen",
            )
        )
    if temperature_in_range is False:
        findings.append(
            _finding(
                "temperature",
                FindingKind.TEMPERATURE_OUT_OF_RANGE,
                "Temperature outside 32–38 °C within 4 minutes: possible substitution; recollect under observation.",
                name="Specimen temperature",
            )
        )
    tested = set()
    for reading in readings:
        tested.add(reading.analyte)
        prescribed = ", ".join(expected.get(reading.analyte, ()))
        if reading.analyte == BREATH_ALCOHOL:
            above_zero = reading.outcome == AnalyteOutcome.POSITIVE or (reading.level or 0) > 0
            if above_zero:
                level = f" ({reading.level})" if reading.level is not None else ""
                findings.append(_finding(reading, FindingKind.ALCOHOL_DETECTED, f"Breath alcohol above zero{level}."))
            elif reading.outcome == AnalyteOutcome.INVALID:
                findings.append(_finding(reading, FindingKind.INVALID_RESULT, "Invalid breath test: repeat it."))
            else:
                findings.append(_finding(reading, FindingKind.NEGATIVE, "No breath alcohol."))
            continue
        if reading.outcome == AnalyteOutcome.INVALID:
            findings.append(_finding(reading, FindingKind.INVALID_RESULT, "Invalid result: retest this analyte."))
        elif reading.outcome == AnalyteOutcome.POSITIVE and prescribed:
            findings.append(_finding(reading, FindingKind.EXPECTED_POSITIVE, f"Expected: prescribed {prescribed}."))
        elif reading.outcome == AnalyteOutcome.POSITIVE:
            caution = "" if reading.definitive else PRESUMPTIVE
            findings.append(
                _finding(reading, FindingKind.UNEXPECTED_POSITIVE, "Positive and not prescribed." + caution)
            )
        elif prescribed and not reading.definitive and poorly_detected(reading.analyte, expected[reading.analyte]):
            findings.append(
                _finding(
                    reading,
                    FindingKind.NOT_RELIABLY_DETECTED,
                    f"Negative screen, but {prescribed} is not reliably detected by this assay; "
                    "confirm with definitive testing (this is not evidence of non-adherence).",
                )
            )
        elif prescribed:
            findings.append(
                _finding(
                    reading,
                    FindingKind.EXPECTED_ABSENT,
                    f"Absent although {prescribed} is prescribed: possible non-adherence or diversion.",
                )
            )
        else:
            findings.append(_finding(reading, FindingKind.NEGATIVE, "Negative."))
    for code, medications in sorted(expected.items()):
        if code not in tested:
            findings.append(
                _finding(
                    code,
                    FindingKind.NOT_TESTED,
                    f"{', '.join(medications)} prescribed; this panel does not test for it.",
                    name=names.get(code, code),
                )
            )
    return findings


def flag_count(findings: Iterable[Finding]) -> int:
    return sum(1 for finding in findings if finding.flagged)
