"""Keyset pages of a chart's history, newest first: a deep page costs what the first one does."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleLessThan

from .params import keyset_value


@dataclass
class KeysetPage:
    """One page of rows, newest first; ``next_cursor`` (for ``keyset_param``) when older rows remain."""

    rows: list = field(default_factory=list)
    next_cursor: str | None = None
    is_first: bool = True

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def newest_first_page(
    rows: QuerySet, *, time_field: str, before: tuple[dt.datetime, int] | None, page_size: int
) -> KeysetPage:
    """The ``page_size`` rows of ``rows`` that come before the cursor (time, id), by time then id, descending.

    ``rows`` may be model instances or ``values()`` dictionaries (which need "id" among their keys).
    The cursor is a position, not a record: nothing is looked up by it, so a cursor copied from a
    row the viewer may not see (another user's draft) pages exactly as a made-up one would, and
    tells nothing about that row. ``rows`` is already limited to what the viewer may see.
    """
    ordered = rows.order_by(f"-{time_field}", "-id")
    if before is not None:
        # The plain "time <= moment" lets an index on (patient, time) start at the cursor; the row
        # comparison then settles ties at the same moment by id, so none is skipped or repeated.
        ordered = ordered.filter(TupleLessThan(Tuple(time_field, "id"), before), **{f"{time_field}__lte": before[0]})
    page = list(ordered[: page_size + 1])
    has_more = len(page) > page_size
    page = page[:page_size]
    next_cursor = None
    if has_more:
        last = page[-1]
        position = (last[time_field], last["id"]) if isinstance(last, dict) else (getattr(last, time_field), last.pk)
        next_cursor = keyset_value(*position)
    return KeysetPage(rows=page, next_cursor=next_cursor, is_first=before is None)
