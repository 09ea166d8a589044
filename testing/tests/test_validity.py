"""Specimen validity from the numbers (HHS Mandatory Guidelines 2017, section 3.8): both sides of every cut-off."""

from decimal import Decimal as D

import pytest

from testing.constants import Specimen, SpecimenValidity
from testing.validity import SpecimenChecks, specimen_validity, temperature_in_range


def validity(**checks) -> str:
    return specimen_validity(SpecimenChecks(**checks)).validity


@pytest.mark.parametrize(
    ("reading", "in_range"),
    [(None, None), (D("31.9"), False), (D("32.0"), True), (D("38.0"), True), (D("38.1"), False)],
)
def test_temperature_32_to_38_is_in_range(reading, in_range):
    assert temperature_in_range(reading) is in_range


@pytest.mark.parametrize(
    ("ph", "expected"),
    [
        (D("4.4"), SpecimenValidity.ADULTERATED),
        (D("4.5"), SpecimenValidity.INVALID),
        (D("4.7"), SpecimenValidity.INVALID),
        (D("4.8"), SpecimenValidity.NORMAL),
        (D("8.9"), SpecimenValidity.NORMAL),
        (D("9.0"), SpecimenValidity.INVALID),
        (D("10.9"), SpecimenValidity.INVALID),
        (D("11.0"), SpecimenValidity.ADULTERATED),
    ],
)
def test_ph(ph, expected):
    assert validity(ph=ph) == expected


@pytest.mark.parametrize(
    ("nitrite", "expected"),
    [
        (D("199"), SpecimenValidity.NORMAL),
        (D("200"), SpecimenValidity.INVALID),
        (D("499"), SpecimenValidity.INVALID),
        (D("500"), SpecimenValidity.ADULTERATED),
    ],
)
def test_nitrite(nitrite, expected):
    assert validity(nitrite_mcg_ml=nitrite) == expected


def test_an_oxidant_is_adulteration():
    assert validity(oxidant_detected=True) == SpecimenValidity.ADULTERATED
    assert validity(oxidant_detected=False) == SpecimenValidity.NORMAL


@pytest.mark.parametrize(
    ("creatinine", "gravity", "expected"),
    [
        # Substituted: creatinine < 2 with specific gravity ≤ 1.0010 or ≥ 1.0200.
        (D("1.9"), D("1.0010"), SpecimenValidity.SUBSTITUTED),
        (D("1.9"), D("1.0200"), SpecimenValidity.SUBSTITUTED),
        (D("1.9"), D("1.0011"), SpecimenValidity.INVALID),  # creatinine and gravity disagree
        (D("1.9"), D("1.0199"), SpecimenValidity.INVALID),
        (D("2.0"), D("1.0010"), SpecimenValidity.INVALID),  # gravity ≤ 1.0010 needs creatinine < 2
        # Dilute: creatinine 2 to under 20 and gravity above 1.0010 and under 1.0030.
        (D("2.0"), D("1.0011"), SpecimenValidity.DILUTE),
        (D("19.9"), D("1.0029"), SpecimenValidity.DILUTE),
        (D("20.0"), D("1.0029"), SpecimenValidity.NORMAL),
        (D("19.9"), D("1.0030"), SpecimenValidity.NORMAL),
        (D("120"), D("1.0180"), SpecimenValidity.NORMAL),
    ],
)
def test_creatinine_and_specific_gravity(creatinine, gravity, expected):
    assert validity(creatinine_mg_dl=creatinine, specific_gravity=gravity) == expected


def test_the_most_serious_criterion_decides_and_every_reason_is_kept():
    result = specimen_validity(
        SpecimenChecks(creatinine_mg_dl=D("10"), specific_gravity=D("1.0020"), nitrite_mcg_ml=D("600"))
    )
    assert result.validity == SpecimenValidity.ADULTERATED
    assert any("nitrite" in reason for reason in result.reasons)


def test_nothing_measured_is_normal_and_other_specimens_are_not_judged_by_urine_criteria():
    assert validity() == SpecimenValidity.NORMAL
    assert specimen_validity(SpecimenChecks(ph=D("2")), Specimen.ORAL_FLUID).validity == SpecimenValidity.NORMAL
