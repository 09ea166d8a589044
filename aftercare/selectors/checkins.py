"""Reads for check-ins and discharges, in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from notifications.services import (
    CONSENT_FOR_CHANNEL,
    PATIENT_CHANNELS,
    channel_refusal,
    consented_kinds_by_patient,
)
from patients.models import Patient
from patients.selectors import patients_visible_to

from ..constants import (
    CHECKIN_UPCOMING_DAYS,
)
from ..models import AlumniCheckIn, Discharge


@dataclass
class CheckinList:
    overdue: list[AlumniCheckIn]
    due_today: list[AlumniCheckIn]
    upcoming: list[AlumniCheckIn]


def checkins_open_for(user, *, mine_only: bool = True, today: dt.date | None = None) -> CheckinList:
    """Open check-ins of patients this user may see, overdue, due today and coming up (one query)."""
    today = today or timezone.localdate()
    rows = (
        AlumniCheckIn.objects.valid()
        .filter(
            completed_at__isnull=True,
            due_on__lte=today + dt.timedelta(days=CHECKIN_UPCOMING_DAYS),
            patient__in=patients_visible_to(user),
            discharge__entered_in_error_at__isnull=True,
        )
        .select_related("patient", "discharge__episode__primary_clinician", "discharge__episode__program")
        .order_by("due_on", "patient__legal_last_name", "id")
    )
    if mine_only:
        rows = rows.filter(discharge__episode__primary_clinician=user)
    result = CheckinList([], [], [])
    for checkin in rows:
        if checkin.due_on < today:
            result.overdue.append(checkin)
        elif checkin.due_on == today:
            result.due_today.append(checkin)
        else:
            result.upcoming.append(checkin)
    return result


def discharges_of(patient: Patient) -> QuerySet[Discharge]:
    """The chart's discharge section: each discharge with its plan and check-ins (three queries)."""
    return (
        patient.discharges.valid()
        .select_related("episode__program", "recorded_by", "signed_by", "aftercare_plan")
        .prefetch_related("checkins__completed_by")
        .order_by("-discharged_on", "-id")
    )


def consented_to_checkin_messages(patient: Patient) -> bool:
    """Whether the patient will get the neutral check-in message (shown on the discharge page)."""
    channel = PATIENT_CHANNELS.get(patient.preferred_contact_channel)
    if channel is None:
        return False
    kinds = consented_kinds_by_patient([patient.pk]).get(patient.pk, set())
    return CONSENT_FOR_CHANNEL[channel] in kinds and channel_refusal(patient, channel, kinds) is None
