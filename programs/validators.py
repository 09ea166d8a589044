from decimal import Decimal

from django.core.exceptions import ValidationError

from .constants import (
    MAX_WEEKLY_HOURS,
    NEXT_LEVEL_AT_CEILING,
    WEEKDAY_CODES,
    WEEKLY_HOURS_RULES,
    HoursRule,
    LevelOfCare,
    Population,
)


def validate_meeting_days(value: str) -> None:
    codes = [code.strip().upper() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in WEEKDAY_CODES]
    if unknown:
        raise ValidationError(
            f"Use weekday codes MO, TU, WE, TH, FR, SA, SU separated by commas (not {', '.join(unknown)})."
        )
    if len(set(codes)) != len(codes):
        raise ValidationError("Name each meeting day once.")


def hours_text(hours: Decimal) -> str:
    """12.0 → "12", 8.5 → "8.5"."""
    return format(Decimal(hours).normalize(), "f")


def weekly_hours_rule(level: str, population: str) -> HoursRule | None:
    """The hours a level allows for this age group; None for levels without a weekly band (residential)."""
    return WEEKLY_HOURS_RULES.get((level, population))


def ceiling_note(level: str, ceiling: Decimal) -> str:
    """ "(20 or more is 2.5 Partial hospitalization)": why the band stops where it does."""
    above = NEXT_LEVEL_AT_CEILING.get(level)
    return f" ({hours_text(ceiling)} or more is level {LevelOfCare(above).label})" if above else ""


def band_errors(*, level: str, population: str, low: Decimal | None, high: Decimal | None) -> dict[str, str]:
    """Why a program's band does not fit its level and age group, by field; empty when it fits.

    The band is half-open, low <= hours < high, and must lie inside the level's own range.
    """
    errors: dict[str, str] = {}
    if low is None or high is None:
        return errors
    if low >= high:
        errors["max_weekly_hours"] = (
            f"The band runs from the minimum up to (not including) the maximum: {hours_text(high)} must be "
            f"more than {hours_text(low)}."
        )
        return errors
    rule = weekly_hours_rule(level, population)
    if rule is None:
        return errors
    who = f"A level {LevelOfCare(level).label} program for {Population(population).label.lower()}"
    if low < rule.floor:
        errors["min_weekly_hours"] = f"{who} needs a minimum of at least {hours_text(rule.floor)} hours a week."
    ceiling = rule.ceiling if rule.ceiling is not None else MAX_WEEKLY_HOURS
    if high > ceiling:
        errors["max_weekly_hours"] = (
            f"{who} stays under {hours_text(ceiling)} hours a week{ceiling_note(level, ceiling)}; "
            f"set the maximum to {hours_text(ceiling)} or less."
        )
    return errors
