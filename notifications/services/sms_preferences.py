"""SMS opt-out and opt-in: from the chart, or STOP and START texted by the patient."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from iop.phones import normalize_phone
from patients.models import Patient

from ..constants import (
    SMS_START_KEYWORDS,
    SMS_STOP_KEYWORDS,
    Channel,
    DeliveryError,
    MessageStatus,
)


@transaction.atomic
def patient_sms_opt_out(*, patient: Patient, source: str) -> Patient:
    """Stop every text to this patient; pending texts are suppressed at once."""
    now = timezone.now()
    if patient.sms_opted_out_at is None:
        patient.sms_opted_out_at = now
        patient._change_reason = f"SMS opt-out ({source})"[:100]
        patient.save(update_fields=["sms_opted_out_at", "updated_at"])
    patient.outbound_messages.filter(channel=Channel.SMS, status=MessageStatus.PENDING).update(
        status=MessageStatus.SUPPRESSED, error_code=DeliveryError.OPTED_OUT, updated_at=now
    )
    return patient


@transaction.atomic
def patient_sms_opt_in(*, patient: Patient, source: str) -> Patient:
    """Texts may go again; texts suppressed by the opt-out and still in the future are queued again."""
    now = timezone.now()
    if patient.sms_opted_out_at is not None:
        patient.sms_opted_out_at = None
        patient._change_reason = f"SMS opt-in ({source})"[:100]
        patient.save(update_fields=["sms_opted_out_at", "updated_at"])
    patient.outbound_messages.filter(
        channel=Channel.SMS,
        status=MessageStatus.SUPPRESSED,
        error_code=DeliveryError.OPTED_OUT,
        send_after__gt=now,
    ).update(status=MessageStatus.PENDING, error_code="", updated_at=now)
    return patient


def _patients_with_phone(phone: str) -> list[Patient]:
    try:
        number = normalize_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    digits = re.sub(r"\D", "", number)
    return list(Patient.objects.valid().filter(phone_digits=digits).select_for_update())


@transaction.atomic
def sms_opt_out(*, phone: str, source: str) -> list[Patient]:
    """A "STOP" from this number: every chart with it stops getting texts."""
    return [patient_sms_opt_out(patient=patient, source=source) for patient in _patients_with_phone(phone)]


@transaction.atomic
def sms_opt_in(*, phone: str, source: str) -> list[Patient]:
    """A "START" from this number: texts may go again."""
    return [patient_sms_opt_in(patient=patient, source=source) for patient in _patients_with_phone(phone)]


def sms_inbound(*, phone: str, text: str, source: str = "inbound SMS") -> tuple[str, int]:
    """Act on an inbound text: ("opted_out" | "opted_in" | "ignored", number of charts changed)."""
    keyword = (text or "").strip().split(maxsplit=1)[0].upper() if (text or "").strip() else ""
    if keyword in SMS_STOP_KEYWORDS:
        return "opted_out", len(sms_opt_out(phone=phone, source=source))
    if keyword in SMS_START_KEYWORDS:
        return "opted_in", len(sms_opt_in(phone=phone, source=source))
    return "ignored", 0
