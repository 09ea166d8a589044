"""Alumni check-ins: put on the work list when due, recorded, and a readmission referral when needed."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import records_update_with_history
from iop.hooks import records_changed
from notifications.constants import MessageTemplate, TaskKind
from notifications.models import StaffTask
from notifications.services import (
    PATIENT_CHANNELS,
    channel_refusal,
    consented_kinds_by_patient,
    message_enqueue,
    task_complete,
    task_create,
)
from patients.constants import IntakeStatus, ReferralSource
from patients.models import Intake
from patients.services import intake_start

from ..models import AlumniCheckIn


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
    records_update_with_history(records=due, task_created_at=now, updated_at=now)
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
    records_changed(checkin)
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
