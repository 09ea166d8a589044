"""Recurrence arithmetic: RFC 5545 rules expanded in the clinic's zone, stored in UTC.

An occurrence keeps its wall-clock time across daylight-saving changes because the
rule is expanded on naive local date-times and each one is then placed in the zone.
"""

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError

ALLOWED_FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def normalize_rule_text(text: str) -> str:
    """ "RRULE:FREQ=WEEKLY;BYDAY=MO" and "freq=weekly;byday=mo" both become "FREQ=WEEKLY;BYDAY=MO"."""
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    return text.upper().replace(" ", "")


def parse_rule(text: str, dtstart: dt.datetime) -> rrule:
    """The rule as dateutil sees it; ValidationError in plain words when it is not one."""
    text = normalize_rule_text(text)
    if not text:
        raise ValidationError("Enter a recurrence rule, e.g. FREQ=WEEKLY;BYDAY=MO,WE,TH.")
    if "DTSTART" in text or "\n" in text:
        raise ValidationError("Give only the RRULE part; the first date and the time are separate fields.")
    try:
        rule = rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError) as error:
        raise ValidationError(f"This is not a valid RFC 5545 recurrence rule ({error}).") from None
    if not isinstance(rule, rrule) or rule._freq not in ALLOWED_FREQUENCIES:
        raise ValidationError("Groups repeat daily, weekly, monthly or yearly, at the group's start time.")
    if any(part in text for part in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        raise ValidationError("Set the time with the start time field, not BYHOUR/BYMINUTE in the rule.")
    return rule


def validate_rule(text: str) -> None:
    """Field validator: the rule parses and yields at least one occurrence."""
    start = dt.datetime(2024, 1, 1, 9, 0)
    rule = parse_rule(text, start)
    if rule.after(start, inc=True) is None:
        raise ValidationError("This rule never produces an occurrence.")


def local_occurrences(
    rule_text: str, *, starts_on: dt.date, start_time: dt.time, window_start: dt.date, window_end: dt.date
) -> Iterator[tuple[int, dt.datetime]]:
    """(sequence number from the first occurrence, naive local start) for each occurrence in the window.

    The sequence number lets a curriculum's topics follow the series in order.
    """
    dtstart = dt.datetime.combine(starts_on, start_time)
    rule = parse_rule(rule_text, dtstart)
    for index, occurrence in enumerate(rule):
        day = occurrence.date()
        if day > window_end:
            return
        if day >= window_start:
            yield index, occurrence


def to_utc(local_naive: dt.datetime, zone: ZoneInfo | None = None) -> dt.datetime:
    """Place a clinic wall-clock time in its zone (DST-aware) and convert it to UTC."""
    zone = zone or clinic_zone()
    return local_naive.replace(tzinfo=zone).astimezone(dt.UTC)


def local_date(moment: dt.datetime, zone: ZoneInfo | None = None) -> dt.date:
    return moment.astimezone(zone or clinic_zone()).date()


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())


def iso_week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


WEEKDAY_NAMES = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}


def describe_rule(text: str) -> str:
    """A rule in the words staff use: "FREQ=WEEKLY;BYDAY=MO,WE,TH" → "Mon, Wed, Thu"."""
    parts = dict(part.split("=", 1) for part in normalize_rule_text(text).split(";") if "=" in part)
    days = [WEEKDAY_NAMES.get(day) for day in parts.get("BYDAY", "").split(",") if day]
    known = set(parts) <= {"FREQ", "BYDAY", "INTERVAL", "WKST"} and all(days)
    if not known or parts.get("FREQ") not in {"WEEKLY", "DAILY"}:
        return text
    interval = int(parts.get("INTERVAL", "1") or 1)
    if parts["FREQ"] == "DAILY" and not days:
        return "Every day" if interval == 1 else f"Every {interval} days"
    if not days:
        return "Weekly" if interval == 1 else f"Every {interval} weeks"
    listed = ", ".join(days)
    return listed if interval == 1 else f"Every {interval} weeks: {listed}"
