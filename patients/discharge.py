"""Discharge, the aftercare plan and alumni follow-up: services (writes) and the reads they pre-fill from."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from notifications.constants import MessageTemplate, TaskKind
from notifications.models import OutboundMessage, StaffTask
from notifications.services import (
    CONSENT_FOR_CHANNEL,
    PATIENT_CHANNELS,
    channel_refusal,
    consented_kinds_by_patient,
    message_cancel,
    message_enqueue,
    task_complete,
    task_create,
)
from scheduling.constants import IOP_COUNTABLE_KINDS, AttendanceStatus, SessionStatus
from scheduling.models import Attendance, Enrolment, Session
from scheduling.recurrence import week_start
from scheduling.selectors import attendance_by_week, minutes_to_hours
from scheduling.services import enrolment_end, session_cancel
from testing.constants import COLLECTED_STATUSES
from testing.models import DrugTest

from .constants import EpisodeStatus, IntakeStatus, PatientStatus, ReferralSource
from .discharge_constants import (
    CHECKIN_UPCOMING_DAYS,
    HANDED_ON_TYPES,
    NO_FOLLOW_UP_TYPES,
    STEP_DOWN_LEVELS,
    STEP_UP_LEVELS,
    DischargeType,
)
from .instruments import Instrument
from .models import AftercarePlan, AlumniCheckIn, Discharge, Episode, InstrumentResponse, Intake, Patient
from .selectors import patients_visible_to
from .services import intake_start

SUMMARY_INSTRUMENTS = (Instrument.PHQ9, Instrument.GAD7)


# ---------------------------------------------------------------- the pre-filled summary


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


# ---------------------------------------------------------------- discharge


def _check_discharge_fields(episode, discharged_on, discharge_type, reason, next_level_of_care, referred_to) -> None:
    errors = {}
    today = timezone.localdate()
    if discharged_on is None:
        errors["discharged_on"] = "Give the discharge date."
    elif discharged_on > today:
        errors["discharged_on"] = "Discharge is recorded on or after the day it happens, not ahead of it."
    elif discharged_on < episode.admitted_on:
        errors["discharged_on"] = f"Discharge cannot come before admission ({episode.admitted_on:%b %d, %Y})."
    if discharge_type not in DischargeType.values:
        errors["discharge_type"] = "Choose the type of discharge."
    if not (reason or "").strip():
        errors["reason"] = "Give the reason for the discharge."
    if discharge_type == DischargeType.STEP_DOWN and next_level_of_care not in STEP_DOWN_LEVELS:
        errors["next_level_of_care"] = "A step-down from IOP goes to 1.0 outpatient."
    elif discharge_type == DischargeType.STEP_UP and next_level_of_care not in STEP_UP_LEVELS:
        errors["next_level_of_care"] = "A step-up goes to partial hospitalization, residential or inpatient care."
    elif discharge_type not in (DischargeType.STEP_DOWN, DischargeType.STEP_UP) and next_level_of_care:
        errors["next_level_of_care"] = "Only a step-down or step-up names the next level of care."
    if discharge_type == DischargeType.TRANSFERRED and not (referred_to or "").strip():
        errors["referred_to"] = "Name the provider the patient is transferred to."
    if errors:
        raise ValidationError(errors)


def _end_schedule(*, episode: Episode, discharged_on: dt.date, by) -> tuple[int, int]:
    """End the episode's enrolments on the discharge date and cancel its bookings still to come."""
    enrolments = Enrolment.objects.filter(episode=episode).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=discharged_on)
    )
    ended = 0
    for enrolment in enrolments:
        enrolment_end(enrolment=enrolment, ends_on=discharged_on, by=by)
        ended += 1
    now = timezone.now()
    upcoming = Session.objects.filter(
        episode=episode, status=SessionStatus.SCHEDULED, start__gt=now, attendance__isnull=True
    ).order_by("start")
    cancelled = 0
    for session in upcoming:
        session_cancel(session=session, reason="Patient discharged", by=by)
        cancelled += 1
    return ended, cancelled


def _cancel_session_messages(patient: Patient) -> int:
    """Every reminder and notice still waiting for this patient's sessions (keys "session:<id>:patient:<id>:…")."""
    pending = OutboundMessage.objects.filter(patient=patient, dedupe_key__startswith="session:")
    return message_cancel(queryset=pending)


