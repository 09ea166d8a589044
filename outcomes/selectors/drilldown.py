"""The patients behind a figure: the same cohort and numerator the figure counted, through the access rule."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from aftercare.constants import DischargeType
from patients.selectors import patients_visible_to

from ..constants import CheckinStatus
from ..models import AttendanceWeekFact, DrugTestFact, EpisodeFact
from .cohorts import (
    RATES_BY_KEY,
    Scope,
    admitted_in,
    discharged_in,
    in_treatment,
    referral_cohort,
    with_referral,
)

TYPE_LABELS = dict(DischargeType.choices)
CHECKIN_LABELS = dict(CheckinStatus.choices)


def _yes_no(value) -> str:
    return "—" if value is None else ("yes" if value else "no")


def _stay(fact: EpisodeFact, scope: Scope) -> str:
    if fact.length_of_stay is not None:
        return f"{fact.length_of_stay} days"
    return f"{(scope.today - fact.admitted_on).days} days so far"


BASE_COLUMNS: list[tuple[str, Callable]] = [
    ("Admitted", lambda fact, scope: fact.admitted_on),
    ("Discharged", lambda fact, scope: fact.discharged_on or "active"),
    ("In treatment", _stay),
    ("Discharge", lambda fact, scope: TYPE_LABELS.get(fact.discharge_type, "—") if fact.discharged_on else "—"),
]


@dataclass(frozen=True)
class Drill:
    title: str
    cohort: Callable[[object, Scope], Q]
    numerator: Q | None = None
    numerator_label: str = ""
    columns: tuple[tuple[str, Callable], ...] = ()


def _scores(prefix: str) -> tuple[tuple[str, Callable], ...]:
    return (
        ("First", lambda fact, scope: getattr(fact, f"{prefix}_first")),
        ("Latest", lambda fact, scope: getattr(fact, f"{prefix}_latest")),
    )


def _measures(name: str) -> tuple[tuple[str, Callable], ...]:
    return (
        ("At admission", lambda fact, scope: _yes_no(getattr(fact, f"admission_{name}"))),
        ("At discharge", lambda fact, scope: _yes_no(getattr(fact, f"discharge_{name}"))),
    )


def _checkin_column(days: str) -> Callable:
    def column(fact, scope):
        return CHECKIN_LABELS.get(getattr(fact, f"checkin_{days}"), "—")

    return column


def _readmitted_column(fact, scope) -> str:
    return f"{fact.readmitted_after_days} days" if fact.readmitted_after_days is not None else "—"


def _drills() -> dict[str, Drill]:
    drills: dict[str, Drill] = {}
    for key, rate in RATES_BY_KEY.items():
        columns: tuple = ()
        if key.startswith(("working", "housed", "no_arrests", "self_help")):
            columns = _measures(key.rsplit("_", 1)[0])
        elif key.startswith("abstinent"):
            columns = (
                ("Days of use at admission", lambda fact, scope: fact.admission_use_days),
                ("Days of use at discharge", lambda fact, scope: fact.discharge_use_days),
            )
        elif key.startswith(("phq9", "gad7")):
            columns = _scores(key.split("_")[0])
        elif key.startswith("checkin_"):
            days = key.split("_")[1]
            columns = ((f"{days}-day check-in", _checkin_column(days)),)
        elif key.startswith("readmitted"):
            columns = (("Readmitted after", _readmitted_column),)
        drills[key] = Drill(rate.label, rate.cohort, rate.numerator, "counted", columns)
    drills["days_waiting"] = Drill(
        "Days from referral to admission",
        with_referral,
        columns=(
            ("Referred", lambda fact, scope: fact.referral_date),
            ("Days waiting", lambda fact, scope: fact.days_waiting),
        ),
    )
    drills["engagement"] = Drill("Patients in treatment in the period (engagement)", in_treatment)
    drills["tests"] = Drill("Patients tested in the period", in_treatment)
    for prefix, label in (
        ("phq9", "PHQ-9"),
        ("gad7", "GAD-7"),
        ("bam_use", "BAM use"),
        ("bam_risk", "BAM risk"),
        ("bam_protective", "BAM protective"),
    ):
        drills[f"{prefix}_pairs"] = Drill(
            f"{label}: first and latest",
            lambda period, scope, prefix=prefix: in_treatment(period, scope) & Q(**{f"{prefix}_latest__isnull": False}),
            columns=_scores(prefix),
        )
    drills.setdefault("admissions", Drill("Admissions", admitted_in))
    drills.setdefault("discharges", Drill("Discharges", discharged_in))
    return drills


DRILLS = _drills()


@dataclass
class DrillRow:
    patient: object
    fact: EpisodeFact
    counted: bool | None
    cells: list


@dataclass
class DrillResult:
    title: str
    rows: list[DrillRow]
    columns: list[str]
    total: int
    visible: int
    counted: int | None


def _engagement_cells(facts: list[EpisodeFact], scope: Scope, period) -> dict[int, list]:
    weeks = (
        AttendanceWeekFact.objects.filter(episode_id__in=[fact.pk for fact in facts], week_start__in=period.weeks())
        .values("episode_id")
        .annotate(recorded=Sum("sessions_recorded"), attended=Sum("sessions_attended"), minutes=Sum("minutes"))
        .order_by()
    )
    found = {row["episode_id"]: row for row in weeks}
    cells = {}
    for fact in facts:
        row = found.get(fact.pk, {"recorded": 0, "attended": 0, "minutes": 0})
        cells[fact.pk] = [f"{row['attended']} of {row['recorded']}", round((row["minutes"] or 0) / 60, 1)]
    return cells


def _test_cells(facts: list[EpisodeFact], period) -> dict[int, list]:
    rows = (
        DrugTestFact.objects.filter(
            episode_id__in=[fact.pk for fact in facts], day__gte=period.start, day__lte=period.end
        )
        .values("episode_id")
        .annotate(tests=Count("pk"), negative=Count("pk", filter=Q(negative=True)))
        .order_by()
    )
    found = {row["episode_id"]: row for row in rows}
    return {
        fact.pk: [f"{found[fact.pk]['negative']} of {found[fact.pk]['tests']}"] if fact.pk in found else ["no tests"]
        for fact in facts
    }


def drill_cohort(key: str, period, scope: Scope) -> QuerySet[EpisodeFact]:
    drill = DRILLS[key]
    facts = EpisodeFact.objects.filter(program_id__in=scope.program_ids).filter(drill.cohort(period, scope))
    if key == "tests":
        tested = DrugTestFact.objects.filter(
            program_id__in=scope.program_ids, day__gte=period.start, day__lte=period.end
        ).values("episode_id")
        facts = facts.filter(episode_id__in=tested)
    if key == "engagement":
        attended = AttendanceWeekFact.objects.filter(
            program_id__in=scope.program_ids, week_start__in=period.weeks()
        ).values("episode_id")
        facts = facts.filter(episode_id__in=attended)
    return facts


def drilldown(user, key: str, period, scope: Scope, *, only_counted: bool, offset: int, limit: int) -> DrillResult:
    """A page of the patients behind figure ``key``; those the user may not see are counted, never shown."""
    drill = DRILLS[key]
    cohort = drill_cohort(key, period, scope)
    if only_counted and drill.numerator is not None:
        cohort = cohort.filter(drill.numerator)
    total = cohort.count()
    visible_cohort = cohort.filter(patient_id__in=patients_visible_to(user).values("pk"))
    visible = visible_cohort.count()
    counted = visible_cohort.filter(drill.numerator).count() if drill.numerator is not None else None
    facts = list(
        visible_cohort.select_related("patient", "program").order_by(
            "patient__legal_last_name", "patient__legal_first_name", "episode_id"
        )[offset : offset + limit]
    )
    counted_ids = (
        set(cohort.filter(drill.numerator, episode_id__in=[f.pk for f in facts]).values_list("episode_id", flat=True))
        if drill.numerator is not None and facts
        else set()
    )
    headers = [header for header, _ in BASE_COLUMNS] + [header for header, _ in drill.columns]
    extra: dict[int, list] = {}
    if key == "engagement":
        headers += ["Sessions attended", "Hours attended"]
        extra = _engagement_cells(facts, scope, period)
    elif key == "tests":
        headers += ["Negative tests"]
        extra = _test_cells(facts, period)
    rows = [
        DrillRow(
            patient=fact.patient,
            fact=fact,
            counted=(fact.pk in counted_ids) if drill.numerator is not None else None,
            cells=[render(fact, scope) for _, render in (*BASE_COLUMNS, *drill.columns)] + extra.get(fact.pk, []),
        )
        for fact in facts
    ]
    return DrillResult(drill.title, rows, headers, total, visible, counted)


def referral_drilldown(user, period, scope: Scope, *, offset: int, limit: int) -> DrillResult:
    """Referrals of the period, placed in these programs or in none yet."""
    cohort = referral_cohort(period, scope)
    total = cohort.count()
    visible_cohort = cohort.filter(patient_id__in=patients_visible_to(user).values("pk"))
    visible = visible_cohort.count()
    intakes = list(
        visible_cohort.select_related("patient", "program").order_by(
            "patient__legal_last_name", "patient__legal_first_name", "intake_id"
        )[offset : offset + limit]
    )
    rows = [
        DrillRow(
            patient=intake.patient,
            fact=intake,
            counted=intake.program_id is not None,
            cells=[intake.referral_date, intake.status.replace("_", " "), intake.program or "not placed"],
        )
        for intake in intakes
    ]
    placed = visible_cohort.filter(program_id__isnull=False).count()
    return DrillResult("Referrals", rows, ["Referred", "Intake", "Program"], total, visible, placed)
