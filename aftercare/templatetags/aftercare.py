"""The chart overview's discharge section, loaded in a fixed number of queries."""

from django import template
from django.utils import timezone

from ..selectors.checkins import discharges_of

register = template.Library()


@register.simple_tag
def patient_discharges(patient) -> list:
    """Discharges of a patient the view already let through patient_for_view (three queries)."""
    return list(discharges_of(patient))


@register.filter
def open_checkins(discharge) -> list:
    """The discharge's check-ins not yet recorded (from the prefetch: no query)."""
    return [c for c in discharge.checkins.all() if c.completed_at is None and c.entered_in_error_at is None]


@register.filter
def is_overdue(checkin) -> bool:
    return checkin.due_on < timezone.localdate()