def _schedule_checkins(discharge: Discharge) -> list[AlumniCheckIn]:
    if discharge.discharge_type in NO_FOLLOW_UP_TYPES:
        return []
    return AlumniCheckIn.objects.bulk_create(
        AlumniCheckIn(
            discharge=discharge,
            patient_id=discharge.patient_id,
            days_after_discharge=days,
            due_on=discharge.discharged_on + dt.timedelta(days=days),
        )
        for days in sorted(set(settings.ALUMNI_CHECKIN_DAYS))
    )


@transaction.atomic
def episode_discharge(
    *,
    episode: Episode,
    discharged_on: dt.date,
    discharge_type: str,
    reason: str,
    by,
    summary: str = "",
    next_level_of_care: str = "",
    referred_to: str = "",
    sign: bool = False,
) -> Discharge:
    """Close the episode and everything hanging from it, in one transaction.

    The episode is discharged and the patient's status follows; enrolments end on the
    discharge date, bookings still to come are cancelled (through the scheduling
    services), every pending session message to the patient is cancelled, and the
    alumni check-ins are scheduled. A patient who carries on with this clinic at another
    level is not discharged: that is a level-of-care change inside the episode.
    """
    episode = (
        Episode.objects.select_for_update(of=("self",))
        .select_related("program", "patient", "intake")
        .get(pk=episode.pk)
    )
    if not episode.is_active or episode.is_entered_in_error:
        raise ValidationError("This episode of care is already closed.")
    _check_discharge_fields(episode, discharged_on, discharge_type, reason, next_level_of_care, referred_to)
    facts = discharge_summary_facts(episode, discharged_on)
    discharge = Discharge(
        episode=episode,
        patient=episode.patient,
        discharged_on=discharged_on,
        discharge_type=discharge_type,
        reason=reason.strip(),
        next_level_of_care=next_level_of_care or "",
        referred_to=(referred_to or "").strip() if discharge_type in HANDED_ON_TYPES else "",
        summary=(summary or "").strip() or discharge_summary_text(facts),
        summary_facts=facts,
        recorded_by=by,
    )
    if sign:
        discharge.signed_at, discharge.signed_by = timezone.now(), by
    discharge.full_clean()
    discharge.save()
    _end_schedule(episode=episode, discharged_on=discharged_on, by=by)
    episode.status = EpisodeStatus.DISCHARGED
    episode.discharged_on = discharged_on
    episode.full_clean()
    episode.save(update_fields=["status", "discharged_on", "updated_at"])
    patient = episode.patient
    if not patient.intakes.valid().filter(status=IntakeStatus.OPEN).exists():
        patient.status = PatientStatus.DISCHARGED
        patient.save(update_fields=["status", "updated_at"])
    _cancel_session_messages(patient)
    _schedule_checkins(discharge)
    return discharge


def _require_unsigned(discharge: Discharge) -> None:
    if discharge.is_signed:
        raise ValidationError("The discharge summary is signed and locked; add a note to the chart instead.")


@transaction.atomic
def discharge_update(*, discharge: Discharge, by, summary: str, reason: str, referred_to: str = "") -> Discharge:
    """Edit the summary and reason before signing; a signed discharge does not change."""
    discharge = Discharge.objects.select_for_update().get(pk=discharge.pk)
    _require_unsigned(discharge)
    errors = {}
    if not (summary or "").strip():
        errors["summary"] = "The discharge summary cannot be empty."
    if not (reason or "").strip():
        errors["reason"] = "Give the reason for the discharge."
    if discharge.discharge_type == DischargeType.TRANSFERRED and not (referred_to or "").strip():
        errors["referred_to"] = "Name the provider the patient is transferred to."
    if errors:
        raise ValidationError(errors)
    discharge.summary = summary.strip()
    discharge.reason = reason.strip()
    if discharge.discharge_type in HANDED_ON_TYPES:
        discharge.referred_to = (referred_to or "").strip()
    discharge.full_clean()
    discharge.save()
    return discharge


@transaction.atomic
def discharge_sign(*, discharge: Discharge, by) -> Discharge:
    """The clinician's signature: the summary is final from here on."""
    discharge = Discharge.objects.select_for_update().get(pk=discharge.pk)
    _require_unsigned(discharge)
    if not (discharge.summary or "").strip():
        raise ValidationError({"summary": "Write the discharge summary before signing."})
    discharge.signed_at = timezone.now()
    discharge.signed_by = by
    discharge.full_clean()
    discharge.save(update_fields=["signed_at", "signed_by", "updated_at"])
    return discharge


# ---------------------------------------------------------------- aftercare plan

