"""What each figure of the outcomes page counts: its cohort (the denominator) and its numerator.

Cohorts and numerators are ``Q`` objects on ``EpisodeFact``. The same objects count a figure
(``counts``) and list the patients behind it (``drilldown``), so a drill-down always shows exactly
the people a number counts. Cohorts are followed to today: a retention figure waits for its
patients to reach the 30-day mark.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Q

from ..constants import (
    CHECKIN_DAYS,
    REACHED_STATUSES,
    READMISSION_DAYS,
    REMISSION_BELOW,
    RETENTION_DAYS,
    SYMPTOM_BASELINE_MIN,
    CheckinStatus,
)
from ..models import IntakeFact
from .periods import Period


@dataclass(frozen=True)
class Scope:
    """What the figures are about: some programs, a period, the one before, and today."""

    program_ids: tuple[int, ...]
    period: Period
    previous: Period
    today: dt.date

    @property
    def today_day(self) -> int:
        return self.today.toordinal()


# --- cohorts (denominators) and numerators, as Q objects on EpisodeFact ---------------------------

# The rows a cohort is drawn from, for both periods at once (the previous period ends where the
# current one starts): the episodes admitted in them, those discharged in them, or every episode
# overlapping them. Counting each family over its own rows keeps the work proportional to them.
ADMITTED, DISCHARGED, OVERLAPPING, SCORED = "admitted", "discharged", "overlapping", "scored"
SCORED_INSTRUMENTS = ("phq9", "gad7", "bam_use", "bam_risk", "bam_protective")
# The overlapping episodes with a later score of some instrument: the symptom figures' rows.
SCORED_ROWS = Q(*[Q(**{f"{name}_latest__isnull": False}) for name in SCORED_INSTRUMENTS], _connector=Q.OR)


def drawn_from(rows: str) -> Callable:
    def mark(cohort):
        cohort.rows = rows
        return cohort

    return mark


@drawn_from(ADMITTED)
def admitted_in(period: Period, scope: Scope) -> Q:
    return Q(admitted_on__gte=period.start, admitted_on__lte=period.end)


@drawn_from(DISCHARGED)
def discharged_in(period: Period, scope: Scope) -> Q:
    return Q(discharged_on__gte=period.start, discharged_on__lte=period.end)


@drawn_from(OVERLAPPING)
def in_treatment(period: Period, scope: Scope) -> Q:
    return Q(admitted_on__lte=period.end) & (Q(discharged_on__isnull=True) | Q(discharged_on__gte=period.start))


@drawn_from(OVERLAPPING)
def active_at_end(period: Period, scope: Scope) -> Q:
    day = min(period.end, scope.today)
    return Q(admitted_on__lte=day) & (Q(discharged_on__isnull=True) | Q(discharged_on__gte=day))


@drawn_from(ADMITTED)
def with_referral(period: Period, scope: Scope) -> Q:
    return admitted_in(period, scope) & Q(days_waiting__isnull=False)


def retention_cohort(days: int) -> Callable[[Period, Scope], Q]:
    @drawn_from(ADMITTED)
    def cohort(period: Period, scope: Scope) -> Q:
        return admitted_in(period, scope) & Q(admitted_day__lte=scope.today_day - days)

    return cohort


def retained(days: int) -> Q:
    """Still in treatment at day N, or left having completed (or stepped down) before it."""
    return Q(discharged_on__isnull=True) | Q(length_of_stay__gte=days) | Q(completed=True)


@drawn_from(DISCHARGED)
def measured_both(period: Period, scope: Scope) -> Q:
    return discharged_in(period, scope) & Q(admission_measured=True, discharge_measured=True)


def symptom_pairs(instrument: str, baseline: bool = False) -> Callable[[Period, Scope], Q]:
    @drawn_from(SCORED)
    def cohort(period: Period, scope: Scope) -> Q:
        paired = in_treatment(period, scope) & Q(**{f"{instrument}_latest__isnull": False})
        return paired & Q(**{f"{instrument}_first__gte": SYMPTOM_BASELINE_MIN}) if baseline else paired

    return cohort


def checkin_due(days: int) -> Callable[[Period, Scope], Q]:
    @drawn_from(DISCHARGED)
    def cohort(period: Period, scope: Scope) -> Q:
        return (
            discharged_in(period, scope)
            & ~Q(**{f"checkin_{days}": CheckinStatus.NONE})
            & Q(discharged_day__lte=scope.today_day - days)
        )

    return cohort


def checkin_reached(days: int) -> Callable[[Period, Scope], Q]:
    @drawn_from(DISCHARGED)
    def cohort(period: Period, scope: Scope) -> Q:
        return checkin_due(days)(period, scope) & Q(**{f"checkin_{days}__in": REACHED_STATUSES})

    return cohort


def readmission_cohort(days: int) -> Callable[[Period, Scope], Q]:
    @drawn_from(DISCHARGED)
    def cohort(period: Period, scope: Scope) -> Q:
        return discharged_in(period, scope) & Q(discharged_day__lte=scope.today_day - days)

    return cohort


@dataclass(frozen=True)
class Rate:
    """A figure counted on episodes: a cohort, and the part of it in the numerator (none for a count)."""

    key: str
    section: str
    label: str
    cohort: Callable[[Period, Scope], Q]
    numerator: Q | None = None
    definition: str = ""
    denominator_label: str = "patients"

    @property
    def rows(self) -> str:
        return self.cohort.rows


CENSUS, ENGAGEMENT, RETENTION, ABSTINENCE, SYMPTOMS, RECOVERY, AFTERCARE = (
    "Census and access",
    "Engagement",
    "Retention and completion",
    "Abstinence",
    "Symptoms",
    "Recovery capital",
    "Aftercare",
)
SECTIONS = (CENSUS, ENGAGEMENT, RETENTION, ABSTINENCE, SYMPTOMS, RECOVERY, AFTERCARE)

RECOVERY_MEASURES = (
    (
        "working",
        "Employed or in school",
        "employed full or part time, or in school or job training (NOM employment/education)",
    ),
    ("housed", "Stably housed", "not homeless (NOM stability in housing; TEDS LIVARAG 2 or 3)"),
    ("no_arrests", "No arrests in the past 30 days", "NOM criminal justice involvement (TEDS ARRESTS 0)"),
    (
        "self_help",
        "Self-help attendance",
        "one or more self-help or peer-support meetings in the past 30 days (NOM social connectedness)",
    ),
)

RATES: tuple[Rate, ...] = (
    Rate("admissions", CENSUS, "Admissions", admitted_in, definition="episodes of care opened in the period"),
    Rate("discharges", CENSUS, "Discharges", discharged_in, definition="episodes of care closed in the period"),
    Rate(
        "active_end",
        CENSUS,
        "Active census at the end of the period",
        active_at_end,
        definition="in treatment on the period's last day (today for the current period)",
    ),
    *(
        Rate(
            f"retention_{days}",
            RETENTION,
            f"Retention at {days} days",
            retention_cohort(days),
            retained(days),
            definition=f"admitted in the period and {days} days ago or more; in the numerator when still in "
            f"treatment at day {days}, or discharged having completed or stepped down",
            denominator_label="admissions",
        )
        for days in RETENTION_DAYS
    ),
    *(
        Rate(
            f"dropouts_{days}",
            RETENTION,
            f"Left before {days} days",
            retention_cohort(days),
            ~retained(days),
            definition=f"the admissions of retention at {days} days that left before day {days} without completing",
            denominator_label="admissions",
        )
        for days in RETENTION_DAYS
    ),
    Rate(
        "completion",
        RETENTION,
        "Completed (or stepped down as planned)",
        discharged_in,
        Q(completed=True),
        definition="discharges of the period of type completed or step-down",
        denominator_label="discharges",
    ),
    *(
        Rate(
            f"{name}_{point}",
            RECOVERY,
            f"{label} at {point}",
            measured_both,
            Q(**{f"{point}_{name}": True}),
            definition=f"{description}; discharges of the period with the measures at admission and discharge",
            denominator_label="discharges measured twice",
        )
        for name, label, description in RECOVERY_MEASURES
        for point in ("admission", "discharge")
    ),
    Rate(
        "abstinent_admission",
        ABSTINENCE,
        "No use in the past 30 days at admission",
        measured_both,
        Q(admission_use_days=0),
        definition="0 days of use of every substance asked about; discharges measured at admission and discharge",
        denominator_label="discharges measured twice",
    ),
    Rate(
        "abstinent_discharge",
        ABSTINENCE,
        "No use in the past 30 days at discharge",
        measured_both,
        Q(discharge_use_days=0),
        definition="0 days of use of every substance asked about; discharges measured at admission and discharge",
        denominator_label="discharges measured twice",
    ),
    *(
        Rate(
            f"{instrument}_response",
            SYMPTOMS,
            f"{label} response (50 % lower)",
            symptom_pairs(instrument, baseline=True),
            # latest <= first / 2, written without a division: the scores are whole numbers.
            Q(**{f"{instrument}_first__gte": F(f"{instrument}_latest") * 2}),
            definition=f"latest {label} at most half the first, among patients in treatment in the period whose "
            f"first {label} was {SYMPTOM_BASELINE_MIN} or more",
            denominator_label=f"patients starting at {SYMPTOM_BASELINE_MIN}+",
        )
        for instrument, label in (("phq9", "PHQ-9"), ("gad7", "GAD-7"))
    ),
    Rate(
        "phq9_remission",
        SYMPTOMS,
        "PHQ-9 remission (under 5)",
        symptom_pairs("phq9", baseline=True),
        Q(phq9_latest__lt=REMISSION_BELOW),
        definition=f"latest PHQ-9 under {REMISSION_BELOW}, among patients in treatment in the period whose first "
        f"PHQ-9 was {SYMPTOM_BASELINE_MIN} or more",
        denominator_label=f"patients starting at {SYMPTOM_BASELINE_MIN}+",
    ),
    *(
        Rate(
            f"checkin_{days}_reach",
            AFTERCARE,
            f"{days}-day check-in reached",
            checkin_due(days),
            Q(**{f"checkin_{days}__in": REACHED_STATUSES}),
            definition=f"discharges of the period whose {days}-day check-in was due by today; reached: spoken with",
            denominator_label="check-ins due",
        )
        for days in CHECKIN_DAYS
    ),
    *(
        Rate(
            f"checkin_{days}_using",
            AFTERCARE,
            f"Using at the {days}-day check-in",
            checkin_reached(days),
            Q(**{f"checkin_{days}": CheckinStatus.USING}),
            definition=f"of the {days}-day check-ins that reached the patient, those reporting alcohol or drug use",
            denominator_label="patients reached",
        )
        for days in CHECKIN_DAYS
    ),
    *(
        Rate(
            f"readmitted_{days}",
            AFTERCARE,
            f"Readmitted within {days} days",
            readmission_cohort(days),
            Q(readmitted_after_days__lte=days),
            definition=f"discharges of the period {days} days ago or more, admitted again here within {days} days",
            denominator_label="discharges",
        )
        for days in READMISSION_DAYS
    ),
)
RATES_BY_KEY = {rate.key: rate for rate in RATES}


def referral_cohort(period: Period, scope: Scope):
    return IntakeFact.objects.filter(
        Q(program_id__in=scope.program_ids) | Q(program_id__isnull=True),
        referral_date__gte=period.start,
        referral_date__lte=period.end,
    )
