"""The outcomes page's charts: each drawn by Chart.js, with the same numbers in a table beside it."""

from dataclasses import dataclass, field

from aftercare.constants import DischargeType

from ..constants import CHECKIN_DAYS, RETENTION_CURVE_DAYS, TEST_WEEKS_SHOWN
from .cohorts import ABSTINENCE, AFTERCARE, CENSUS, ENGAGEMENT, RECOVERY, RECOVERY_MEASURES, RETENTION, SYMPTOMS, Scope
from .statistics import kaplan_meier, rate_of


@dataclass
class Chart:
    key: str
    section: str
    title: str
    kind: str  # Chart.js type: "line", "bar"
    labels: list
    series: list[dict]  # {"label", "data"}
    y_label: str = ""
    y_max: float | None = None
    table_header: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "type": self.kind,
            "labels": self.labels,
            "series": self.series,
            "yLabel": self.y_label,
            "yMax": self.y_max,
        }


def charts_for(scope: Scope, figures, census, times, types, tests) -> list[Chart]:
    """Every chart of the page, from the figures and the per-week and per-day counts behind them."""
    by_key = {figure.key: figure for figure in figures}
    current, previous = scope.period.label, scope.previous.label
    charts = []
    this_weeks = [monday for monday in scope.period.weeks() if monday in census]
    charts.append(
        Chart(
            "census",
            CENSUS,
            "Active census by week",
            "line",
            [f"{monday:%b %-d}" for monday in this_weeks],
            [{"label": current, "data": [census[monday] for monday in this_weeks]}],
            y_label="patients",
            table_header=["Week of", "Active patients"],
            rows=[[f"{monday:%b %-d, %Y}", census[monday]] for monday in this_weeks],
        )
    )
    engagement_keys = ("show_rate", "hours_delivered", "weeks_in_band")
    charts.append(
        Chart(
            "engagement",
            ENGAGEMENT,
            "Engagement",
            "bar",
            [by_key[key].label for key in engagement_keys],
            [
                {"label": current, "data": [by_key[key].current.value for key in engagement_keys]},
                {"label": previous, "data": [by_key[key].previous.value for key in engagement_keys]},
            ],
            y_label="%",
            y_max=100,
            table_header=["Figure", current, previous],
            rows=[
                [by_key[key].label, by_key[key].current.value, by_key[key].previous.value] for key in engagement_keys
            ],
        )
    )
    curves = {name: kaplan_meier(times[name], RETENTION_CURVE_DAYS) for name in ("current", "previous")}
    marks = list(range(0, RETENTION_CURVE_DAYS + 1, 7))
    charts.append(
        Chart(
            "retention",
            RETENTION,
            "Still in treatment by days since admission (Kaplan–Meier; active patients censored)",
            "line",
            [str(day) for day in marks],
            [
                {"label": f"Admitted {current}", "data": [curves["current"][day] for day in marks]},
                {"label": f"Admitted {previous}", "data": [curves["previous"][day] for day in marks]},
            ],
            y_label="% in treatment",
            y_max=100,
            table_header=["Day", current, previous],
            rows=[[day, curves["current"][day], curves["previous"][day]] for day in (0, 7, 14, 30, 60, 90, 120)],
        )
    )
    type_labels = dict(DischargeType.choices)
    charts.append(
        Chart(
            "discharge_types",
            RETENTION,
            "Discharge types",
            "bar",
            [type_labels.get(code, "Not recorded") for code in [*DischargeType.values, ""]],
            [
                {"label": current, "data": [types["current"].get(code, 0) for code in [*DischargeType.values, ""]]},
                {"label": previous, "data": [types["previous"].get(code, 0) for code in [*DischargeType.values, ""]]},
            ],
            y_label="discharges",
            table_header=["Type", current, previous],
            rows=[
                [type_labels.get(code, "Not recorded"), types["current"].get(code, 0), types["previous"].get(code, 0)]
                for code in [*DischargeType.values, ""]
                if types["current"].get(code) or types["previous"].get(code)
            ],
        )
    )
    week_numbers = list(range(1, TEST_WEEKS_SHOWN + 2))

    def share(name, week):
        total, negative = tests[name].get(week, (0, 0))
        return rate_of(negative, total)

    week_label = lambda week: f"{week}+" if week > TEST_WEEKS_SHOWN else str(week)  # noqa: E731
    charts.append(
        Chart(
            "tests_by_week",
            ABSTINENCE,
            "Negative drug tests by week of treatment",
            "bar",
            [week_label(week) for week in week_numbers],
            [
                {"label": current, "data": [share("current", week) for week in week_numbers]},
                {"label": previous, "data": [share("previous", week) for week in week_numbers]},
            ],
            y_label="% negative",
            y_max=100,
            table_header=["Week", f"{current}: negative / tests", f"{previous}: negative / tests"],
            rows=[
                [
                    week_label(week),
                    "{1} / {0}".format(*tests["current"].get(week, (0, 0))),
                    "{1} / {0}".format(*tests["previous"].get(week, (0, 0))),
                ]
                for week in week_numbers
                if week in tests["current"] or week in tests["previous"]
            ],
        )
    )
    symptom_keys = ("phq9", "gad7", "bam_use", "bam_risk", "bam_protective")
    charts.append(
        Chart(
            "symptoms",
            SYMPTOMS,
            f"First and latest scores ({current})",
            "bar",
            [by_key[f"{key}_first"].label.split(",")[0] for key in symptom_keys],
            [
                {"label": "First", "data": [by_key[f"{key}_first"].current.value for key in symptom_keys]},
                {"label": "Latest", "data": [by_key[f"{key}_latest"].current.value for key in symptom_keys]},
            ],
            y_label="mean score",
            table_header=["Measure", "First", "Latest", "Patients"],
            rows=[
                [
                    by_key[f"{key}_first"].label.split(",")[0],
                    by_key[f"{key}_first"].current.value,
                    by_key[f"{key}_latest"].current.value,
                    by_key[f"{key}_first"].current.denominator,
                ]
                for key in symptom_keys
            ],
        )
    )
    charts.append(
        Chart(
            "recovery",
            RECOVERY,
            f"At admission and at discharge ({current})",
            "bar",
            [label for _, label, _ in RECOVERY_MEASURES],
            [
                {
                    "label": "Admission",
                    "data": [by_key[f"{name}_admission"].current.value for name, _, _ in RECOVERY_MEASURES],
                },
                {
                    "label": "Discharge",
                    "data": [by_key[f"{name}_discharge"].current.value for name, _, _ in RECOVERY_MEASURES],
                },
            ],
            y_label="%",
            y_max=100,
            table_header=["Measure", "Admission", "Discharge", "Discharges measured twice"],
            rows=[
                [
                    label,
                    by_key[f"{name}_admission"].current.value,
                    by_key[f"{name}_discharge"].current.value,
                    by_key[f"{name}_admission"].current.denominator,
                ]
                for name, label, _ in RECOVERY_MEASURES
            ],
        )
    )
    charts.append(
        Chart(
            "aftercare",
            AFTERCARE,
            f"Check-ins ({current} discharges)",
            "bar",
            [f"{days} days" for days in CHECKIN_DAYS],
            [
                {"label": "Reached", "data": [by_key[f"checkin_{days}_reach"].current.value for days in CHECKIN_DAYS]},
                {
                    "label": "Using, of those reached",
                    "data": [by_key[f"checkin_{days}_using"].current.value for days in CHECKIN_DAYS],
                },
            ],
            y_label="%",
            y_max=100,
            table_header=["Check-in", "Due", "Reached", "Using"],
            rows=[
                [
                    f"{days} days",
                    by_key[f"checkin_{days}_reach"].current.denominator,
                    by_key[f"checkin_{days}_reach"].current.numerator,
                    by_key[f"checkin_{days}_using"].current.numerator,
                ]
                for days in CHECKIN_DAYS
            ],
        )
    )
    return charts
