"""The outcomes page's figures, read from the outcome facts (never from the raw chart tables).

Every figure says what it counts: a cohort (its denominator) and, for a rate, the part of it in the
numerator (``cohorts``). Figures come for the period and for the period before it (``counts``);
the charts draw some of them again with their tables (``charts``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F

from ..constants import CHECKIN_DAYS, READMISSION_DAYS, RETENTION_DAYS
from . import counts
from .charts import Chart, charts_for
from .cohorts import (
    ABSTINENCE,
    CENSUS,
    ENGAGEMENT,
    RATES_BY_KEY,
    RECOVERY_MEASURES,
    RETENTION,
    SECTIONS,
    SYMPTOMS,
    Rate,
    Scope,
    discharged_in,
    with_referral,
)
from .statistics import mean_of, median, rate_of


@dataclass
class Value_:
    """One period's number: a count, a rate (numerator of denominator), a median or a mean."""

    value: float | None
    numerator: float | None = None
    denominator: int | None = None


@dataclass
class Figure:
    key: str
    section: str
    label: str
    unit: str  # "count", "percent", "days", "hours", "score", "per week"
    current: Value_
    previous: Value_
    definition: str = ""
    numerator_label: str = ""
    denominator_label: str = ""
    drill: str = ""

    @property
    def change(self) -> float | None:
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value


@dataclass
class Outcomes:
    scope: Scope
    figures: list[Figure]
    charts: list[Chart]

    def section(self, name: str) -> dict:
        return {
            "title": name,
            "figures": [figure for figure in self.figures if figure.section == name],
            "charts": [chart for chart in self.charts if chart.section == name],
        }

    @property
    def sections(self) -> list[dict]:
        return [self.section(name) for name in SECTIONS]

    def figure(self, key: str) -> Figure:
        return next(figure for figure in self.figures if figure.key == key)


# --- assembling the page ---------------------------------------------------------------------------


