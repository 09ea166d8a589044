"""Typed reads of the request parameters that are not a form's: one place, and one answer to a bad value.

Views read ``request.GET`` and ``request.POST`` only through these helpers (a form reads its own
fields). A value that does not parse raises ``BadParameter``, which ``iop.middleware.ErrorPageMiddleware``
answers with a 400 naming the parameter and what it should be. The value itself is never repeated
back: it may be a probe, and the page should not become a reflector.
"""

import datetime as dt
import re
from collections.abc import Collection

from django.core.exceptions import BadRequest, ValidationError
from django.http import QueryDict
from django.utils import timezone

# The days any page asks about, from birth dates to alumni follow-ups. Anything wider is a typing
# mistake or a probe, and near date.min and date.max a day's arithmetic (the day before, a week's
# Monday, the conversion to UTC) overflows.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2200, 12, 31)
# A record id is a PostgreSQL bigint written in ASCII digits: str.isdigit() also accepts '²' and
# '٣', which int() then refuses or reads as another number.
MAX_ID = 2**63 - 1
ASCII_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# ISO 8601 as FullCalendar and <input type="datetime-local"> send it: a day, optionally a time and an
# offset. An offset's '+' arrives as a space when the caller did not percent-encode it.
ISO_MOMENT = re.compile(
    r"(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ](?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)(?P<offset>Z|[+ -][0-9]{2}:?[0-9]{2})?)?",
    re.ASCII,
)
# Control characters have no place in a search or a filter; NUL is refused by PostgreSQL outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DEFAULT_MAX_TEXT = 100


class BadParameter(BadRequest):
    """A request parameter that does not parse: answered with a 400 saying which one and what it should be."""

    def __init__(self, name: str, expected: str):
        self.name = name
        self.expected = expected
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"The “{self.name}” in this address is not valid: {self.expected}"


def _text(params: QueryDict, name: str) -> str:
    return params.get(name, "")


def id_param(params: QueryDict, name: str) -> int | None:
    """A record id, or None when absent or empty."""
    text = _text(params, name)
    if text == "":
        return None
    return _parse_id(name, text)


def _parse_id(name: str, text: str) -> int:
    if not ASCII_DIGITS.fullmatch(text) or int(text) > MAX_ID:
        raise BadParameter(name, "give a record number (digits 0–9 only).")
    return int(text)


def id_list_param(params: QueryDict, name: str) -> list[int]:
    """Every record id given under ``name`` (a repeated parameter), in order, without duplicates."""
    ids = [_parse_id(name, text) for text in params.getlist(name) if text != ""]
    return list(dict.fromkeys(ids))


def int_param(params: QueryDict, name: str, *, default: int | None, minimum: int, maximum: int) -> int | None:
    """A whole number within [minimum, maximum]; ``default`` when absent or empty."""
    text = _text(params, name).strip()
    if text == "":
        return default
    sign, digits = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    if not ASCII_DIGITS.fullmatch(digits) or not minimum <= int(sign + digits) <= maximum:
        raise BadParameter(name, f"give a whole number from {minimum} to {maximum}.")
    return int(sign + digits)


def page_param(params: QueryDict, name: str = "page") -> int:
    """A page number of a paginated list (past the last page, Paginator.get_page shows the last)."""
    return int_param(params, name, default=1, minimum=1, maximum=1_000_000)


def _day(name: str, text: str) -> dt.date:
    expected = f"give a date as YYYY-MM-DD between {EARLIEST_DAY:%Y} and {LATEST_DAY:%Y}."
    if not ISO_DAY.fullmatch(text):
        raise BadParameter(name, expected)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, expected) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise BadParameter(name, expected)
    return day


def date_param(params: QueryDict, name: str, *, default: dt.date | None = None) -> dt.date | None:
    """A calendar day (ISO 8601, YYYY-MM-DD) between 1900 and 2200; ``default`` when absent or empty."""
    text = _text(params, name)
    return default if text == "" else _day(name, text)


