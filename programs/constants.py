from decimal import Decimal
from typing import NamedTuple

from django.db import models


class Population(models.TextChoices):
    ADULT = "adult", "Adults"
    ADOLESCENT = "adolescent", "Adolescents"


class AsamEdition(models.IntegerChoices):
    """The edition of the ASAM Criteria a clinic assesses under (settings.ASAM_EDITION)."""

    THIRD = 3, "ASAM Criteria, 3rd edition (2013)"
    FOURTH = 4, "ASAM Criteria, 4th edition (2023)"


class LevelOfCare(models.TextChoices):
    """ASAM levels of care, both editions; the labels are the 3rd edition's where it has the level.

    The 4th edition (2023) keeps the codes 1.0, 2.1, 2.5, 3.1, 3.5, 3.7 and 4.0, renames some
    (``level_label``), adds 1.5, 1.7 and 2.7, and integrates withdrawal management into 1.7,
    2.7, 3.7 and 4.0 instead of listing separate withdrawal-management levels.
    """

    OP = "1.0", "1.0 Outpatient"
    OP_THERAPY = "1.5", "1.5 Outpatient therapy"
    OP_MEDICAL = "1.7", "1.7 Medically managed outpatient"
    IOP = "2.1", "2.1 Intensive outpatient"
    PHP = "2.5", "2.5 Partial hospitalization"
    IOP_MEDICAL = "2.7", "2.7 Medically managed intensive outpatient"
    RES_LOW = "3.1", "3.1 Clinically managed low-intensity residential"
    RES_HIGH = "3.5", "3.5 Clinically managed high-intensity residential"
    RES_MEDICAL = "3.7", "3.7 Medically monitored intensive inpatient"
    INPATIENT = "4.0", "4.0 Medically managed intensive inpatient"


# The levels each edition offers (lowest first). 3rd ed. (2013): the adult continuum without
# 0.5 (early intervention) and 3.3 (population-specific), which this software does not place into.
LEVELS_BY_EDITION = {
    AsamEdition.THIRD: (
        LevelOfCare.OP,
        LevelOfCare.IOP,
        LevelOfCare.PHP,
        LevelOfCare.RES_LOW,
        LevelOfCare.RES_HIGH,
        LevelOfCare.RES_MEDICAL,
        LevelOfCare.INPATIENT,
    ),
    AsamEdition.FOURTH: (
        LevelOfCare.OP,
        LevelOfCare.OP_THERAPY,
        LevelOfCare.OP_MEDICAL,
        LevelOfCare.IOP,
        LevelOfCare.PHP,
        LevelOfCare.IOP_MEDICAL,
        LevelOfCare.RES_LOW,
        LevelOfCare.RES_HIGH,
        LevelOfCare.RES_MEDICAL,
        LevelOfCare.INPATIENT,
    ),
}
# The 4th edition's names where they differ from the 3rd's (ASAM Criteria 4th ed., 2023).
FOURTH_EDITION_LABELS = {
    LevelOfCare.OP: "1.0 Long-term remission monitoring",
    LevelOfCare.PHP: "2.5 High-intensity outpatient",
    LevelOfCare.RES_MEDICAL: "3.7 Medically managed residential",
    LevelOfCare.INPATIENT: "4.0 Medically managed inpatient",
}
# 4th edition: these levels include withdrawal management (integrated, not a separate level).
INTEGRATED_WITHDRAWAL_LEVELS = frozenset(
    {LevelOfCare.OP_MEDICAL, LevelOfCare.IOP_MEDICAL, LevelOfCare.RES_MEDICAL, LevelOfCare.INPATIENT}
)


def level_label(level: str, edition: int = AsamEdition.THIRD) -> str:
    """The level's name as the edition writes it."""
    if edition == AsamEdition.FOURTH and level in FOURTH_EDITION_LABELS:
        return FOURTH_EDITION_LABELS[level]
    return LevelOfCare(level).label


def level_choices(edition: int) -> list[tuple[str, str]]:
    return [(level.value, level_label(level, edition)) for level in LEVELS_BY_EDITION[edition]]


def level_rank(level: str) -> Decimal:
    """Intensity: the level's number (2.1 < 2.5 < 2.7 < 3.1); higher is more care."""
    return Decimal(level)


