"""Reporting periods: a month, a quarter or custom dates, and the period before it to compare with."""

import datetime as dt
from dataclasses import dataclass

from ..constants import PeriodKind


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%B %Y}"
        if self.kind == PeriodKind.QUARTER:
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return f"{self.start:%b %-d, %Y} – {self.end:%b %-d, %Y}"

    @property
    def token(self) -> str:
        """The period as its query parameter spells it (month=2026-03, quarter=2026-Q1, start/end)."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m-%d}/{self.end:%Y-%m-%d}"

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def previous(self) -> "Period":
        if self.kind == PeriodKind.MONTH:
            return month_period(self.start - dt.timedelta(days=1))
        if self.kind == PeriodKind.QUARTER:
            return quarter_period(self.start - dt.timedelta(days=1))
        return Period(PeriodKind.CUSTOM, self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def following(self) -> "Period":
        if self.kind == PeriodKind.MONTH:
            return month_period(self.end + dt.timedelta(days=1))
        if self.kind == PeriodKind.QUARTER:
            return quarter_period(self.end + dt.timedelta(days=1))
        return Period(PeriodKind.CUSTOM, self.end + dt.timedelta(days=1), self.end + dt.timedelta(days=self.days))

    def weeks(self) -> list[dt.date]:
        """The Mondays of the weeks that start in the period."""
        first = self.start + dt.timedelta(days=(7 - self.start.weekday()) % 7)
        return (
            [first + dt.timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]
            if first <= self.end
            else []
        )


def month_period(day: dt.date) -> Period:
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(PeriodKind.MONTH, start, following - dt.timedelta(days=1))


def quarter_period(day: dt.date) -> Period:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    following = dt.date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return Period(PeriodKind.QUARTER, start, following - dt.timedelta(days=1))
