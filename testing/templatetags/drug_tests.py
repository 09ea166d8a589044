"""Template helpers for drug-test findings and due instruments."""

from django import template
from django.utils import timezone

from ..constants import DueStatus, FindingKind
from ..selectors.measurement import instruments_due

register = template.Library()

FINDING_BADGES = {
    FindingKind.EXPECTED_POSITIVE: "text-bg-info",
    FindingKind.EXPECTED_ABSENT: "text-bg-danger",
    FindingKind.UNEXPECTED_POSITIVE: "text-bg-danger",
    FindingKind.ALCOHOL_DETECTED: "text-bg-danger",
    FindingKind.INVALID_RESULT: "text-bg-warning",
    FindingKind.SPECIMEN_NOT_VALID: "text-bg-warning",
    FindingKind.NEGATIVE: "text-bg-light border",
    FindingKind.NOT_TESTED: "text-bg-light border",
}
# One-character cells for the per-analyte trend table; the legend under it spells them out.
FINDING_SYMBOLS = {
    FindingKind.EXPECTED_POSITIVE: "E",
    FindingKind.EXPECTED_ABSENT: "A",
    FindingKind.UNEXPECTED_POSITIVE: "+",
    FindingKind.ALCOHOL_DETECTED: "+",
    FindingKind.INVALID_RESULT: "?",
    FindingKind.NEGATIVE: "−",
}


@register.filter
def finding_badge(kind: str) -> str:
    return FINDING_BADGES.get(kind, "text-bg-secondary")


@register.filter
def finding_symbol(kind: str | None) -> str:
    return FINDING_SYMBOLS.get(kind, "") if kind else ""


@register.filter
def finding_label(kind: str) -> str:
    try:
        return FindingKind(kind).label
    except ValueError:
        return kind


@register.inclusion_tag("testing/instruments_due.html")
def instruments_due_badges(patient):
    """Due and overdue repeat instruments for the chart's assessments section (two queries)."""
    rows = instruments_due([patient], on=timezone.localdate()).get(patient.pk, [])
    return {"patient": patient, "rows": [row for row in rows if row.is_due], "statuses": DueStatus}