# Programs run outpatient levels: a weekly schedule of sessions, with an hours band.
PROGRAM_LEVELS = (
    LevelOfCare.OP,
    LevelOfCare.OP_THERAPY,
    LevelOfCare.OP_MEDICAL,
    LevelOfCare.IOP,
    LevelOfCare.PHP,
    LevelOfCare.IOP_MEDICAL,
)
MAX_WEEKLY_HOURS = Decimal("40")


class HoursRule(NamedTuple):
    """Weekly clinical hours a level allows: floor <= hours < ceiling (no ceiling: up to MAX_WEEKLY_HOURS)."""

    floor: Decimal
    ceiling: Decimal | None
    default_band: tuple[Decimal, Decimal]
    source: str


_OP_SOURCE = "ASAM Criteria 3rd ed. (2013), Level 1: fewer than 9 hours a week (adults), 6 (adolescents)"
_IOP_SOURCE = (
    "ASAM Criteria 3rd ed. (2013), Level 2.1: 9–19 hours a week (adults), 6–19 (adolescents); "
    "20 or more is Level 2.5; SAMHSA TIP 47"
)
_PHP_SOURCE = "ASAM Criteria 3rd ed. (2013), Level 2.5: 20 hours a week or more; 4th ed. (2023), Level 2.5 HIOP"
# 2.7 is defined by its medical services (integrated withdrawal management), not by an hours
# ceiling: it is held to the level-2 floor only.
_IOP_MEDICAL_SOURCE = "ASAM Criteria 4th ed. (2023), Level 2.7: level-2 intensity with integrated medical services"

_H = Decimal
# The band is half-open: a 2.1 program's 9–20 admits 9 and refuses 20 (20 is partial hospitalization).
WEEKLY_HOURS_RULES: dict[tuple[str, str], HoursRule] = {}
for _level in (LevelOfCare.OP, LevelOfCare.OP_THERAPY, LevelOfCare.OP_MEDICAL):
    WEEKLY_HOURS_RULES[(_level, Population.ADULT)] = HoursRule(_H(0), _H(9), (_H(0), _H(9)), _OP_SOURCE)
    WEEKLY_HOURS_RULES[(_level, Population.ADOLESCENT)] = HoursRule(_H(0), _H(6), (_H(0), _H(6)), _OP_SOURCE)
WEEKLY_HOURS_RULES[(LevelOfCare.IOP, Population.ADULT)] = HoursRule(_H(9), _H(20), (_H(9), _H(20)), _IOP_SOURCE)
WEEKLY_HOURS_RULES[(LevelOfCare.IOP, Population.ADOLESCENT)] = HoursRule(_H(6), _H(20), (_H(6), _H(20)), _IOP_SOURCE)
for _population in Population.values:
    WEEKLY_HOURS_RULES[(LevelOfCare.PHP, _population)] = HoursRule(_H(20), None, (_H(20), _H(40)), _PHP_SOURCE)
WEEKLY_HOURS_RULES[(LevelOfCare.IOP_MEDICAL, Population.ADULT)] = HoursRule(
    _H(9), None, (_H(9), _H(20)), _IOP_MEDICAL_SOURCE
)
WEEKLY_HOURS_RULES[(LevelOfCare.IOP_MEDICAL, Population.ADOLESCENT)] = HoursRule(
    _H(6), None, (_H(6), _H(20)), _IOP_MEDICAL_SOURCE
)

# ASAM level 2.1 (SAMHSA TIP 47): adults at least 9 hours a week, adolescents at
# least 6; 20 hours or more is partial hospitalisation (ASAM 2.5).
DEFAULT_WEEKLY_HOURS_BAND = {
    population: WEEKLY_HOURS_RULES[(LevelOfCare.IOP, population)].default_band for population in Population.values
}
# What the next level up is called, for "20 or more is partial hospitalization (2.5)".
NEXT_LEVEL_AT_CEILING = {
    LevelOfCare.OP: LevelOfCare.IOP,
    LevelOfCare.OP_THERAPY: LevelOfCare.IOP,
    LevelOfCare.OP_MEDICAL: LevelOfCare.IOP,
    LevelOfCare.IOP: LevelOfCare.PHP,
}


class Weekday(models.TextChoices):
    """RFC 5545 weekday codes, the same ones an RRULE's BYDAY uses."""

    MO = "MO", "Monday"
    TU = "TU", "Tuesday"
    WE = "WE", "Wednesday"
    TH = "TH", "Thursday"
    FR = "FR", "Friday"
    SA = "SA", "Saturday"
    SU = "SU", "Sunday"


WEEKDAY_CODES = list(Weekday.values)  # index = date.weekday()
