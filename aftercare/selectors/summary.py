"""The facts a discharge summary is pre-filled from: dates, attendance, drug tests, scores."""

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from patients.instruments import Instrument
from patients.models import Episode, InstrumentResponse
from scheduling.constants import IOP_COUNTABLE_KINDS, AttendanceStatus
from scheduling.models import Attendance
from scheduling.recurrence import week_start
from scheduling.selectors import attendance_by_week, minutes_to_hours
from testing.constants import COLLECTED_STATUSES
from testing.models import DrugTest

SUMMARY_INSTRUMENTS = (Instrument.PHQ9, Instrument.GAD7)


def _instrument_scores(episode: Episode, until: dt.date) -> dict:
    """PHQ-9 and GAD-7 first (at admission, screening included) and last (at discharge) within the episode."""
    since = episode.intake.referral_date if episode.intake_id else episode.admitted_on
    rows = (
        InstrumentResponse.objects.valid()
        .filter(
            patient_id=episode.patient_id,
            instrument__in=SUMMARY_INSTRUMENTS,
            administered_at__date__gte=since,
            administered_at__date__lte=until,
        )
        .order_by("administered_at", "pk")
        .values_list("instrument", "administered_at", "score", "band")
    )
    scores: dict[str, dict] = {}
    for code, administered_at, score, band in rows:
        entry = {"date": timezone.localdate(administered_at).isoformat(), "score": score, "band": band}
        scores.setdefault(code, {"first": entry})["last"] = entry
    return scores


def _drug_test_totals(episode: Episode, until: dt.date) -> dict:
    tests = DrugTest.objects.valid().filter(
        patient_id=episode.patient_id,
        status__in=COLLECTED_STATUSES,
        collected_at__date__gte=episode.admitted_on,
        collected_at__date__lte=until,
    )
    return tests.aggregate(
        collected=Count("pk"),
        resulted=Count("pk", filter=Q(status="resulted")),
        flagged=Count("pk", filter=Q(flag_count__gt=0)),
    )


def discharge_summary_facts(episode: Episode, discharged_on: dt.date) -> dict:
    """Dates, attendance from the hours ledger, drug tests and instrument scores: what the summary starts from."""
    weekly = attendance_by_week([episode.pk], week_start(episode.admitted_on), week_start(discharged_on))
    minutes = sum(week.attended_minutes for week in weekly.values())
    counts = (
        Attendance.objects.valid()
        .filter(episode=episode, session__day__lte=discharged_on, session__kind__in=IOP_COUNTABLE_KINDS)
        .aggregate(
            attended=Count("pk", filter=~Q(status__in=[AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED])),
            excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
            unexcused=Count("pk", filter=Q(status=AttendanceStatus.UNEXCUSED)),
            minutes=Sum("minutes_attended"),
        )
    )
    return {
        "admitted_on": episode.admitted_on.isoformat(),
        "discharged_on": discharged_on.isoformat(),
        "length_days": (discharged_on - episode.admitted_on).days + 1,
        "program": str(episode.program),
        "level_of_care": episode.get_level_of_care_display(),
        "sessions_attended": counts["attended"],
        "excused_absences": counts["excused"],
        "unexcused_absences": counts["unexcused"],
        "hours_attended": str(minutes_to_hours(minutes)),
        "days_attended": sum(week.days_attended for week in weekly.values()),
        "billable_days": sum(week.billable_days for week in weekly.values()),
        "drug_tests": _drug_test_totals(episode, discharged_on),
        "instruments": _instrument_scores(episode, discharged_on),
    }


def discharge_summary_text(facts: dict) -> str:
    """The summary's opening paragraphs; the clinician adds the course of treatment and the prognosis."""
    lines = [
        f"Admitted {facts['admitted_on']} to {facts['program']} ({facts['level_of_care']}); "
        f"discharged {facts['discharged_on']} after {facts['length_days']} days.",
        f"Attendance: {facts['sessions_attended']} sessions attended, {facts['hours_attended']} hours "
        f"on {facts['days_attended']} days ({facts['billable_days']} full IOP days of 3 hours or more); "
        f"{facts['excused_absences']} excused and {facts['unexcused_absences']} unexcused absences.",
    ]
    tests = facts["drug_tests"]
    if tests["collected"]:
        lines.append(
            f"Drug tests: {tests['collected']} collected, {tests['resulted']} resulted, "
            f"{tests['flagged']} with findings to review."
        )
    else:
        lines.append("Drug tests: none collected during the episode.")
    for code in SUMMARY_INSTRUMENTS:
        scores = facts["instruments"].get(code)
        title = Instrument(code).label
        if not scores:
            lines.append(f"{title}: not given during the episode.")
            continue
        first, last = scores["first"], scores["last"]
        if first == last:
            lines.append(f"{title}: {first['score']} ({first['band']}) on {first['date']}; not repeated.")
        else:
            lines.append(
                f"{title}: {first['score']} ({first['band']}) on {first['date']} at admission, "
                f"{last['score']} ({last['band']}) on {last['date']} at discharge."
            )
    lines += ["", "Course of treatment:", "", "Condition at discharge and prognosis:", ""]
    return "\n".join(lines)