AFTERCARE_FIELDS = (
    "outpatient_provider",
    "first_appointment",
    "medication_plan",
    "prescriber",
    "support_groups",
    "sober_living",
    "vocational_support",
    "family_support",
    "relapse_warning_signs",
    "coping_strategies",
    "emergency_plan",
    "emergency_contacts",
    "staff_notes",
)


@transaction.atomic
def aftercare_plan_save(*, discharge: Discharge, by, **fields) -> AftercarePlan:
    """Create or update the aftercare plan of a discharge (the plan keeps its history)."""
    unknown = set(fields) - set(AFTERCARE_FIELDS)
    if unknown:
        raise ValidationError(f"Not aftercare plan fields: {', '.join(sorted(unknown))}.")
    if discharge.is_entered_in_error:
        raise ValidationError("This discharge was entered in error.")
    plan = AftercarePlan.objects.select_for_update().filter(discharge=discharge).first()
    plan = plan or AftercarePlan(discharge=discharge)
    for name, value in fields.items():
        setattr(plan, name, (value or "").strip())
    plan.updated_by = by
    plan.full_clean()
    plan.save()
    return plan


# ---------------------------------------------------------------- alumni check-ins


def checkin_task_key(checkin: AlumniCheckIn) -> str:
    return f"alumni-checkin:{checkin.pk}"


def _checkin_due_at(due_on: dt.date) -> dt.datetime:
    """Due by the end of the clinic's working day (17:00 local)."""
    return timezone.make_aware(dt.datetime.combine(due_on, dt.time(17, 0)))


def _checkin_message_send_after(due_on: dt.date) -> dt.datetime:
    """Mid-morning on the due day: inside any clinic's daytime hours, so quiet hours never hold it."""
    moment = timezone.make_aware(dt.datetime.combine(due_on, dt.time(10, 0)))
    return max(moment, timezone.now())


@transaction.atomic
def alumni_checkins_make_due(*, today: dt.date | None = None) -> int:
    """Put every check-in falling due today (or missed by earlier runs) on the clinician's work list.

    Each check-in is claimed with a conditional update before its task and message are
    written, and both carry a per-check-in dedupe key: a second run, or two at once,
    creates nothing more. The patient gets a neutral message only on a channel they
    consented to (42 CFR Part 2: the template names no program or treatment).
    Returns how many check-ins were put on work lists.
    """
    today = today or timezone.localdate()
    due = list(
        AlumniCheckIn.objects.valid()
        .filter(
            due_on__lte=today,
            completed_at__isnull=True,
            task_created_at__isnull=True,
            patient__entered_in_error_at__isnull=True,
            discharge__entered_in_error_at__isnull=True,
        )
        .select_related("patient", "discharge__episode__primary_clinician")
        .select_for_update(of=("self",), skip_locked=True)
    )
    if not due:
        return 0
    consents = consented_kinds_by_patient({checkin.patient_id for checkin in due})
    now = timezone.now()
    AlumniCheckIn.objects.filter(pk__in=[checkin.pk for checkin in due]).update(task_created_at=now, updated_at=now)
    for checkin in due:
        patient = checkin.patient
        task_create(
            assignee=checkin.discharge.episode.primary_clinician,
            kind=TaskKind.AFTERCARE_CHECKIN,
            title=f"{checkin.days_after_discharge}-day aftercare check-in: {patient.display_name}",
            due_at=_checkin_due_at(max(checkin.due_on, today)),
            dedupe_key=checkin_task_key(checkin),
            patient=patient,
        )
        channel = PATIENT_CHANNELS.get(patient.preferred_contact_channel)
        if channel is None or channel_refusal(patient, channel, consents.get(patient.pk, set())):
            continue
        message_enqueue(
            patient=patient,
            channel=channel,
            template=MessageTemplate.AFTERCARE_CHECKIN,
            context={},
            send_after=_checkin_message_send_after(max(checkin.due_on, today)),
            dedupe_key=f"alumni-checkin:{checkin.pk}:patient:{patient.pk}:{channel}",
        )
    return len(due)


