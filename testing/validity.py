"""Urine specimen validity computed from the numbers, as the HHS Mandatory Guidelines define it.

Source: HHS Mandatory Guidelines for Federal Workplace Drug Testing Programs using Urine
(82 FR 7920, 2017), section 3.8 (criteria for dilute, substituted, adulterated and invalid
specimens) and section 8.5 (temperature read within 4 minutes, acceptable 32–38 °C). Pure
functions, so every boundary is tested on its own. Nobody picks the validity by hand: the
collector records what the cup, thermometer and validity strips show, and this decides.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from .constants import Specimen, SpecimenValidity

TEMPERATURE_LOW_C = Decimal("32")
TEMPERATURE_HIGH_C = Decimal("38")
CREATININE_SUBSTITUTED_BELOW = Decimal("2")  # mg/dL
CREATININE_DILUTE_BELOW = Decimal("20")  # mg/dL
SG_SUBSTITUTED_AT_OR_BELOW = Decimal("1.0010")
SG_SUBSTITUTED_AT_OR_ABOVE = Decimal("1.0200")
SG_DILUTE_BELOW = Decimal("1.0030")
PH_ADULTERATED_BELOW = Decimal("4.5")
PH_ADULTERATED_AT_OR_ABOVE = Decimal("11")
PH_INVALID_LOW_BELOW = Decimal("4.8")  # 4.5 ≤ pH < 4.8: invalid
PH_INVALID_HIGH_AT_OR_ABOVE = Decimal("9")  # 9 ≤ pH < 11: invalid
NITRITE_ADULTERATED_AT = Decimal("500")  # mcg/mL
NITRITE_INVALID_AT = Decimal("200")  # 200 ≤ nitrite < 500: invalid

# When several criteria are met, the most serious decides.
PRECEDENCE = (
    SpecimenValidity.ADULTERATED,
    SpecimenValidity.SUBSTITUTED,
    SpecimenValidity.INVALID,
    SpecimenValidity.DILUTE,
)


@dataclass(frozen=True)
class SpecimenChecks:
    """What the collector (or the lab's validity testing) measured; anything not measured is None."""

    temperature_c: Decimal | None = None
    creatinine_mg_dl: Decimal | None = None
    specific_gravity: Decimal | None = None
    ph: Decimal | None = None
    nitrite_mcg_ml: Decimal | None = None
    oxidant_detected: bool | None = None


@dataclass
class Validity:
    validity: str = SpecimenValidity.NORMAL
    reasons: list[str] = field(default_factory=list)


def temperature_in_range(temperature_c: Decimal | None) -> bool | None:
    if temperature_c is None:
        return None
    return TEMPERATURE_LOW_C <= temperature_c <= TEMPERATURE_HIGH_C


def specimen_validity(checks: SpecimenChecks, specimen: str = Specimen.URINE) -> Validity:
    """The specimen's validity and the criteria that made it so (urine only; other specimens are normal)."""
    if specimen != Specimen.URINE:
        return Validity()
    found: dict[str, list[str]] = {}

    def meets(validity: str, reason: str) -> None:
        found.setdefault(validity, []).append(reason)

    creatinine, gravity = checks.creatinine_mg_dl, checks.specific_gravity
    ph, nitrite = checks.ph, checks.nitrite_mcg_ml
    if ph is not None:
        if ph < PH_ADULTERATED_BELOW or ph >= PH_ADULTERATED_AT_OR_ABOVE:
            meets(SpecimenValidity.ADULTERATED, f"pH {ph} (below 4.5 or 11 and above)")
        elif ph < PH_INVALID_LOW_BELOW or ph >= PH_INVALID_HIGH_AT_OR_ABOVE:
            meets(SpecimenValidity.INVALID, f"pH {ph} (4.5 to under 4.8, or 9 to under 11)")
    if nitrite is not None:
        if nitrite >= NITRITE_ADULTERATED_AT:
            meets(SpecimenValidity.ADULTERATED, f"nitrite {nitrite} mcg/mL (500 or more)")
        elif nitrite >= NITRITE_INVALID_AT:
            meets(SpecimenValidity.INVALID, f"nitrite {nitrite} mcg/mL (200 to under 500)")
    if checks.oxidant_detected:
        meets(SpecimenValidity.ADULTERATED, "oxidizing adulterant detected")
    if creatinine is not None and gravity is not None:
        if creatinine < CREATININE_SUBSTITUTED_BELOW:
            if gravity <= SG_SUBSTITUTED_AT_OR_BELOW or gravity >= SG_SUBSTITUTED_AT_OR_ABOVE:
                meets(SpecimenValidity.SUBSTITUTED, f"creatinine {creatinine} mg/dL with specific gravity {gravity}")
            else:
                meets(SpecimenValidity.INVALID, f"creatinine {creatinine} mg/dL inconsistent with gravity {gravity}")
        elif gravity <= SG_SUBSTITUTED_AT_OR_BELOW:
            meets(SpecimenValidity.INVALID, f"specific gravity {gravity} inconsistent with creatinine {creatinine}")
        elif creatinine < CREATININE_DILUTE_BELOW and gravity < SG_DILUTE_BELOW:
            meets(SpecimenValidity.DILUTE, f"creatinine {creatinine} mg/dL and specific gravity {gravity}")
    for validity in PRECEDENCE:
        if validity in found:
            return Validity(validity, found[validity])
    return Validity()
