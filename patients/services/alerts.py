"""Alerts on the chart header: resolved with a note."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    PatientAlert,
)
from .common import validated_save


@transaction.atomic
def alert_resolve(*, alert: PatientAlert, by, resolution: str) -> PatientAlert:
    if alert.resolved_at:
        raise ValidationError("This alert is already resolved.")
    if not resolution.strip():
        raise ValidationError({"resolution": "Say how the alert was resolved."})
    alert.resolved_at = timezone.now()
    alert.resolved_by = by
    alert.resolution = resolution.strip()
    return validated_save(alert)
