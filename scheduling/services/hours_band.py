"""The weekly hours band (ASAM 2.1): weeks outside it need a documented reason."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from patients.models import Episode
from patients.services import hours_text

from ..constants import (
    BAND_CHECK_WEEKS,
)
from ..models import (
    WeekNote,
)
from ..recurrence import week_start
from ..selectors import (
    minutes_to_hours,
    planned_minutes_by_week,
)
from .common import validated_save


def band_problems(episode: Episode, mondays: Sequence[dt.date]) -> dict[dt.date, str]:
    """Weeks outside the program's band with no documented reason, each with its shortfall or excess named."""
    if not mondays:
        return {}
    program = episode.program
    low, high = program.weekly_hours_band
    planned = planned_minutes_by_week([episode.pk], min(mondays), max(mondays))
    noted = set(WeekNote.objects.filter(episode=episode, week_start__in=mondays).values_list("week_start", flat=True))
    problems = {}
    for monday in mondays:
        minutes = planned[(episode.pk, monday)].scheduled_minutes if (episode.pk, monday) in planned else 0
        hours = minutes_to_hours(minutes)
        if monday in noted:
            continue
        if hours < low:
            problems[monday] = (
                f"Week of {monday:%b %d}: {hours_text(hours)} hours planned, "
                f"{hours_text(low - hours)} short of the {hours_text(low)}-hour minimum."
            )
        elif hours > high:
            problems[monday] = (
                f"Week of {monday:%b %d}: {hours_text(hours)} hours planned, "
                f"{hours_text(hours - high)} over the {hours_text(high)}-hour maximum "
                "(20 or more is partial hospitalization)."
            )
    return problems


def enforce_band(*, episode: Episode, mondays: Sequence[dt.date], reason: str, by, only_excess: bool = False) -> None:
    problems = band_problems(episode, mondays)
    if only_excess:
        problems = {monday: text for monday, text in problems.items() if "over the" in text}
    if not problems:
        return
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {
                "__all__": list(problems.values()),
                "reason": "Add sessions, or document why these weeks are outside the band (e.g. a step-down week).",
            }
        )
    WeekNote.objects.bulk_create(
        WeekNote(episode=episode, week_start=monday, reason=reason, recorded_by=by) for monday in problems
    )


def weeks_to_check(starts_on: dt.date, count: int = BAND_CHECK_WEEKS) -> list[dt.date]:
    """Whole ISO weeks from ``starts_on``: a week that starts mid-way is the admission week, not a full one."""
    first = starts_on if starts_on.weekday() == 0 else week_start(starts_on) + dt.timedelta(weeks=1)
    return [first + dt.timedelta(weeks=offset) for offset in range(count)]


@transaction.atomic
def week_note_record(*, episode: Episode, week: dt.date, reason: str, by) -> WeekNote:
    note, _ = WeekNote.objects.get_or_create(
        episode=episode, week_start=week_start(week), defaults={"reason": reason.strip(), "recorded_by": by}
    )
    if note.reason != reason.strip():
        note.reason = reason.strip()
        note.recorded_by = by
    return validated_save(note)