def datetime_param(params: QueryDict, name: str) -> dt.datetime | None:
    """An aware moment from an ISO 8601 day or date-time (without an offset, clinic time); None when absent."""
    text = _text(params, name)
    if text == "":
        return None
    return _moment(name, text, "give a date or a date-time in ISO 8601 (YYYY-MM-DDTHH:MM, optionally ±HH:MM).")


def keyset_param(params: QueryDict, name: str) -> tuple[dt.datetime, int] | None:
    """A keyset cursor "<ISO 8601 moment>_<record id>": the (time, id) of the last row of the page before.

    Lists of a chart's history (notes, drug tests) are paged newest first by (time, id); the id
    breaks ties between rows of the same moment. None when absent or empty.
    """
    text = _text(params, name)
    if text == "":
        return None
    expected = "use the “Older” link of the list (a moment and a record number)."
    moment_text, separator, id_text = text.rpartition("_")
    if not separator:
        raise BadParameter(name, expected)
    moment = _moment(name, moment_text, expected)
    if not ASCII_DIGITS.fullmatch(id_text) or int(id_text) > MAX_ID:
        raise BadParameter(name, expected)
    return moment, int(id_text)


def keyset_value(moment: dt.datetime, record_id: int) -> str:
    """The text keyset_param reads back: the moment in UTC to the microsecond, so no row is skipped or repeated."""
    return f"{moment.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%f}Z_{record_id}"


def _moment(name: str, text: str, expected: str) -> dt.datetime:
    match = ISO_MOMENT.fullmatch(text)
    if match is None:
        raise BadParameter(name, expected)
    day = _day(name, match["day"])
    offset = (match["offset"] or "").replace(" ", "+").replace(":", "")
    try:
        time = dt.time.fromisoformat(match["time"]) if match["time"] else dt.time()
        tzinfo = dt.UTC if offset == "Z" else dt.datetime.strptime(offset, "%z").tzinfo if offset else None
    except ValueError:
        raise BadParameter(name, expected) from None
    moment = dt.datetime.combine(day, time, tzinfo=tzinfo)
    return timezone.make_aware(moment) if tzinfo is None else moment


def choice_param(params: QueryDict, name: str, choices: Collection[str], *, default: str = "") -> str:
    """One of ``choices`` (a sort, a filter); ``default`` when absent, empty or unknown.

    A choice the page does not offer is dropped rather than refused: it is a stale bookmark's old
    sort more often than a probe, and the page shows which choice applies. Values that must be a
    number, a date or a record are refused instead (the helpers above).
    """
    text = _text(params, name)
    return text if text in choices else default


def sort_param(params: QueryDict, name: str, columns: Collection[str], *, default: str) -> str:
    """A table's sort: a column, or "-column" for the reverse order; ``default`` when absent, empty or unknown."""
    return choice_param(params, name, [*columns, *(f"-{column}" for column in columns)], default=default)


def flag_param(params: QueryDict, name: str) -> bool:
    """An on/off switch in a link: "1" is on, anything else off."""
    return _text(params, name) == "1"


def text_param(params: QueryDict, name: str, *, max_length: int = DEFAULT_MAX_TEXT) -> str:
    """Free text such as a search, stripped; no control characters, at most ``max_length`` characters."""
    text = _text(params, name).strip()
    if CONTROL_CHARACTERS.search(text):
        raise BadParameter(name, "remove the control characters (such as NUL) from the text.")
    if len(text) > max_length:
        raise BadParameter(name, f"use at most {max_length} characters.")
    return text


def validate_day_in_range(day: dt.date) -> None:
    """For a form's DateField: the same bounds as date_param, with the message next to the field."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(
            f"Enter a date between {EARLIEST_DAY:%m/%d/%Y} and {LATEST_DAY:%m/%d/%Y}.", code="day_out_of_range"
        )
