"""Consent per channel: a message goes only where the patient agreed to receive it."""

from patients.constants import ConsentKind
from patients.models import Consent, Patient

from ..constants import (
    Channel,
    DeliveryError,
)

CONSENT_FOR_CHANNEL = {Channel.SMS: ConsentKind.REMINDERS_SMS, Channel.EMAIL: ConsentKind.REMINDERS_EMAIL}


def channel_refusal(patient: Patient, channel: str, consented_kinds: set[str]) -> DeliveryError | None:
    """Why this patient may not be messaged on this channel now, or None when they may."""
    if CONSENT_FOR_CHANNEL[channel] not in consented_kinds:
        return DeliveryError.NO_CONSENT
    if channel == Channel.SMS and patient.sms_opted_out_at is not None:
        return DeliveryError.OPTED_OUT
    return None


def consented_kinds_by_patient(patient_ids) -> dict[int, set[str]]:
    """Active reminder consents for many patients in one query."""
    rows = (
        Consent.objects.active()
        .filter(patient_id__in=patient_ids, kind__in=list(CONSENT_FOR_CHANNEL.values()))
        .values_list("patient_id", "kind")
    )
    kinds: dict[int, set[str]] = {}
    for patient_id, kind in rows:
        kinds.setdefault(patient_id, set()).add(kind)
    return kinds
