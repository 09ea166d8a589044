"""Level-of-care recommendation from the six ASAM dimension ratings: each rule and its edges."""

import itertools

import pytest

from patients.asam import recommend_level_of_care
from patients.constants import LevelOfCare

ORDER = [
    LevelOfCare.OP,
    LevelOfCare.IOP,
    LevelOfCare.PHP,
    LevelOfCare.RES_LOW,
    LevelOfCare.RES_HIGH,
    LevelOfCare.RES_MEDICAL,
    LevelOfCare.INPATIENT,
]


def ratings(**by_dimension: int) -> list[int]:
    """Six ratings, all 0 except those given as d1=…, d6=…."""
    return [by_dimension.get(f"d{n}", 0) for n in range(1, 7)]


def test_all_zero_is_outpatient():
    assert recommend_level_of_care([0] * 6) == LevelOfCare.OP


@pytest.mark.parametrize("dimension", [1, 2, 3])
def test_a_4_on_dimensions_1_to_3_is_inpatient(dimension):
    assert recommend_level_of_care(ratings(**{f"d{dimension}": 4})) == LevelOfCare.INPATIENT


@pytest.mark.parametrize("dimension", [1, 2, 3])
def test_a_4_on_dimensions_1_to_3_outranks_everything_else(dimension):
    others = [3, 3, 3, 4, 4, 4]
    others[dimension - 1] = 4
    assert recommend_level_of_care(others) == LevelOfCare.INPATIENT


@pytest.mark.parametrize("dimension", [1, 2, 3])
def test_a_3_on_dimensions_1_to_3_is_medically_monitored(dimension):
    assert recommend_level_of_care(ratings(**{f"d{dimension}": 3})) == LevelOfCare.RES_MEDICAL


def test_a_3_on_dimensions_1_to_3_outranks_relapse_and_environment():
    assert recommend_level_of_care([3, 0, 0, 4, 4, 4]) == LevelOfCare.RES_MEDICAL


@pytest.mark.parametrize(("d5", "d6"), [(3, 3), (3, 4), (4, 3), (4, 4)])
def test_high_relapse_with_an_unsupportive_environment_is_high_intensity_residential(d5, d6):
    assert recommend_level_of_care(ratings(d5=d5, d6=d6)) == LevelOfCare.RES_HIGH


@pytest.mark.parametrize(("d5", "d6"), [(3, 2), (2, 3), (4, 0), (0, 4)])
def test_high_relapse_or_unsupportive_environment_alone_is_partial_hospitalization(d5, d6):
    assert recommend_level_of_care(ratings(d5=d5, d6=d6)) == LevelOfCare.PHP


def test_readiness_4_is_partial_hospitalization_but_3_is_iop():
    assert recommend_level_of_care(ratings(d4=4)) == LevelOfCare.PHP
    assert recommend_level_of_care(ratings(d4=3)) == LevelOfCare.IOP


@pytest.mark.parametrize("dimension", [3, 4, 5, 6])
def test_a_2_on_dimensions_3_to_6_is_iop_and_a_1_is_outpatient(dimension):
    assert recommend_level_of_care(ratings(**{f"d{dimension}": 2})) == LevelOfCare.IOP
    assert recommend_level_of_care(ratings(**{f"d{dimension}": 1})) == LevelOfCare.OP


@pytest.mark.parametrize("dimension", [1, 2])
def test_a_2_on_dimensions_1_or_2_is_iop_and_a_1_is_outpatient(dimension):
    assert recommend_level_of_care(ratings(**{f"d{dimension}": 2})) == LevelOfCare.IOP
    assert recommend_level_of_care(ratings(**{f"d{dimension}": 1})) == LevelOfCare.OP


def test_all_ones_is_outpatient_and_all_twos_is_iop():
    assert recommend_level_of_care([1] * 6) == LevelOfCare.OP
    assert recommend_level_of_care([2] * 6) == LevelOfCare.IOP


def test_accepts_a_tuple():
    assert recommend_level_of_care((0, 0, 2, 0, 0, 0)) == LevelOfCare.IOP


def test_more_risk_never_recommends_less_care():
    # Raising any one rating by one step never lowers the recommended level (checked over all 5**6 vectors).
    for vector in itertools.product(range(5), repeat=6):
        level = ORDER.index(recommend_level_of_care(vector))
        for index in range(6):
            if vector[index] == 4:
                continue
            higher = list(vector)
            higher[index] += 1
            assert ORDER.index(recommend_level_of_care(higher)) >= level, (vector, index)


@pytest.mark.parametrize(
    "bad",
    [
        [],
        [0] * 5,
        [0] * 7,
        [5, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, -1],
        [0, 0, 2.5, 0, 0, 0],
        [0, "3", 0, 0, 0, 0],
        [None, 0, 0, 0, 0, 0],
        "000000",
    ],
)
def test_invalid_ratings_raise_value_error(bad):
    with pytest.raises(ValueError, match="Six ratings from 0 to 4"):
        recommend_level_of_care(bad)