def outcomes_for(scope: Scope) -> Outcomes:
    """Every figure and chart of the page, for the scope's programs and periods (about a dozen queries)."""
    episodes = counts.episode_aggregates(scope)
    weeks = counts.week_aggregates(scope)
    tests = counts.tests_by_week(scope)
    referrals = counts.referral_counts(scope)
    los = counts.histogram(scope, discharged_in, F("length_of_stay"))
    waiting = counts.histogram(scope, with_referral, F("days_waiting"))
    types = counts.histogram(scope, discharged_in, F("discharge_type"))
    times = counts.retention_times(scope)
    census = counts.census_by_week(scope)
    figures: list[Figure] = []

    def values(per_period: Callable[[str], Value_]) -> tuple[Value_, Value_]:
        return per_period("current"), per_period("previous")

    def add(key, section, label, unit, per_period, definition="", numerator_label="", denominator_label="", drill=""):
        current, previous = values(per_period)
        figures.append(
            Figure(key, section, label, unit, current, previous, definition, numerator_label, denominator_label, drill)
        )

    def rate_value(rate: Rate) -> Callable[[str], Value_]:
        def per_period(name: str) -> Value_:
            denominator = episodes[f"{name}:{rate.key}:d"]
            if rate.numerator is None:
                return Value_(denominator, None, None)
            numerator = episodes[f"{name}:{rate.key}:n"]
            return Value_(rate_of(numerator, denominator), numerator, denominator)

        return per_period

    def addrate_of(key, unit="percent", **extra):
        rate = RATES_BY_KEY[key]
        add(
            rate.key,
            rate.section,
            extra.get("label", rate.label),
            "count" if rate.numerator is None else unit,
            rate_value(rate),
            rate.definition,
            denominator_label=rate.denominator_label,
            drill=rate.key,
        )

    # Census and access
    add(
        "referrals",
        CENSUS,
        "Referrals",
        "count",
        lambda name: Value_(referrals[f"{name}:referrals"], referrals[f"{name}:placed"], None),
        "intakes opened in the period, placed in these programs or not yet in any (an intake names no program "
        "until admission)",
        numerator_label="placed in a program",
        drill="referrals",
    )
    addrate_of("admissions")
    add(
        "days_waiting",
        CENSUS,
        "Days from referral to admission (median)",
        "days",
        lambda name: Value_(median(waiting[name]), None, sum(waiting[name].values())),
        "admissions of the period with a referral date; half waited fewer days",
        denominator_label="admissions",
        drill="days_waiting",
    )
    addrate_of("discharges")
    addrate_of("active_end")

    # Engagement
    def engagement(name: str, kind: str) -> Value_:
        recorded, attended = weeks[f"{name}:recorded"] or 0, weeks[f"{name}:attended"] or 0
        full_weeks = episodes[f"{name}:full_weeks"] or 0
        if kind == "show":
            return Value_(rate_of(attended, recorded), attended, recorded)
        if kind == "hours":
            planned = round((episodes[f"{name}:planned_minute_days"] or 0) / 7 / 60, 1)
            delivered = round((weeks[f"{name}:minutes"] or 0) / 60, 1)
            return Value_(rate_of(delivered, planned), delivered, planned)
        if kind == "band":
            in_band = weeks[f"{name}:in_band"] or 0
            return Value_(rate_of(in_band, full_weeks), in_band, full_weeks)
        billable = weeks[f"{name}:billable"] or 0
        return Value_(round(billable / full_weeks, 2) if full_weeks else None, billable, full_weeks)

    add(
        "show_rate",
        ENGAGEMENT,
        "Show rate",
        "percent",
        lambda name: engagement(name, "show"),
        "sessions attended (present, late or left early) of sessions with attendance taken, in the weeks "
        "starting in the period",
        numerator_label="attended",
        denominator_label="sessions",
        drill="engagement",
    )
    add(
        "hours_delivered",
        ENGAGEMENT,
        "Hours delivered of hours planned",
        "percent",
        lambda name: engagement(name, "hours"),
        "countable IOP hours attended, of each patient's target weekly hours over the days they were in treatment",
        numerator_label="hours delivered",
        denominator_label="hours planned",
        drill="engagement",
    )
    add(
        "weeks_in_band",
        ENGAGEMENT,
        "Patient-weeks inside the hours band",
        "percent",
        lambda name: engagement(name, "band"),
        "whole ended weeks in treatment with countable hours inside the level's half-open band (adult IOP "
        "9 to under 20: ASAM 2.1; a week with no attendance is outside it)",
        numerator_label="weeks in band",
        denominator_label="patient-weeks",
        drill="engagement",
    )
    add(
        "billable_days",
        ENGAGEMENT,
        "Billable days per patient-week",
        "per week",
        lambda name: engagement(name, "billable"),
        "days with 3 hours or more of countable service (HCPCS H0015 / S9480), over whole ended patient-weeks",
        numerator_label="billable days",
        denominator_label="patient-weeks",
        drill="engagement",
    )

    # Retention and completion
    for days in RETENTION_DAYS:
        addrate_of(f"retention_{days}")
    for days in RETENTION_DAYS:
        addrate_of(f"dropouts_{days}")
    add(
        "median_stay",
        RETENTION,
        "Median length of stay",
        "days",
        lambda name: Value_(median(los[name]), None, sum(los[name].values())),
        "days from admission to discharge, discharges of the period",
        denominator_label="discharges",
        drill="discharges",
    )
    addrate_of("completion")

    # Abstinence
    def negatives(name: str) -> Value_:
        total = sum(n for n, _ in tests[name].values())
        negative = sum(neg for _, neg in tests[name].values())
        return Value_(rate_of(negative, total), negative, total)

    add(
        "negative_tests",
        ABSTINENCE,
        "Negative drug tests",
        "percent",
        negatives,
        "tests collected in the period with no use the prescriptions do not explain (expected medications "
        "excluded; adulterated or substituted specimens count as not negative, unreadable ones neither way)",
        numerator_label="negative",
        denominator_label="tests",
        drill="tests",
    )
    addrate_of("abstinent_admission")
    addrate_of("abstinent_discharge")
    for point in ("admission", "discharge"):
        add(
            f"use_days_{point}",
            ABSTINENCE,
            f"Days of use in the past 30 at {point} (mean)",
            "days",
            lambda name, point=point: Value_(
                mean_of(episodes[f"{name}:use_{point}"] or 0, episodes[f"{name}:abstinent_{point}:d"]),
                episodes[f"{name}:use_{point}"] or 0,
                episodes[f"{name}:abstinent_{point}:d"],
            ),
            "days of the most-used substance, discharges of the period measured at admission and discharge",
            numerator_label="days in total",
            denominator_label="discharges measured twice",
            drill=f"abstinent_{point}",
        )

    # Symptoms
    for instrument, label in (
        ("phq9", "PHQ-9"),
        ("gad7", "GAD-7"),
        ("bam_use", "BAM use"),
        ("bam_risk", "BAM risk"),
        ("bam_protective", "BAM protective"),
    ):
        for which in ("first", "latest"):
            add(
                f"{instrument}_{which}",
                SYMPTOMS,
                f"{label}, {which} (mean)",
                "score",
                lambda name, instrument=instrument, which=which: Value_(
                    mean_of(episodes[f"{name}:{instrument}:{which}"] or 0, episodes[f"{name}:{instrument}:count"]),
                    episodes[f"{name}:{instrument}:{which}"] or 0,
                    episodes[f"{name}:{instrument}:count"],
                ),
                f"patients in treatment in the period with two {label} scores or more: their first and latest",
                numerator_label="total",
                denominator_label="patients",
                drill=f"{instrument}_pairs",
            )
    addrate_of("phq9_response")
    addrate_of("phq9_remission")
    addrate_of("gad7_response")

    # Recovery capital
    for name, _, _ in RECOVERY_MEASURES:
        addrate_of(f"{name}_admission")
        addrate_of(f"{name}_discharge")

    # Aftercare
    for days in CHECKIN_DAYS:
        addrate_of(f"checkin_{days}_reach")
        addrate_of(f"checkin_{days}_using")
    for days in READMISSION_DAYS:
        addrate_of(f"readmitted_{days}")

    charts = charts_for(scope, figures, census, times, types, tests)
    return Outcomes(scope, figures, charts)
