"""The weekly hours ledger: planned and attended minutes per ISO week, and the flags they raise."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Sum, When
from django.utils import timezone

from iop.db import unprepared
from patients.models import Episode

from ..constants import (
    BILLABLE_DAY_MINUTES,
    IOP_COUNTABLE_KINDS,
    AttendanceStatus,
    EnrolmentStatus,
    SessionStatus,
)
from ..models import Attendance, Enrolment, Session, WeekNote
from ..recurrence import to_utc, week_start

MINUTES_PER_HOUR = Decimal(60)


def minutes_to_hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / MINUTES_PER_HOUR).quantize(Decimal("0.01"))


@dataclass
class PlannedWeek:
    scheduled_minutes: int = 0
    remaining_minutes: int = 0


def in_weeks(first_week: dt.date, last_week: dt.date, program_ids=None, prefix: str = "") -> Q:
    """Sessions whose ISO week is in [first_week, last_week], optionally of these programs only.

    With programs, the weeks are also stated as a range of ``start`` (clinic-local midnights),
    which the (program, start) index reads directly: a program's five weeks are a few thousand
    sessions, where the network's are tens of thousands. An episode's sessions are always of its
    own program (enrolment refuses another program's groups, bookings take the episode's), so the
    ledger passes its episodes' programs without losing any session.
    """
    condition = Q(**{f"{prefix}week_start__gte": first_week, f"{prefix}week_start__lte": last_week})
    if program_ids is not None:
        condition &= Q(
            **{
                f"{prefix}program_id__in": program_ids,
                f"{prefix}start__gte": to_utc(dt.datetime.combine(first_week, dt.time())),
                f"{prefix}start__lt": to_utc(dt.datetime.combine(last_week + dt.timedelta(days=7), dt.time())),
            }
        )
    return condition


def planned_minutes_by_week(
    episode_ids, first_week: dt.date, last_week: dt.date, now: dt.datetime | None = None, *, program_ids=None
) -> dict[tuple[int, dt.date], PlannedWeek]:
    """Scheduled (and still-to-come) countable minutes per (episode, ISO week), in three queries.

    Group sessions count for an episode on the days its enrolment covers. Joining enrolments
    to sessions in SQL made PostgreSQL misjudge the rows (32 guessed, 17,000 real for a
    500-patient program) and probe row by row, so the join is done here: each group's minutes
    per day come from SQL, and each enrolment picks the days it covers.
    """
    now = now or timezone.now()
    episode_ids = list(episode_ids)
    planned: dict[tuple[int, dt.date], PlannedWeek] = defaultdict(PlannedWeek)
    if not episode_ids:
        return planned
    last_day = last_week + dt.timedelta(days=6)
    common = Q(status=SessionStatus.SCHEDULED, kind__in=IOP_COUNTABLE_KINDS) & in_weeks(
        first_week, last_week, program_ids
    )
    # Service time only: breaks and meals inside a session do not count (HCPCS H0015 / S9480).
    countable = F("duration_minutes") - F("break_minutes")
    totals = {"scheduled": Sum(countable), "remaining": Sum(countable, filter=Q(start__gt=now))}

    def add(episode_id: int, week: dt.date, scheduled: int | None, remaining: int | None) -> None:
        entry = planned[(episode_id, week)]
        entry.scheduled_minutes += scheduled or 0
        entry.remaining_minutes += remaining or 0

    enrolments = list(
        Enrolment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=first_week),
            episode_id__in=episode_ids,
            status=EnrolmentStatus.ENROLLED,
            starts_on__lte=last_day,
            episode__entered_in_error_at__isnull=True,
        ).values_list("episode_id", "group_id", "starts_on", "ends_on", "episode__discharged_on")
    )
    if enrolments:
        group_days = defaultdict(list)
        group_weeks: dict[int, dict[dt.date, list[int]]] = defaultdict(dict)
        rows = (
            Session.objects.filter(common, group_id__in={enrolment[1] for enrolment in enrolments})
            .values("group_id", "day", "week_start")
            .annotate(**totals)
            .order_by()
        )
        for row in rows:
            scheduled, remaining = row["scheduled"] or 0, row["remaining"] or 0
            group_days[row["group_id"]].append((row["day"], row["week_start"], scheduled, remaining))
            week = group_weeks[row["group_id"]].setdefault(row["week_start"], [0, 0])
            week[0] += scheduled
            week[1] += remaining
        for episode_id, group_id, starts_on, ends_on, discharged_on in enrolments:
            # The same days enrolment_covers_day() accepts: from the start, to the end or the discharge.
            until = min(day for day in (ends_on, discharged_on, last_day) if day is not None)
            if starts_on <= first_week and until >= last_day:
                # Enrolled throughout (most patients): whole weeks, not day by day.
                for week, (scheduled, remaining) in group_weeks[group_id].items():
                    add(episode_id, week, scheduled, remaining)
                continue
            for day, week, scheduled, remaining in group_days[group_id]:
                if starts_on <= day <= until:
                    add(episode_id, week, scheduled, remaining)
    booked_rows = (
        Session.objects.filter(common, episode_id__in=episode_ids)
        .values("episode_id", "week_start")
        .annotate(**totals)
        .order_by()
    )
    for row in booked_rows:
        add(row["episode_id"], row["week_start"], row["scheduled"], row["remaining"])
    return planned


@dataclass
class AttendedWeek:
    attended_minutes: int = 0
    days_attended: int = 0
    billable_days: int = 0
    short_days: int = 0
    unexcused_absences: int = 0


def attendance_by_week(
    episode_ids, first_week: dt.date, last_week: dt.date, *, program_ids=None
) -> dict[tuple[int, dt.date], AttendedWeek]:
    """The attendance half of the ledger per (episode, ISO week), in one query.

    The inner query sums each patient's countable minutes per local day; the outer one
    counts the days: attended (> 0), billable IOP days (at least 3 hours, HCPCS H0015 /
    S9480 per diem) and short days (attended but under 3 hours, billed as individual services).
    """
    episode_ids = list(episode_ids)
    if not episode_ids:
        return {}
    countable_minutes = Case(
        When(session__kind__in=IOP_COUNTABLE_KINDS, then=F("minutes_attended")), default=0, output_field=IntegerField()
    )
    unexcused = Case(When(status=AttendanceStatus.UNEXCUSED, then=1), default=0, output_field=IntegerField())
    daily = (
        Attendance.objects.valid()
        .filter(in_weeks(first_week, last_week, program_ids, prefix="session__"), episode_id__in=episode_ids)
        .values(ep=F("episode_id"), wk=F("session__week_start"), d=F("session__day"))
        .annotate(minutes=Sum(countable_minutes), unexcused=Sum(unexcused))
        .order_by()
    )
    inner_sql, params = daily.query.sql_with_params()
    # The inner SQL is Django's own, with every value bound as a parameter.
    sql = (
        "SELECT daily.ep, daily.wk, SUM(daily.minutes), "  # noqa: S608
        "SUM(CASE WHEN daily.minutes > 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN daily.minutes >= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN daily.minutes > 0 AND daily.minutes < %s THEN 1 ELSE 0 END), "
        "SUM(daily.unexcused) "
        f"FROM ({inner_sql}) daily GROUP BY daily.ep, daily.wk"
    )
    result = {}
    with unprepared(), connection.cursor() as cursor:
        cursor.execute(sql, [BILLABLE_DAY_MINUTES, BILLABLE_DAY_MINUTES, *params])
        for ep, wk, minutes, days, billable, short, unexcused_count in cursor.fetchall():
            if isinstance(wk, str):  # SQLite returns dates from a raw query as text
                wk = dt.date.fromisoformat(wk)
            result[(ep, wk)] = AttendedWeek(
                attended_minutes=int(minutes or 0),
                days_attended=int(days or 0),
                billable_days=int(billable or 0),
                short_days=int(short or 0),
                unexcused_absences=int(unexcused_count or 0),
            )
    return result


@dataclass
class LedgerWeek:
    week_start: dt.date
    scheduled_minutes: int
    remaining_minutes: int
    attended: AttendedWeek
    low: Decimal
    high: Decimal
    target: Decimal
    is_current: bool
    is_future: bool
    before_admission: bool = False
    admission_week: bool = False
    note: WeekNote | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def scheduled_hours(self) -> Decimal:
        return minutes_to_hours(self.scheduled_minutes)

    @property
    def attended_hours(self) -> Decimal:
        return minutes_to_hours(self.attended.attended_minutes)

    @property
    def projected_minutes(self) -> int:
        return self.attended.attended_minutes + self.remaining_minutes

    @property
    def projected_hours(self) -> Decimal:
        return minutes_to_hours(self.projected_minutes)

    @property
    def planned_shortfall_hours(self) -> Decimal:
        return max(self.low - self.scheduled_hours, Decimal(0))

    @property
    def planned_excess_hours(self) -> Decimal:
        return max(self.scheduled_hours - self.high, Decimal(0))

    @property
    def planned_in_band(self) -> bool:
        """Half-open: a 2.1 week of exactly 20 hours is partial hospitalization, not IOP."""
        return self.low * 60 <= self.scheduled_minutes < self.high * 60


FLAG_BELOW_MINIMUM = "Below minimum"


FLAG_PROJECTED_SHORTFALL = "Projected shortfall"


FLAG_UNEXCUSED = "2+ unexcused absences"


FLAG_ABOVE_BAND = "Above the band"


FLAG_SHORT_DAYS = "Days under 3 hours"


ALL_FLAGS = [FLAG_BELOW_MINIMUM, FLAG_PROJECTED_SHORTFALL, FLAG_UNEXCUSED, FLAG_ABOVE_BAND, FLAG_SHORT_DAYS]


def week_flags(week: LedgerWeek) -> list[str]:
    """The compliance flags of one week; future weeks have none yet."""
    if week.is_future or week.before_admission:
        return []
    low, high = week.low * 60, week.high * 60
    attended = week.attended.attended_minutes
    flags = []
    # The admission week is partial: it is not held to the weekly minimum.
    if week.is_current and not week.admission_week and week.projected_minutes < low:
        flags.append(FLAG_PROJECTED_SHORTFALL)
    elif not week.is_current and not week.admission_week and attended < low:
        flags.append(FLAG_BELOW_MINIMUM)
    if week.attended.unexcused_absences >= 2:
        flags.append(FLAG_UNEXCUSED)
    # The band is half-open (ASAM 2.1: 9 <= hours < 20): reaching the maximum is above the band.
    if attended >= high or (week.is_current and week.scheduled_minutes >= high):
        flags.append(FLAG_ABOVE_BAND)
    if week.attended.short_days:
        flags.append(FLAG_SHORT_DAYS)
    return flags


def ledger_weeks(
    episodes: list[Episode], weeks: list[dt.date], today: dt.date | None = None, now: dt.datetime | None = None
) -> dict[int, list[LedgerWeek]]:
    """The hours ledger for these episodes over these ISO weeks (Mondays): four queries in all."""
    today = today or timezone.localdate()
    this_week = week_start(today)
    ids = [episode.pk for episode in episodes]
    if not ids or not weeks:
        return {episode.pk: [] for episode in episodes}
    first, last = min(weeks), max(weeks)
    program_ids = {episode.program_id for episode in episodes}
    planned = planned_minutes_by_week(ids, first, last, now=now, program_ids=program_ids)
    attended = attendance_by_week(ids, first, last, program_ids=program_ids)
    notes = {
        (note.episode_id, note.week_start): note
        for note in WeekNote.objects.filter(episode_id__in=ids, week_start__gte=first, week_start__lte=last)
    }
    ledger = {}
    for episode in episodes:
        low, high = episode.weekly_hours_band
        rows = []
        for monday in weeks:
            key = (episode.pk, monday)
            plan = planned.get(key, PlannedWeek())
            row = LedgerWeek(
                week_start=monday,
                scheduled_minutes=plan.scheduled_minutes,
                remaining_minutes=plan.remaining_minutes,
                attended=attended.get(key, AttendedWeek()),
                low=low,
                high=high,
                target=episode.target_weekly_hours,
                is_current=monday == this_week,
                is_future=monday > this_week,
                before_admission=monday + dt.timedelta(days=6) < episode.admitted_on,
                admission_week=monday < episode.admitted_on <= monday + dt.timedelta(days=6),
                note=notes.get(key),
            )
            row.flags = week_flags(row)
            rows.append(row)
        ledger[episode.pk] = rows
    return ledger


def weeks_around(today: dt.date, before: int, after: int) -> list[dt.date]:
    monday = week_start(today)
    return [monday + dt.timedelta(weeks=offset) for offset in range(-before, after + 1)]
