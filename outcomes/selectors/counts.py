"""The queries behind the outcomes page: a handful of aggregates over the outcome facts, for two periods.

Each function answers for the period and the one before it at once (``current`` and ``previous``),
so the page runs in a fixed number of queries whatever the size of the clinic.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Least

from ..constants import TEST_WEEKS_SHOWN, PeriodKind
from ..models import AttendanceWeekFact, DrugTestFact, EpisodeFact, IntakeFact
from .cohorts import (
    ADMITTED,
    DISCHARGED,
    OVERLAPPING,
    RATES,
    SCORED,
    SCORED_INSTRUMENTS,
    SCORED_ROWS,
    Scope,
    active_at_end,
    admitted_in,
    in_treatment,
    measured_both,
)
from .periods import Period

FAR_FUTURE_DAY = dt.date(9999, 12, 27).toordinal()  # a Monday


def periods_of(scope: Scope) -> dict[str, Period]:
    return {"current": scope.period, "previous": scope.previous}


def scope_episodes(scope: Scope):
    """The programs' episodes overlapping the two periods: every cohort on the page is among them."""
    return EpisodeFact.objects.filter(program_id__in=scope.program_ids).filter(
        Q(admitted_on__lte=scope.period.end)
        & (Q(discharged_on__isnull=True) | Q(discharged_on__gte=scope.previous.start))
    )


@dataclass(frozen=True)
class Window:
    """The weeks starting in a period, up to today: their days, and the Mondays of the weeks already ended."""

    first_day: dt.date
    last_day: dt.date
    first_monday: dt.date
    last_ended_monday: dt.date


def engagement_window(period: Period, scope: Scope) -> Window:
    weeks = period.weeks()
    if not weeks:
        return Window(
            period.start, period.start - dt.timedelta(days=1), period.start, period.start - dt.timedelta(days=7)
        )
    first, last = weeks[0], weeks[-1]
    this_monday = scope.today - dt.timedelta(days=scope.today.weekday())
    return Window(
        first, min(last + dt.timedelta(days=6), scope.today), first, min(last, this_monday - dt.timedelta(days=7))
    )


def family_rows(family: str, scope: Scope):
    """The programs' episodes a family of cohorts is drawn from, for both periods."""
    facts = EpisodeFact.objects.filter(program_id__in=scope.program_ids)
    first, last = scope.previous.start, scope.period.end
    if family == ADMITTED:
        return facts.filter(admitted_on__gte=first, admitted_on__lte=last)
    if family == DISCHARGED:
        return facts.filter(discharged_on__gte=first, discharged_on__lte=last)
    if family == SCORED:
        return scope_episodes(scope).filter(SCORED_ROWS)
    return scope_episodes(scope)


class Aggregates:
    """Named aggregates over one family of rows; an aggregate asked for twice is computed once."""

    def __init__(self):
        self.aggregates: dict[str, object] = {}
        self.aliases: dict[object, str] = {}
        self.names: dict[str, str] = {}

    def add(self, name: str, aggregate) -> None:
        alias = self.aliases.get(aggregate)
        if alias is None:
            alias = self.aliases[aggregate] = f"a{len(self.aliases)}"
            self.aggregates[alias] = aggregate
        self.names[name] = alias

    def read(self, found: dict, prefix: str = "") -> dict:
        return {f"{prefix}{name}": found.get(alias) for name, alias in self.names.items()}


# Admissions and discharges are counted once for both periods, grouped by the period their date falls
# in; the cohorts are asked for the span of both, so each figure's aggregate is written once. The
# episodes overlapping the periods are counted per period (one episode can belong to both).
GROUPED_BY = {ADMITTED: "admitted_on", DISCHARGED: "discharged_on"}


@dataclass(frozen=True)
class CompiledCount:
    """One family's query as SQL, and which named figure each column answers."""

    sql: str
    params: tuple
    names: tuple[tuple[str, str, bool], ...]  # (name, column, zero when no row)


def _compile(family: str, aggregates: Aggregates, scope: Scope) -> CompiledCount:
    if family in GROUPED_BY:
        which = Case(
            When(**{f"{GROUPED_BY[family]}__gte": scope.period.start}, then=Value("current")),
            default=Value("previous"),
        )
    else:
        which = Value("both")
    rows = family_rows(family, scope).annotate(which=which).values("which").annotate(**aggregates.aggregates)
    sql, params = rows.order_by().query.sql_with_params()
    names = tuple(
        (name, alias, isinstance(aggregates.aggregates[alias], Count)) for name, alias in aggregates.names.items()
    )
    return CompiledCount(sql, tuple(params), names)


