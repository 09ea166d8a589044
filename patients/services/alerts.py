"""Alerts on the chart header: closed with an assessment, and acknowledged by a supervisor before discharge."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from iop.text import says_something
from notifications.services import tasks_close_for

from ..constants import AlertAction, AlertKind, RiskLevel
from ..models import PatientAlert
from .common import validated_save

NOTE_NEEDED = "Describe what was assessed and decided in a sentence (at least 20 characters, not only punctuation)."


def finding_tasks_prefix(finding_key: str) -> str:
    """Every task a finding made has a dedupe key under this prefix (patients/services/follow_up.py)."""
    return f"finding:{finding_key}:"


@transaction.atomic
def alert_resolve(*, alert: PatientAlert, by, resolution: str, risk_level: str = "", action: str = "") -> PatientAlert:
    """Close an alert. Safety, withdrawal and overdose alerts need the risk level after assessment and
    the action taken; every alert needs a note that says something. The finding's tasks close with it."""
    alert = PatientAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.resolved_at:
        raise ValidationError("This alert is already resolved.")
    if alert.is_entered_in_error:
        raise ValidationError("This alert was marked entered in error.")
    errors = {}
    if not says_something(resolution):
        errors["resolution"] = NOTE_NEEDED
    if alert.needs_assessment:
        if risk_level not in RiskLevel.values:
            errors["resolution_risk_level"] = "Choose the risk level you found."
        if action not in AlertAction.values:
            errors["resolution_action"] = "Choose what was done."
    if errors:
        raise ValidationError(errors)
    alert.resolved_at = timezone.now()
    alert.resolved_by = by
    alert.resolution = resolution.strip()
    if alert.needs_assessment:
        alert.resolution_risk_level, alert.resolution_action = risk_level, action
    validated_save(alert)
    if alert.finding_key:
        summary = f"Alert resolved by {by.get_full_name() or by.username}"
        if alert.needs_assessment:
            summary += (
                f": risk {alert.get_resolution_risk_level_display().lower()}, {alert.get_resolution_action_display()}"
            )
        tasks_close_for(dedupe_key_prefix=finding_tasks_prefix(alert.finding_key), reason=summary, by=by)
    return alert


@transaction.atomic
def alert_acknowledge_for_discharge(*, alert: PatientAlert, by, note: str) -> PatientAlert:
    """A supervisor (or director) lets discharge go ahead with this safety alert still open, by name."""
    alert = PatientAlert.objects.select_for_update().get(pk=alert.pk)
    if not by.has_perm("patients.acknowledge_patientalert"):
        raise ValidationError("Only a supervisor or director can acknowledge a safety alert for discharge.")
    if alert.kind != AlertKind.SAFETY or alert.resolved_at or alert.is_entered_in_error:
        raise ValidationError("Only an open safety alert is acknowledged for discharge.")
    if not says_something(note):
        raise ValidationError({"discharge_acknowledgement": NOTE_NEEDED})
    alert.discharge_acknowledged_at = timezone.now()
    alert.discharge_acknowledged_by = by
    alert.discharge_acknowledgement = note.strip()
    return validated_save(alert)
