"""Discharge: the episode closes, with everything hanging from it, in one transaction."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iop.hooks import records_changed
from iop.text import says_something
from notifications.models import OutboundMessage
from notifications.services import (
    message_cancel,
)
from patients.constants import EpisodeStatus, IntakeStatus, PatientStatus
from patients.models import Episode, Patient
from patients.selectors import unacknowledged_safety_alerts
from scheduling.constants import SessionStatus
from scheduling.models import Enrolment, Session
from scheduling.services import enrolment_end, session_cancel

from ..constants import (
    HANDED_ON_TYPES,
    NO_FOLLOW_UP_TYPES,
    STEP_DOWN_LEVELS,
    STEP_UP_LEVELS,
    DischargeType,
)
from ..models import AlumniCheckIn, Discharge
from ..selectors.summary import discharge_summary_facts, discharge_summary_text


def _check_safety_alerts(patient: Patient) -> None:
    """Discharge waits while a safety alert is open, unless a supervisor acknowledged it by name."""
    waiting = list(unacknowledged_safety_alerts(patient))
    if waiting:
        raised = "; ".join(f"{alert.raised_at:%b %d}: {alert.message}" for alert in waiting)
        raise ValidationError(
            f"{len(waiting)} open safety alert{'s' if len(waiting) > 1 else ''} ({raised}). Resolve "
            f"{'them' if len(waiting) > 1 else 'it'} after a risk assessment, or ask a supervisor to acknowledge "
            f"{'each' if len(waiting) > 1 else 'it'} for discharge on the chart."
        )


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
        errors["next_level_of_care"] = (
            "A step-down from IOP goes to an outpatient level (1.0, or 1.5 or 1.7 in the 4th edition)."
        )
    elif discharge_type == DischargeType.STEP_UP and next_level_of_care not in STEP_UP_LEVELS:
        errors["next_level_of_care"] = (
            "A step-up goes to partial hospitalization or 2.7, residential or inpatient care."
        )
    elif discharge_type not in (DischargeType.STEP_DOWN, DischargeType.STEP_UP) and next_level_of_care:
        errors["next_level_of_care"] = "Only a step-down or step-up names the next level of care."
    if discharge_type == DischargeType.TRANSFERRED and not (referred_to or "").strip():
        errors["referred_to"] = "Name the provider the patient is transferred to."
    if errors:
        raise ValidationError(errors)


OVERRIDE_PERMISSION = "patients.acknowledge_patientalert"


def discharge_moment(discharged_on: dt.date, *, now: dt.datetime | None = None) -> dt.datetime:
    """When a discharge takes effect: when it is recorded on its day, or at the end of its date if recorded later.

    scheduling's attendance check reads the same rule from the episode's history.
    """
    now = now or timezone.now()
    if discharged_on >= timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(discharged_on + dt.timedelta(days=1), dt.time.min))


def _check_completion(episode: Episode, discharge_type: str, facts: dict, override_reason: str, by) -> str:
    """A "completed" discharge needs the program's attended days, or a supervisor's override that says why."""
    if discharge_type != DischargeType.COMPLETED:
        return ""
    needed = episode.program.completion_min_attended_days
    attended = facts.get("days_attended", 0)
    if attended >= needed:
        return ""
    shortfall = (
        f"A completed discharge needs {needed} attended day{_plural(needed)} in {episode.program}; "
        f"this episode has {attended}."
    )
    override_reason = (override_reason or "").strip()
    if not override_reason:
        raise ValidationError(
            {
                "discharge_type": f"{shortfall} Choose another type of discharge, or a supervisor may record "
                "it as completed with a reason."
            }
        )
    if not by.has_perm(OVERRIDE_PERMISSION):
        raise ValidationError(
            {"completion_override_reason": f"{shortfall} Only a supervisor or director can override that."}
        )
    if not says_something(override_reason):
        raise ValidationError(
            {"completion_override_reason": "Say why the patient completed treatment (20+ characters, 3+ words)."}
        )
    return override_reason


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _end_schedule(*, episode: Episode, discharged_on: dt.date, moment: dt.datetime, by) -> tuple[int, int]:
    """End the episode's enrolments on the discharge date and cancel its bookings starting after the discharge.

    An enrolment ends on a date, so it still covers the discharge day; attendance at a group session
    that starts after the discharge moment is refused by scheduling's attendance check.
    """
    enrolments = Enrolment.objects.filter(episode=episode).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=discharged_on)
    )
    ended = 0
    for enrolment in enrolments:
        enrolment_end(enrolment=enrolment, ends_on=discharged_on, by=by)
        ended += 1
    upcoming = Session.objects.filter(
        episode=episode, status=SessionStatus.SCHEDULED, start__gt=moment, attendance__isnull=True
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
    completion_override_reason: str = "",
) -> Discharge:
    """Close the episode and everything hanging from it, in one transaction.

    The episode is discharged and the patient's status follows; enrolments end on the
    discharge date, bookings still to come are cancelled (through the scheduling
    services), every pending session message to the patient is cancelled, and the
    alumni check-ins are scheduled. A patient who carries on with this clinic at another
    level is not discharged: that is a level-of-care change inside the episode. A "completed"
    discharge needs the program's attended days, or a supervisor's override with a reason.
    """
    episode = (
        Episode.objects.select_for_update(of=("self",))
        .select_related("program", "patient", "intake")
        .get(pk=episode.pk)
    )
    if not episode.is_active or episode.is_entered_in_error:
        raise ValidationError("This episode of care is already closed.")
    _check_discharge_fields(episode, discharged_on, discharge_type, reason, next_level_of_care, referred_to)
    _check_safety_alerts(episode.patient)
    facts = discharge_summary_facts(episode, discharged_on)
    override_reason = _check_completion(episode, discharge_type, facts, completion_override_reason, by)
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
        completion_override_reason=override_reason,
        completion_override_by=by if override_reason else None,
    )
    if sign:
        discharge.signed_at, discharge.signed_by = timezone.now(), by
    discharge.full_clean()
    discharge.save()
    _end_schedule(episode=episode, discharged_on=discharged_on, moment=discharge_moment(discharged_on), by=by)
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
    records_changed(discharge, episode)
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
