"""The compliance dashboard's rows and a patient's authorization warnings."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from patients.constants import AUTHORIZATION_ENDING_DAYS, AUTHORIZATION_LOW_UNITS, EpisodeStatus
from patients.models import Authorization, Episode, Patient
from patients.selectors import visible_patient_ids
from programs.models import Program

from .ledger import LedgerWeek, ledger_weeks


@dataclass
class ComplianceRow:
    episode: Episode
    weeks: list[LedgerWeek]

    @property
    def patient(self) -> Patient:
        return self.episode.patient

    @property
    def current(self) -> LedgerWeek:
        return self.weeks[-1]

    @cached_property
    def flags(self) -> list[str]:
        seen = []
        for week in self.weeks:
            for flag in week.flags:
                if flag not in seen:
                    seen.append(flag)
        return seen

    @property
    def past_attended_hours(self) -> Decimal:
        return sum((week.attended_hours for week in self.weeks[:-1]), Decimal(0))


# What the dashboard and its CSV show of each episode and patient (500 rows: nothing more is loaded).
COMPLIANCE_EPISODE_FIELDS = (
    "patient_id", "program_id", "admitted_on", "target_weekly_hours", "status", "level_of_care",
    "patient__mrn", "patient__legal_first_name", "patient__legal_last_name", "patient__preferred_name",
)  # fmt: skip


def compliance_rows(user, program: Program, *, weeks: list[dt.date], today=None, now=None) -> list[ComplianceRow]:
    """Every active patient of the program this user may see, with their ledger over ``weeks``."""
    episodes = list(
        Episode.objects.valid()
        .filter(program=program, status=EpisodeStatus.ACTIVE)
        .select_related("patient")
        .only(*COMPLIANCE_EPISODE_FIELDS)
        .order_by("patient__legal_last_name", "patient__legal_first_name")
    )
    for episode in episodes:
        episode.program = program  # one program for all: no join, no 500 copies
    # The access rule, asked about these patients by id: PostgreSQL then reads them by key
    # instead of weighing the director's whole caseload (50 ms at 50,000 patients).
    visible = visible_patient_ids(user, (episode.patient_id for episode in episodes))
    episodes = [episode for episode in episodes if episode.patient_id in visible]
    ledger = ledger_weeks(episodes, weeks, today=today, now=now)
    return [ComplianceRow(episode=episode, weeks=ledger[episode.pk]) for episode in episodes]


@dataclass
class AuthorizationWarning:
    authorization: Authorization
    message: str


def authorization_warnings(patient: Patient, today: dt.date | None = None) -> list[AuthorizationWarning]:
    """Authorizations of this patient running low on units or ending soon."""
    today = today or timezone.localdate()
    warnings = []
    current = Authorization.objects.valid().filter(
        policy__patient=patient, policy__entered_in_error_at__isnull=True, ends_on__gte=today
    )
    for authorization in current.order_by("ends_on"):
        remaining = authorization.units_remaining
        unit = authorization.get_unit_display().lower()
        if remaining == 0:
            warnings.append(
                AuthorizationWarning(authorization, f"Authorization {authorization.number}: all {unit} used.")
            )
        elif remaining <= AUTHORIZATION_LOW_UNITS:
            warnings.append(
                AuthorizationWarning(
                    authorization, f"Authorization {authorization.number}: only {remaining} {unit} left."
                )
            )
        days_left = (authorization.ends_on - today).days
        if days_left <= AUTHORIZATION_ENDING_DAYS:
            warnings.append(
                AuthorizationWarning(
                    authorization,
                    f"Authorization {authorization.number} ends on {authorization.ends_on:%b %d} ({days_left} days).",
                )
            )
    return warnings
