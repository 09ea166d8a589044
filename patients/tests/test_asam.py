"""The ASAM decision table: one test per row (its witness and its edge), the issue's named cases, both editions."""

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from patients.asam import LEVEL_RULES, WITHDRAWAL_RULES, recommend_level_of_care, recommendation_label
from patients.constants import LevelOfCare, WithdrawalManagement
from programs.constants import INTEGRATED_WITHDRAWAL_LEVELS, LEVELS_BY_EDITION, AsamEdition, level_rank

THIRD, FOURTH = AsamEdition.THIRD, AsamEdition.FOURTH
ROOT = Path(__file__).resolve().parents[2]


def ratings(**by_dimension: int) -> list[int]:
    """Six ratings, all 0 except those given as d1=…, d6=…."""
    return [by_dimension.get(f"d{n}", 0) for n in range(1, 7)]


# Each row of the table: ratings that reach it first (its witness), the level in each edition,
# and ratings one step under its threshold, which must fall to a later row.
ROWS = {
    "acute_medical_or_psychiatric": (ratings(d2=4), LevelOfCare.INPATIENT, LevelOfCare.INPATIENT, ratings(d2=3)),
    "medical_monitoring": (ratings(d3=3), LevelOfCare.RES_MEDICAL, LevelOfCare.RES_MEDICAL, ratings(d3=2)),
    "relapse_imminent": (ratings(d5=4), LevelOfCare.RES_HIGH, LevelOfCare.RES_HIGH, ratings(d5=3)),
    "relapse_and_environment": (
        ratings(d5=3, d6=3),
        LevelOfCare.RES_HIGH,
        LevelOfCare.RES_HIGH,
        ratings(d5=3, d6=2),
    ),
    "environment_dangerous": (ratings(d6=4), LevelOfCare.RES_LOW, LevelOfCare.RES_LOW, ratings(d6=3)),
    "relapse_high": (ratings(d5=3), LevelOfCare.PHP, LevelOfCare.PHP, ratings(d5=2)),
    "environment_unsupportive": (ratings(d6=3), LevelOfCare.PHP, LevelOfCare.PHP, ratings(d6=2)),
    "readiness_opposed": (ratings(d4=4), LevelOfCare.PHP, LevelOfCare.PHP, ratings(d4=3)),
    "withdrawal_or_biomedical_moderate": (ratings(d2=2), LevelOfCare.IOP, LevelOfCare.IOP, ratings(d2=1)),
    "moderate_risk": (ratings(d3=2), LevelOfCare.IOP, LevelOfCare.IOP, ratings(d3=1)),
    "low_risk": (ratings(d1=1, d2=1, d3=1, d4=1, d5=1, d6=1), LevelOfCare.OP, LevelOfCare.OP_THERAPY, None),
}


def test_every_row_of_the_table_has_a_test_and_a_source_in_both_editions():
    assert [rule.key for rule in LEVEL_RULES] == list(ROWS)
    for rule in (*LEVEL_RULES, *WITHDRAWAL_RULES):
        assert "3rd ed. (2013)" in rule.source and "4th ed. (2023)" in rule.source, rule.key
    assert len({rule.key for rule in LEVEL_RULES}) == len(LEVEL_RULES)


@pytest.mark.parametrize("key", list(ROWS))
def test_each_row_recommends_its_level_in_both_editions(key):
    witness, third, fourth, _ = ROWS[key]
    in_third = recommend_level_of_care(witness, THIRD)
    in_fourth = recommend_level_of_care(witness, FOURTH)
    assert (in_third.rule.key, in_third.level) == (key, third)
    assert (in_fourth.rule.key, in_fourth.level) == (key, fourth)


@pytest.mark.parametrize("key", [key for key, row in ROWS.items() if row[3] is not None])
def test_one_step_under_each_row_falls_to_a_later_row_and_less_care(key):
    _, third, _, under = ROWS[key]
    lower = recommend_level_of_care(under)
    keys = list(ROWS)
    assert keys.index(lower.rule.key) > keys.index(key)
    assert level_rank(lower.level) <= level_rank(third)


# The named cases -------------------------------------------------------------------------


@pytest.mark.parametrize("vector", [ratings(d5=4), ratings(d6=4)], ids=["D5=4", "D6=4"])
def test_a_4_on_relapse_or_environment_alone_is_residential_not_partial_hospitalization(vector):
    level = recommend_level_of_care(vector).level
    assert level in {LevelOfCare.RES_LOW, LevelOfCare.RES_HIGH}
    assert level != LevelOfCare.PHP


def test_relapse_4_is_high_intensity_and_environment_4_is_low_intensity_residential():
    assert recommend_level_of_care(ratings(d5=4)).level == LevelOfCare.RES_HIGH
    assert recommend_level_of_care(ratings(d6=4)).level == LevelOfCare.RES_LOW
    # Both at once, or an environment of 4 with relapse potential of 3: high intensity.
    assert recommend_level_of_care(ratings(d5=3, d6=4)).level == LevelOfCare.RES_HIGH


def test_3_1_is_recommended_by_some_row():
    reached = {recommend_level_of_care(vector).level for vector in itertools.product(range(5), repeat=6)}
    assert LevelOfCare.RES_LOW in reached
    assert reached == set(LEVELS_BY_EDITION[THIRD])  # every 3rd-edition level is reachable


