"""Consents: revocation keeps the record."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    Consent,
)
from .common import validated_save


@transaction.atomic
def consent_revoke(*, consent: Consent, by, reason: str) -> Consent:
    if consent.revoked_at:
        raise ValidationError("This consent is already revoked.")
    if not reason.strip():
        raise ValidationError({"reason": "Record how and why the patient revoked the consent."})
    consent.revoked_at = timezone.now()
    consent.revocation_reason = reason.strip()
    return validated_save(consent)
