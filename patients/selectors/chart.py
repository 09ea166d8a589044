"""Reads for the chart: its header, score trends, consents, open alerts and intakes."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from ..constants import AlertKind, ConsentKind, EpisodeStatus, IntakeStatus
from ..instruments import Instrument
from ..models import (
    Consent,
    Episode,
    InstrumentResponse,
    Intake,
    Patient,
    PatientAlert,
)


@dataclass
class ChartHeader:
    patient: Patient
    episode: Episode | None
    alerts: list[PatientAlert]
    open_intake: Intake | None


def chart_header(patient: Patient) -> ChartHeader:
    """Name, episode, level of care and open alerts, in three queries."""
    episode = (
        patient.episodes.valid()
        .filter(status=EpisodeStatus.ACTIVE)
        .select_related("program", "primary_clinician")
        .first()
    )
    alerts = list(
        patient.alerts.valid()
        .filter(resolved_at__isnull=True)
        .select_related("discharge_acknowledged_by")
        .order_by("severity", "-raised_at")
    )
    open_intake = patient.intakes.valid().filter(status=IntakeStatus.OPEN).first()
    return ChartHeader(patient=patient, episode=episode, alerts=alerts, open_intake=open_intake)


def instrument_trend(patient: Patient, instruments=(Instrument.PHQ9, Instrument.GAD7)) -> dict[str, list[dict]]:
    """Score series per instrument for the chart's trend graph (one query)."""
    series: dict[str, list[dict]] = {code: [] for code in instruments}
    rows = (
        InstrumentResponse.objects.valid()
        .filter(patient=patient, instrument__in=instruments)
        .order_by("administered_at")
        .values_list("instrument", "administered_at", "score")
    )
    for code, administered_at, value in rows:
        series[code].append({"x": administered_at.date().isoformat(), "y": value})
    return series


def consent_is_active(patient: Patient, kind: ConsentKind, on: date | None = None) -> bool:
    return Consent.objects.filter(patient=patient, kind=kind).active(on).exists()


def open_intakes() -> QuerySet[Intake]:
    return (
        Intake.objects.valid()
        .filter(status=IntakeStatus.OPEN)
        .select_related("patient", "last_worked_by")
        .order_by("-updated_at")
    )


def open_alerts(patients: QuerySet[Patient]) -> QuerySet[PatientAlert]:
    """Unresolved alerts on these patients' charts, newest first."""
    return (
        PatientAlert.objects.valid()
        .filter(resolved_at__isnull=True, patient__in=patients)
        .select_related("patient")
        .order_by("-raised_at")
    )


def active_episodes_by_patient(patient_ids) -> dict[int, Episode]:
    """Each patient's active episode, with the patient and primary clinician (one query)."""
    return {
        episode.patient_id: episode
        for episode in Episode.objects.valid()
        .filter(patient_id__in=patient_ids, status=EpisodeStatus.ACTIVE)
        .select_related("patient", "primary_clinician")
    }


def unacknowledged_safety_alerts(patient: Patient) -> QuerySet[PatientAlert]:
    """Open safety alerts no supervisor has acknowledged for discharge: what stops a discharge."""
    return (
        PatientAlert.objects.valid()
        .filter(
            patient=patient, kind=AlertKind.SAFETY, resolved_at__isnull=True, discharge_acknowledged_at__isnull=True
        )
        .order_by("raised_at")
    )
