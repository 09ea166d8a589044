"""Measurement-based care: which repeat instruments each patient is due for, per the program's cadence."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, QuerySet
from django.utils import timezone

from patients.constants import EpisodeStatus
from patients.instruments import SPECS, Instrument
from patients.models import Episode, InstrumentResponse, Patient

from ..constants import MEASUREMENT_GRACE_DAYS, DueStatus
from ..models import ProgramClinicalPolicy

# Repeat instruments and the policy field that sets each one's cadence (days).
CADENCE_FIELDS = {
    Instrument.PHQ9: "phq9_every_days",
    Instrument.GAD7: "gad7_every_days",
    Instrument.BAM: "bam_every_days",
}


@dataclass(frozen=True)
class InstrumentDue:
    instrument: str
    title: str
    every_days: int
    last_given: date | None
    due_on: date
    status: str

    @property
    def status_label(self) -> str:
        return DueStatus(self.status).label

    @property
    def is_due(self) -> bool:
        return self.status != DueStatus.NOT_DUE


def due_status(due_on: date, on: date) -> DueStatus:
    if on < due_on:
        return DueStatus.NOT_DUE
    if on <= due_on + timedelta(days=MEASUREMENT_GRACE_DAYS):
        return DueStatus.DUE
    return DueStatus.OVERDUE


def instruments_due(
    patients: QuerySet[Patient] | Iterable[Patient | int] | None = None,
    *,
    program=None,
    on: date | None = None,
) -> dict[int, list[InstrumentDue]]:
    """Per patient id with an active episode: each repeat instrument's due date and status (two queries).

    Pass the patients (a queryset, patients or ids) or a program. The first administration
    is due on admission; after that every ``<instrument>_every_days`` of the program's
    policy (defaults: PHQ-9 and GAD-7 every 14 days, BAM weekly).
    """
    on = on or timezone.localdate()
    episodes = Episode.objects.valid().filter(status=EpisodeStatus.ACTIVE).select_related("program__clinical_policy")
    if program is not None:
        episodes = episodes.filter(program=program)
    if patients is not None:
        if not isinstance(patients, QuerySet):
            patients = [p.pk if isinstance(p, Patient) else p for p in patients]
        episodes = episodes.filter(patient__in=patients)
    episodes = list(episodes)
    last_given = {
        (row["patient_id"], row["instrument"]): timezone.localdate(row["last"])
        for row in InstrumentResponse.objects.valid()
        .filter(patient_id__in=[e.patient_id for e in episodes], instrument__in=list(CADENCE_FIELDS))
        .values("patient_id", "instrument")
        .annotate(last=Max("administered_at"))
        .order_by()
    }
    due: dict[int, list[InstrumentDue]] = {}
    for episode in episodes:
        try:
            policy = episode.program.clinical_policy
        except ProgramClinicalPolicy.DoesNotExist:
            policy = ProgramClinicalPolicy()
        rows = []
        for instrument, field in CADENCE_FIELDS.items():
            every = getattr(policy, field)
            last = last_given.get((episode.patient_id, instrument))
            due_on = last + timedelta(days=every) if last else episode.admitted_on
            rows.append(InstrumentDue(instrument, SPECS[instrument].title, every, last, due_on, due_status(due_on, on)))
        due[episode.patient_id] = rows
    return due