@lru_cache(maxsize=256)
def compiled_episode_counts(scope: Scope) -> tuple[CompiledCount, ...]:
    """The three queries of ``episode_aggregates`` as SQL, built once per scope.

    Building and compiling some 130 filtered aggregates costs the ORM more than PostgreSQL takes to
    run them; the SQL of a scope (its programs, periods and today) never changes, so each process
    keeps it. The queries still run on every request: the figures stay live.
    """
    span = Period(PeriodKind.CUSTOM, scope.previous.start, scope.period.end)
    grouped = {ADMITTED: Aggregates(), DISCHARGED: Aggregates()}
    per_period = {OVERLAPPING: Aggregates(), SCORED: Aggregates()}
    overlapping, scored = per_period[OVERLAPPING], per_period[SCORED]
    for rate in RATES:
        if rate.rows in grouped:
            cohort = rate.cohort(span, scope)
            grouped[rate.rows].add(f"{rate.key}:d", Count("pk", filter=cohort))
            if rate.numerator is not None:
                grouped[rate.rows].add(f"{rate.key}:n", Count("pk", filter=cohort & rate.numerator))
    paired = measured_both(span, scope)
    grouped[DISCHARGED].add("use_admission", Sum("admission_use_days", filter=paired))
    grouped[DISCHARGED].add("use_discharge", Sum("discharge_use_days", filter=paired))
    for name, period in periods_of(scope).items():
        for rate in RATES:
            if rate.rows in per_period:
                cohort = rate.cohort(period, scope)
                per_period[rate.rows].add(f"{name}:{rate.key}:d", Count("pk", filter=cohort))
                if rate.numerator is not None:
                    per_period[rate.rows].add(f"{name}:{rate.key}:n", Count("pk", filter=cohort & rate.numerator))
        for instrument in SCORED_INSTRUMENTS:
            pairs = in_treatment(period, scope) & Q(**{f"{instrument}_latest__isnull": False})
            scored.add(f"{name}:{instrument}:count", Count("pk", filter=pairs))
            scored.add(f"{name}:{instrument}:first", Sum(f"{instrument}_first", filter=pairs))
            scored.add(f"{name}:{instrument}:latest", Sum(f"{instrument}_latest", filter=pairs))
        window = engagement_window(period, scope)
        overlap = Greatest(
            Value(0),
            Least(Coalesce("discharged_day", Value(scope.today_day)), Value(window.last_day.toordinal()))
            - Greatest("admitted_day", Value(window.first_day.toordinal()))
            + 1,
        )
        overlapping.add(
            f"{name}:planned_minute_days", Sum(F("target_weekly_minutes") * overlap, output_field=IntegerField())
        )
        full_weeks = Greatest(
            Value(0),
            (
                Least(
                    Coalesce("last_full_week_day", Value(FAR_FUTURE_DAY)), Value(window.last_ended_monday.toordinal())
                )
                - Greatest("first_full_week_day", Value(window.first_monday.toordinal()))
            )
            / 7
            + 1,
        )
        overlapping.add(f"{name}:full_weeks", Sum(full_weeks, output_field=IntegerField()))
    return tuple(_compile(family, aggregates, scope) for family, aggregates in {**per_period, **grouped}.items())


def episode_aggregates(scope: Scope) -> dict:
    """Every episode-based count, sum and the planned hours, for both periods, in four queries."""
    result = {}
    for compiled in compiled_episode_counts(scope):
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params)
            columns = [column[0] for column in cursor.description]
            found = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
        for which in ("current", "previous"):
            row = found.get(which) or found.get("both") or {}
            for name, column, zero in compiled.names:
                if name.startswith(("current:", "previous:")):
                    if not name.startswith(f"{which}:"):
                        continue
                    key = name
                else:
                    key = f"{which}:{name}"
                value = row.get(column)
                result[key] = 0 if value is None and zero else value
    return result