@transaction.atomic
def alumni_checkin_record(
    *,
    checkin: AlumniCheckIn,
    by,
    reached: bool,
    using: bool | None = None,
    attending_support_groups: bool | None = None,
    employed_or_in_school: bool | None = None,
    readmitted_elsewhere: bool | None = None,
    readmission_needed: bool = False,
    notes: str = "",
) -> AlumniCheckIn:
    """Record what the check-in found; "re-admission needed" opens a referral in intake in the same transaction."""
    checkin = AlumniCheckIn.objects.select_for_update(of=("self",)).select_related("patient").get(pk=checkin.pk)
    if checkin.is_completed:
        raise ValidationError("This check-in is already recorded.")
    if checkin.is_entered_in_error:
        raise ValidationError("This check-in was entered in error.")
    if reached is None:
        raise ValidationError({"reached": "Say whether the patient was reached."})
    if not reached:
        # Nothing was learned about the patient: the answers stay blank rather than "no".
        using = attending_support_groups = employed_or_in_school = readmitted_elsewhere = None
        if not (notes or "").strip():
            raise ValidationError({"notes": "Say how you tried to reach the patient."})
    checkin.reached = reached
    checkin.using = using
    checkin.attending_support_groups = attending_support_groups
    checkin.employed_or_in_school = employed_or_in_school
    checkin.readmitted_elsewhere = readmitted_elsewhere
    checkin.readmission_needed = bool(readmission_needed)
    checkin.notes = (notes or "").strip()
    checkin.completed_at = timezone.now()
    checkin.completed_by = by
    if checkin.readmission_needed:
        checkin.referral = _readmission_referral(checkin, by=by)
    checkin.full_clean()
    checkin.save()
    _close_checkin_task(checkin, by=by)
    return checkin


def _readmission_referral(checkin: AlumniCheckIn, *, by) -> Intake:
    patient = checkin.patient
    open_intake = patient.intakes.valid().filter(status=IntakeStatus.OPEN).first()
    if open_intake is not None:
        return open_intake  # one open intake per patient: the referral is already in progress
    try:
        return intake_start(
            patient=patient,
            started_by=by,
            referral_source=ReferralSource.OTHER,
            referred_by="Alumni follow-up",
            referral_reason=(
                f"{checkin.days_after_discharge}-day alumni check-in found re-admission needed. {checkin.notes}"
            ).strip(),
        )
    except ValidationError as error:
        raise ValidationError({"readmission_needed": error.messages}) from None


def _close_checkin_task(checkin: AlumniCheckIn, *, by) -> None:
    task = StaffTask.objects.filter(dedupe_key=checkin_task_key(checkin)).exclude(status="done").first()
    if task is None:
        return
    try:
        task_complete(task=task, by=by, reason="Check-in recorded.")
    except ValidationError:
        # Someone outside the assignee's line recorded it: the assignee closes their own task.
        return


@dataclass
class CheckinList:
    overdue: list[AlumniCheckIn]
    due_today: list[AlumniCheckIn]
    upcoming: list[AlumniCheckIn]


def checkins_open_for(user, *, mine_only: bool = True, today: dt.date | None = None) -> CheckinList:
    """Open check-ins of patients this user may see, overdue, due today and coming up (one query)."""
    today = today or timezone.localdate()
    rows = (
        AlumniCheckIn.objects.valid()
        .filter(
            completed_at__isnull=True,
            due_on__lte=today + dt.timedelta(days=CHECKIN_UPCOMING_DAYS),
            patient__in=patients_visible_to(user),
            discharge__entered_in_error_at__isnull=True,
        )
        .select_related("patient", "discharge__episode__primary_clinician", "discharge__episode__program")
        .order_by("due_on", "patient__legal_last_name", "id")
    )
    if mine_only:
        rows = rows.filter(discharge__episode__primary_clinician=user)
    result = CheckinList([], [], [])
    for checkin in rows:
        if checkin.due_on < today:
            result.overdue.append(checkin)
        elif checkin.due_on == today:
            result.due_today.append(checkin)
        else:
            result.upcoming.append(checkin)
    return result


def discharges_of(patient: Patient) -> QuerySet[Discharge]:
    """The chart's discharge section: each discharge with its plan and check-ins (three queries)."""
    return (
        patient.discharges.valid()
        .select_related("episode__program", "recorded_by", "signed_by", "aftercare_plan")
        .prefetch_related("checkins__completed_by")
        .order_by("-discharged_on", "-id")
    )


def consented_to_checkin_messages(patient: Patient) -> bool:
    """Whether the patient will get the neutral check-in message (shown on the discharge page)."""
    channel = PATIENT_CHANNELS.get(patient.preferred_contact_channel)
    if channel is None:
        return False
    kinds = consented_kinds_by_patient([patient.pk]).get(patient.pk, set())
    return CONSENT_FOR_CHANNEL[channel] in kinds and channel_refusal(patient, channel, kinds) is None
