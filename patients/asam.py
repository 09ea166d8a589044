"""Level-of-care recommendation from the six ASAM dimension ratings: the decision table, in one place.

This is decision support, not the ASAM Criteria's full decision tree (which is licensed and
reads far more than six numbers): each row below is written so a clinician can check it against
the book, and staff may admit to another level with a reason category and a written reason
(recorded on the episode; an admission below the recommendation is co-signed by a supervisor).

Ratings are each dimension's risk, 0 (none) to 4 (severe, imminent danger). The rows are read
from the most intensive down and the first that applies decides the level. Withdrawal
management is decided from dimension 1 alone and recommended alongside: a 3rd-edition
withdrawal-management level ("2.1 with 2-WM"), or in the 4th edition the level with withdrawal
management integrated (1.7, 2.7, 3.7, 4.0).

Sources: The ASAM Criteria, 3rd ed. (Mee-Lee D, ed., 2013), "Adult Admission Criteria" by level
and dimension and "Withdrawal Management" levels; The ASAM Criteria, 4th ed. (2023), levels of care.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from programs.constants import (
    INTEGRATED_WITHDRAWAL_LEVELS,
    AsamEdition,
    LevelOfCare,
    level_label,
    level_rank,
)

from .constants import WithdrawalManagement

Ratings = tuple[int, int, int, int, int, int]

THIRD = AsamEdition.THIRD
FOURTH = AsamEdition.FOURTH


@dataclass(frozen=True)
class LevelRule:
    """One row of the decision table: when it applies, the level by edition, and where it comes from."""

    key: str
    when: str
    applies: Callable[[Ratings], bool]
    level: dict[int, LevelOfCare]
    source: str
    why: str = ""


@dataclass(frozen=True)
class WithdrawalRule:
    """Dimension 1 → withdrawal management alongside the level (3rd ed.) or integrated in it (4th ed.)."""

    key: str
    when: str
    applies: Callable[[Ratings], bool]
    third_edition: WithdrawalManagement
    source: str


def both(level: LevelOfCare) -> dict[int, LevelOfCare]:
    return {THIRD: level, FOURTH: level}


LEVEL_RULES: tuple[LevelRule, ...] = (
    LevelRule(
        key="acute_medical_or_psychiatric",
        when="D1 = 4, D2 = 4 or D3 = 4",
        applies=lambda r: max(r[0], r[1], r[2]) == 4,
        level=both(LevelOfCare.INPATIENT),
        source="ASAM 3rd ed. (2013), Level 4 admission criteria, Dimensions 1–3; 4th ed. (2023), Level 4",
        why="Severe withdrawal, biomedical or psychiatric instability needs a hospital's 24-hour medical care.",
    ),
    LevelRule(
        key="medical_monitoring",
        when="D1 = 3, D2 = 3 or D3 = 3",
        applies=lambda r: max(r[0], r[1], r[2]) == 3,
        level=both(LevelOfCare.RES_MEDICAL),
        source="ASAM 3rd ed. (2013), Level 3.7 admission criteria, Dimensions 1–3; 4th ed. (2023), Level 3.7",
        why="Needs 24-hour nursing and physician availability, but not a hospital's full resources.",
    ),
    LevelRule(
        key="relapse_imminent",
        when="D5 = 4",
        applies=lambda r: r[4] == 4,
        level=both(LevelOfCare.RES_HIGH),
        source="ASAM 3rd ed. (2013), Level 3.5 admission criteria, Dimension 5; 4th ed. (2023), Level 3.5",
        # Before the table was written out this row recommended 2.5: an imminent, dangerous return to
        # use that the patient cannot interrupt outside a 24-hour setting is not an outpatient matter.
        why="Continued use with imminently dangerous consequences, not interruptible without 24-hour structure.",
    ),
    LevelRule(
        key="relapse_and_environment",
        when="D5 ≥ 3 and D6 ≥ 3",
        applies=lambda r: r[4] >= 3 and r[5] >= 3,
        level=both(LevelOfCare.RES_HIGH),
        source="ASAM 3rd ed. (2013), Level 3.5 admission criteria, Dimensions 5 and 6; 4th ed. (2023), Level 3.5",
        why="High relapse potential and a home that works against recovery: neither can carry the other.",
    ),
    LevelRule(
        key="environment_dangerous",
        when="D6 = 4",
        applies=lambda r: r[5] == 4,
        level=both(LevelOfCare.RES_LOW),
        source="ASAM 3rd ed. (2013), Level 3.1 admission criteria, Dimension 6; 4th ed. (2023), Level 3.1",
        # The danger is where the patient lives, while relapse potential (D5 ≤ 2 here, or the row above
        # would apply) does not call for high-intensity treatment: a 24-hour structured home with at
        # least 5 hours of clinical services a week (3.1) replaces the environment.
        why="A living environment dangerous to recovery, replaced by 24-hour structure at low clinical intensity.",
    ),
    LevelRule(
        key="relapse_high",
        when="D5 = 3",
        applies=lambda r: r[4] == 3,
        level=both(LevelOfCare.PHP),
        source="ASAM 3rd ed. (2013), Level 2.5 admission criteria, Dimension 5; 4th ed. (2023), Level 2.5",
        why="Symptoms intensifying despite outpatient care: near-daily structure without leaving home.",
    ),
    LevelRule(
        key="environment_unsupportive",
        when="D6 = 3",
        applies=lambda r: r[5] == 3,
        level=both(LevelOfCare.PHP),
        source="ASAM 3rd ed. (2013), Level 2.5 admission criteria, Dimension 6; 4th ed. (2023), Level 2.5",
        why="A home that does not support recovery, which the patient can cope with given daily structure.",
    ),
    LevelRule(
        key="readiness_opposed",
        when="D4 = 4",
        applies=lambda r: r[3] == 4,
        level=both(LevelOfCare.PHP),
        source="ASAM 3rd ed. (2013), Level 2.5 admission criteria, Dimension 4; 4th ed. (2023), Level 2.5",
        # Opposition to treatment alone does not make 24-hour care safer or more effective; daily
        # contact with motivational work is the most the rating itself calls for.
        why="Opposition to treatment needs near-daily engagement; readiness alone never calls for 24-hour care.",
    ),
    LevelRule(
        key="withdrawal_or_biomedical_moderate",
        when="D1 = 2 or D2 = 2",
        applies=lambda r: r[0] == 2 or r[1] == 2,
        level=both(LevelOfCare.IOP),
        source="ASAM 3rd ed. (2013), Level 2.1 admission criteria, Dimensions 1 and 2; 4th ed. (2023), Level 2.1",
        why="Moderate withdrawal or biomedical risk, manageable with contact several times a week.",
    ),
    LevelRule(
        key="moderate_risk",
        when="any of D3–D6 ≥ 2",
        applies=lambda r: max(r[2], r[3], r[4], r[5]) >= 2,
        level=both(LevelOfCare.IOP),
        source="ASAM 3rd ed. (2013), Level 2.1 admission criteria, Dimensions 3–6; 4th ed. (2023), Level 2.1",
    ),
    LevelRule(
        key="low_risk",
        when="every dimension ≤ 1",
        applies=lambda r: True,
        # The 4th edition's 1.0 is long-term remission monitoring; its outpatient therapy is 1.5.
        level={THIRD: LevelOfCare.OP, FOURTH: LevelOfCare.OP_THERAPY},
        source="ASAM 3rd ed. (2013), Level 1 admission criteria; 4th ed. (2023), Level 1.5 outpatient therapy",
    ),
)

WITHDRAWAL_RULES: tuple[WithdrawalRule, ...] = (
    WithdrawalRule(
        key="withdrawal_severe",
        when="D1 = 4",
        applies=lambda r: r[0] == 4,
        third_edition=WithdrawalManagement.INPATIENT_MANAGED,
        source="ASAM 3rd ed. (2013), Withdrawal Management, Level 4-WM; 4th ed. (2023), Level 4 (integrated)",
    ),
    WithdrawalRule(
        key="withdrawal_significant",
        when="D1 = 3",
        applies=lambda r: r[0] == 3,
        third_edition=WithdrawalManagement.INPATIENT_MONITORED,
        source="ASAM 3rd ed. (2013), Withdrawal Management, Level 3.7-WM; 4th ed. (2023), Level 3.7 (integrated)",
    ),
    WithdrawalRule(
        key="withdrawal_moderate",
        when="D1 = 2",
        applies=lambda r: r[0] == 2,
        third_edition=WithdrawalManagement.AMBULATORY_MONITORED,
        source=(
            "ASAM 3rd ed. (2013), Withdrawal Management, Level 2-WM; 4th ed. (2023), Levels 1.7/2.7/3.7 (integrated)"
        ),
    ),
)

# 4th edition: the level of the same tier that integrates withdrawal management.
INTEGRATED_BY_TIER = {
    1: LevelOfCare.OP_MEDICAL,
    2: LevelOfCare.IOP_MEDICAL,
    3: LevelOfCare.RES_MEDICAL,
    4: LevelOfCare.INPATIENT,
}


@dataclass(frozen=True)
class Recommendation:
    edition: int
    level: LevelOfCare
    withdrawal_management: str  # a WithdrawalManagement (3rd ed.) or "" (none, or integrated in the level)
    rule: LevelRule
    withdrawal_rule: WithdrawalRule | None

    @property
    def label(self) -> str:
        return recommendation_label(self.level, self.withdrawal_management, self.edition)

    @property
    def sources(self) -> list[str]:
        return [self.rule.source] + ([self.withdrawal_rule.source] if self.withdrawal_rule else [])


def recommendation_label(level: str, withdrawal_management: str, edition: int) -> str:
    """ "2.1 Intensive outpatient with 2-WM", "2.7 Medically managed … (withdrawal management integrated)"."""
    text = level_label(level, edition)
    if withdrawal_management:
        return f"{text} with {withdrawal_management}"
    if edition == FOURTH and level in INTEGRATED_WITHDRAWAL_LEVELS:
        return f"{text} (withdrawal management integrated)"
    return text


def validated_ratings(ratings: Sequence[int]) -> Ratings:
    # Whole numbers only: a 2.5 or a "3" from a form is not a rating (and "3" would not compare).
    if isinstance(ratings, str) or len(ratings) != 6 or any(type(r) is not int or r not in range(5) for r in ratings):
        raise ValueError("Six ratings from 0 to 4 are needed.")
    return tuple(ratings)  # type: ignore[return-value]


def recommend_level_of_care(ratings: Sequence[int], edition: int = THIRD) -> Recommendation:
    """The first decision-table row that applies, with withdrawal management from dimension 1."""
    if edition not in AsamEdition.values:
        raise ValueError("The ASAM edition is 3 or 4.")
    ratings = validated_ratings(ratings)
    rule = next(row for row in LEVEL_RULES if row.applies(ratings))
    withdrawal = next((row for row in WITHDRAWAL_RULES if row.applies(ratings)), None)
    level = rule.level[edition]
    management = ""
    if withdrawal is not None:
        if edition == THIRD:
            management = withdrawal.third_edition
        else:
            # The 4th edition integrates withdrawal management: the same tier's medically managed level.
            integrated = INTEGRATED_BY_TIER[int(level_rank(level))]
            level = max(level, integrated, key=level_rank)
    return Recommendation(
        edition=edition, level=level, withdrawal_management=management, rule=rule, withdrawal_rule=withdrawal
    )