def histogram(scope: Scope, cohort: Callable, column) -> dict[str, dict[int, int]]:
    """value → count, per period, of ``column`` over a cohort (medians, Kaplan–Meier)."""
    periods = periods_of(scope)
    which = Case(*(When(cohort(period, scope), then=Value(name)) for name, period in periods.items()), default=None)
    rows = (
        scope_episodes(scope)
        .annotate(which=which, measure=column)
        .filter(which__isnull=False)
        .values("which", "measure")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[str, dict] = {name: defaultdict(int) for name in periods}
    for row in rows:
        result[row["which"]][row["measure"]] += row["n"]
    return result


def retention_times(scope: Scope) -> dict[str, dict[tuple[int, bool], int]]:
    periods = periods_of(scope)
    which = Case(
        *(When(admitted_in(period, scope), then=Value(name)) for name, period in periods.items()), default=None
    )
    rows = (
        scope_episodes(scope)
        .annotate(
            which=which,
            days=Coalesce("length_of_stay", Value(scope.today_day) - F("admitted_day")),
            left=Case(When(discharged_on__isnull=True, then=Value(0)), default=Value(1)),
        )
        .filter(which__isnull=False)
        .values("which", "days", "left")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[str, dict] = {name: defaultdict(int) for name in periods}
    for row in rows:
        result[row["which"]][(row["days"], bool(row["left"]))] += row["n"]
    return result


def census_by_week(scope: Scope) -> dict[dt.date, int]:
    """Active patients on each Monday of both periods' weeks (admitted by then and not yet discharged)."""
    mondays = scope.previous.weeks() + scope.period.weeks()
    mondays = [monday for monday in mondays if monday <= scope.today]
    if not mondays:
        return {}
    first, last = mondays[0], mondays[-1]
    episodes = EpisodeFact.objects.filter(program_id__in=scope.program_ids)
    base = episodes.filter(active_at_end(Period("", first, first), scope)).count()
    admitted = dict(
        episodes.filter(admitted_on__gt=first, admitted_on__lte=last)
        .values("admitted_on")
        .annotate(n=Count("pk"))
        .values_list("admitted_on", "n")
        .order_by()
    )
    left = dict(
        episodes.filter(discharged_on__gte=first, discharged_on__lt=last)
        .values("discharged_on")
        .annotate(n=Count("pk"))
        .values_list("discharged_on", "n")
        .order_by()
    )
    census, count = {}, base
    previous = first
    for monday in mondays:
        count += sum(n for day, n in admitted.items() if previous < day <= monday)
        count -= sum(n for day, n in left.items() if previous <= day < monday)
        census[monday] = count
        previous = monday
    return census


def week_aggregates(scope: Scope) -> dict:
    """Sessions, minutes, weeks in the band and billable days of both periods' weeks, summed by week.

    One row per Monday (at most a few dozen), added up here per period: filtering every row once per
    figure and period cost PostgreSQL ten times the scan at 50,000 patients.
    """
    weeks = scope.previous.weeks() + scope.period.weeks()
    names = ("recorded", "attended", "minutes", "in_band", "billable")
    result = {f"{name}:{key}": None for name in ("current", "previous") for key in names}
    if not weeks:
        return result
    whole = Q(whole_week=True)
    rows = (
        AttendanceWeekFact.objects.filter(
            program_id__in=scope.program_ids, week_start__gte=weeks[0], week_start__lte=weeks[-1]
        )
        .values("week_start")
        .annotate(
            recorded=Sum("sessions_recorded"),
            attended=Sum("sessions_attended"),
            minutes=Sum("minutes"),
            in_band=Count("pk", filter=whole & Q(in_band=True)),
            billable=Sum("billable_days", filter=whole),
        )
        .order_by()
    )
    by_week = {row["week_start"]: row for row in rows}
    for name, period in periods_of(scope).items():
        ended = engagement_window(period, scope).last_ended_monday
        found = [by_week[monday] for monday in period.weeks() if monday in by_week]
        if not found:
            continue
        for key in ("recorded", "attended", "minutes"):
            result[f"{name}:{key}"] = sum(row[key] or 0 for row in found)
        for key in ("in_band", "billable"):
            result[f"{name}:{key}"] = sum(row[key] or 0 for row in found if row["week_start"] <= ended)
    return result


def tests_by_week(scope: Scope) -> dict[str, dict[int, tuple[int, int]]]:
    """Per period: week of treatment (capped) → (tests, negatives)."""
    periods = periods_of(scope)
    which = Case(
        *(When(day__gte=period.start, day__lte=period.end, then=Value(name)) for name, period in periods.items()),
        default=None,
    )
    rows = (
        DrugTestFact.objects.filter(
            program_id__in=scope.program_ids, day__gte=scope.previous.start, day__lte=scope.period.end
        )
        .annotate(which=which, week=Least("treatment_week", Value(TEST_WEEKS_SHOWN + 1)))
        .values("which", "week")
        .annotate(n=Count("pk"), negative=Count("pk", filter=Q(negative=True)))
        .order_by()
    )
    result: dict[str, dict] = {name: {} for name in periods}
    for row in rows:
        if row["which"]:
            result[row["which"]][row["week"]] = (row["n"], row["negative"])
    return result


def referral_counts(scope: Scope) -> dict:
    """Referrals of the period: those placed in the programs, and those placed in no program yet."""
    aggregates = {}
    for name, period in periods_of(scope).items():
        dated = Q(referral_date__gte=period.start, referral_date__lte=period.end)
        aggregates[f"{name}:referrals"] = Count("pk", filter=dated)
        aggregates[f"{name}:placed"] = Count("pk", filter=dated & Q(program_id__isnull=False))
    return IntakeFact.objects.filter(
        Q(program_id__in=scope.program_ids) | Q(program_id__isnull=True),
        referral_date__gte=scope.previous.start,
        referral_date__lte=scope.period.end,
    ).aggregate(**aggregates)
