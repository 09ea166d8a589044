"""Level-of-care recommendation from the six ASAM dimension ratings.

This is decision support, not the ASAM Criteria's full decision tree (which is
licensed): the rule is written so a clinician can read it, and staff may admit to
another level with a written reason (recorded on the episode).
"""

from collections.abc import Sequence

from .constants import LevelOfCare


def recommend_level_of_care(ratings: Sequence[int]) -> LevelOfCare:
    """Map ratings for dimensions 1–6 (each 0–4) to a recommended level of care."""
    # Whole numbers only: a 2.5 or a "3" from a form is not a rating (and "3" would not compare).
    if len(ratings) != 6 or any(r not in range(5) for r in ratings):
        raise ValueError("Six ratings from 0 to 4 are needed.")
    d1, d2, d3, d4, d5, d6 = ratings
    # Dimensions 1–3 at the highest risk need medical management around the clock.
    if max(d1, d2, d3) == 4:
        return LevelOfCare.INPATIENT
    # Severe withdrawal, medical or psychiatric risk needs medical monitoring.
    if max(d1, d2, d3) == 3:
        return LevelOfCare.RES_MEDICAL
    # High relapse potential with an environment that does not support recovery.
    if d5 >= 3 and d6 >= 3:
        return LevelOfCare.RES_HIGH
    if d5 >= 3 or d6 >= 3 or d4 == 4:
        return LevelOfCare.PHP
    if max(d3, d4, d5, d6) >= 2 or max(d1, d2) == 2:
        return LevelOfCare.IOP
    return LevelOfCare.OP