def test_withdrawal_2_recommends_2_1_with_2_wm_alongside():
    recommendation = recommend_level_of_care(ratings(d1=2))
    assert (recommendation.level, recommendation.withdrawal_management) == (
        LevelOfCare.IOP,
        WithdrawalManagement.AMBULATORY_MONITORED,
    )
    assert recommendation.label == "2.1 Intensive outpatient with 2-WM"
    assert recommendation.withdrawal_rule.key == "withdrawal_moderate"


# Withdrawal management: one test per row and its edge ----------------------------------------------


@pytest.mark.parametrize(
    ("d1", "management", "level"),
    [
        (4, WithdrawalManagement.INPATIENT_MANAGED, LevelOfCare.INPATIENT),
        (3, WithdrawalManagement.INPATIENT_MONITORED, LevelOfCare.RES_MEDICAL),
        (2, WithdrawalManagement.AMBULATORY_MONITORED, LevelOfCare.IOP),
        (1, "", LevelOfCare.OP),
        (0, "", LevelOfCare.OP),
    ],
)
def test_withdrawal_management_follows_dimension_1_in_the_third_edition(d1, management, level):
    recommendation = recommend_level_of_care(ratings(d1=d1), THIRD)
    assert (recommendation.withdrawal_management, recommendation.level) == (management, level)


def test_withdrawal_management_rides_alongside_whatever_decides_the_level():
    # Dimension 6 decides the level (3.1); dimension 1 adds withdrawal management to it.
    recommendation = recommend_level_of_care(ratings(d1=2, d6=4), THIRD)
    assert (recommendation.level, recommendation.withdrawal_management) == (LevelOfCare.RES_LOW, "2-WM")
    assert recommendation.sources[1].startswith("ASAM 3rd ed. (2013), Withdrawal Management, Level 2-WM")


@pytest.mark.parametrize(
    ("vector", "level"),
    [
        (ratings(d1=2), LevelOfCare.IOP_MEDICAL),  # 2.1 → 2.7
        (ratings(d1=2, d5=3), LevelOfCare.IOP_MEDICAL),  # 2.5 → 2.7
        (ratings(d1=2, d6=4), LevelOfCare.RES_MEDICAL),  # 3.1 → 3.7
        (ratings(d1=3), LevelOfCare.RES_MEDICAL),
        (ratings(d1=4), LevelOfCare.INPATIENT),
        (ratings(d1=1), LevelOfCare.OP_THERAPY),  # under 2: no withdrawal management
    ],
)
def test_the_fourth_edition_integrates_withdrawal_management_into_the_level(vector, level):
    recommendation = recommend_level_of_care(vector, FOURTH)
    assert (recommendation.level, recommendation.withdrawal_management) == (level, "")
    if vector[0] >= 2:
        assert recommendation.level in INTEGRATED_WITHDRAWAL_LEVELS
        assert recommendation.label.endswith("(withdrawal management integrated)")


def test_fourth_edition_names_and_third_edition_names():
    assert recommendation_label(LevelOfCare.PHP, "", THIRD) == "2.5 Partial hospitalization"
    assert recommendation_label(LevelOfCare.PHP, "", FOURTH) == "2.5 High-intensity outpatient"
    assert recommendation_label(LevelOfCare.OP, "", FOURTH) == "1.0 Long-term remission monitoring"
    assert recommendation_label(LevelOfCare.RES_MEDICAL, "3.7-WM", THIRD) == (
        "3.7 Medically monitored intensive inpatient with 3.7-WM"
    )


def test_every_recommendation_is_a_level_of_its_edition():
    for edition in (THIRD, FOURTH):
        for vector in itertools.product(range(5), repeat=6):
            assert recommend_level_of_care(vector, edition).level in LEVELS_BY_EDITION[edition]


@pytest.mark.parametrize("edition", [THIRD, FOURTH])
def test_more_risk_never_recommends_less_care(edition):
    """Raising any one rating by one step never lowers the level, nor the withdrawal management (5**6 vectors)."""
    order = ("", *WithdrawalManagement.values)

    def care(vector):
        recommendation = recommend_level_of_care(vector, edition)
        return level_rank(recommendation.level), order.index(recommendation.withdrawal_management)

    for vector in itertools.product(range(5), repeat=6):
        before = care(vector)
        for index in range(6):
            if vector[index] == 4:
                continue
            higher = list(vector)
            higher[index] += 1
            assert care(higher) >= before, (vector, index)


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
        [True, 0, 0, 0, 0, 0],
        "000000",
    ],
)
def test_invalid_ratings_raise_value_error(bad):
    with pytest.raises(ValueError, match="Six ratings from 0 to 4"):
        recommend_level_of_care(bad)


def test_accepts_a_tuple_and_refuses_an_unknown_edition():
    assert recommend_level_of_care((0, 0, 2, 0, 0, 0)).level == LevelOfCare.IOP
    with pytest.raises(ValueError, match="edition is 3 or 4"):
        recommend_level_of_care([0] * 6, 5)


@pytest.mark.parametrize(("value", "ok"), [("3", True), ("4", True), ("5", False), ("fourth", False)])
def test_the_edition_setting_is_validated_at_start_up(value, ok):
    env = {**os.environ, "ASAM_EDITION": value, "DJANGO_SETTINGS_MODULE": "iop.settings"}
    script = "from django.conf import settings; print(settings.ASAM_EDITION)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    if ok:
        assert result.returncode == 0 and result.stdout.strip() == value, result.stderr
    else:
        assert result.returncode != 0
        assert "ASAM_EDITION must be 3 (2013) or 4 (2023)" in result.stderr
