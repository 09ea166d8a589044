"""What the schedule's writes share: validated saves and session times."""

import datetime as dt

from django.utils import timezone

from ..models import (
    Session,
)
from ..recurrence import local_date, week_start


def validated_save(instance):
    """Validate fields and database constraints with readable messages, then save."""
    instance.full_clean()
    instance.save()
    return instance


def time_range_text(start: dt.datetime, end: dt.datetime) -> str:
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    return f"{local_start:%a %b %d} {local_start:%H:%M}–{local_end:%H:%M}"


def session_times_set(session: Session, start: dt.datetime, end: dt.datetime) -> None:
    """Start/end in UTC; the clinic-local day and ISO Monday kept beside them for SQL grouping."""
    session.start = start.astimezone(dt.UTC)
    session.end = end.astimezone(dt.UTC)
    session.duration_minutes = int((end - start).total_seconds() // 60)
    session.day = local_date(start)
    session.week_start = week_start(session.day)
