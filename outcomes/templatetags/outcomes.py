"""How the outcomes pages write a figure: the value with its unit, and what it was counted from."""

from functools import lru_cache

from django import template
from django.urls import reverse

register = template.Library()

UNITS = {"percent": " %", "days": " days", "hours": " h", "per week": " a week", "score": "", "count": ""}


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}".rstrip("0").rstrip(".")


@register.filter
def figure_value(value, unit: str) -> str:
    """72.5 % · 41 days · 1.6 a week · — when there is nothing to count."""
    if value is None or value.value is None:
        return "—"
    return f"{_number(value.value)}{UNITS.get(unit, '')}"


@register.filter
def figure_counts(value, figure) -> str:
    """'18 of 25 admissions' for a rate, 'of 25 discharges' for a median or a mean, '' for a count."""
    if value is None:
        return ""
    if value.numerator is not None and value.denominator is not None:
        return f"{_number(value.numerator)} of {_number(value.denominator)} {figure.denominator_label}".strip()
    if value.denominator is not None:
        return f"of {_number(value.denominator)} {figure.denominator_label}".strip()
    if value.numerator is not None and figure.numerator_label:
        return f"{_number(value.numerator)} {figure.numerator_label}"
    return ""


@register.filter
def change(figure) -> str:
    """The change from the previous period, signed, in the figure's unit ('+4.5 points' for a rate)."""
    delta = figure.change
    if delta is None:
        return ""
    unit = " points" if figure.unit == "percent" else UNITS.get(figure.unit, "")
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f"{sign}{_number(abs(round(delta, 1)))}{unit}"


@register.filter
@lru_cache(maxsize=128)
def drill_url(key: str) -> str:
    """The page of the patients behind figure ``key`` (the same for every request: reversed once)."""
    return reverse("outcomes:patients", args=[key])
