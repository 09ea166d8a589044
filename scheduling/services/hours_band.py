"""The weekly hours band (ASAM 2.1: 9 <= hours < 20 for adults): weeks outside it need a documented reason."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from patients.models import Episode
from programs.validators import ceiling_note, hours_text, weekly_hours_rule

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


def band_problems(episode: Episode, mondays: Sequence[dt.date], *, only_excess: bool = False) -> dict[dt.date, str]:
    """Weeks outside the episode's band with no documented reason, each with its shortfall or excess named.

    The band is half-open: a week at the maximum itself (20 hours in an adult IOP) is above it.
    """
    if not mondays:
        return {}
    low, high = episode.weekly_hours_band
    rule = weekly_hours_rule(episode.level_of_care, episode.program.population)
    note = ceiling_note(episode.level_of_care, high) if rule is not None and rule.ceiling == high else ""
    planned = planned_minutes_by_week([episode.pk], min(mondays), max(mondays))
    noted = set(WeekNote.objects.filter(episode=episode, week_start__in=mondays).values_list("week_start", flat=True))
    problems = {}
    for monday in mondays:
        minutes = planned[(episode.pk, monday)].scheduled_minutes if (episode.pk, monday) in planned else 0
        hours = minutes_to_hours(minutes)
        if monday in noted:
            continue
        if hours < low and not only_excess:
            problems[monday] = (
                f"Week of {monday:%b %d}: {hours_text(hours)} hours planned, "
                f"{hours_text(low - hours)} short of the {hours_text(low)}-hour minimum."
            )
        elif hours >= high:
            excess = f"{hours_text(hours - high)} over the band" if hours > high else "at the band's limit"
            problems[monday] = (
                f"Week of {monday:%b %d}: {hours_text(hours)} hours planned, {excess}: "
                f"it stays under {hours_text(high)} hours{note}."
            )
    return problems


def enforce_band(*, episode: Episode, mondays: Sequence[dt.date], reason: str, by, only_excess: bool = False) -> None:
    problems = band_problems(episode, mondays, only_excess=only_excess)
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
