"""Quiet hours: no text message reaches a patient at night, in the clinic's own time zone."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_window() -> tuple[time, time]:
    return _parse(settings.QUIET_HOURS_START), _parse(settings.QUIET_HOURS_END)


def _is_quiet(local_time: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local_time < end
    # The usual case, 21:00–08:00: the window wraps past midnight.
    return local_time >= start or local_time < end


def end_of_quiet_hours(moment: datetime) -> datetime | None:
    """If ``moment`` falls in quiet hours, when they end (aware, in UTC); otherwise None."""
    start, end = quiet_window()
    zone = ZoneInfo(settings.TIME_ZONE)
    local = moment.astimezone(zone)
    if not _is_quiet(local.timetz().replace(tzinfo=None), start, end):
        return None
    end_day = local.date()
    if local.time() >= end:
        end_day += timedelta(days=1)
    # Built from the wall-clock date and time so a DST change during the night is handled by zoneinfo.
    ends_at = datetime.combine(end_day, end, tzinfo=zone)
    return ends_at.astimezone(ZoneInfo("UTC"))


def outside_quiet_hours(moment: datetime) -> datetime:
    """``moment`` itself, or the end of the quiet hours it falls in."""
    return end_of_quiet_hours(moment) or moment
