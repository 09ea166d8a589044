"""Double bookings (patient, clinician, room) and the telehealth consent a virtual room needs."""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from patients.constants import ConsentKind
from patients.models import Consent, Episode

from ..constants import (
    SessionStatus,
)
from ..models import (
    Enrolment,
    Session,
)
from ..selectors import (
    enrolment_covers_day,
    sessions_overlapping,
)
from .common import time_range_text


def _overlapping(start: dt.datetime, end: dt.datetime):
    return sessions_overlapping(Session.objects.filter(status=SessionStatus.SCHEDULED), start, end)


def _patient_clash(episode_ids: Iterable[int], start, end, exclude_pk=None) -> Session | None:
    episode_ids = list(episode_ids)
    if not episode_ids:
        return None
    enrolled = Exists(
        Enrolment.objects.filter(
            enrolment_covers_day(day=OuterRef("day")), group=OuterRef("group"), episode_id__in=episode_ids
        )
    )
    return (
        _overlapping(start, end)
        .alias(enrolled=enrolled)
        .filter(Q(episode_id__in=episode_ids) | Q(group__isnull=False, enrolled=True))
        .exclude(pk=exclude_pk)
        .first()
    )


def check_conflicts(
    *, start, end, room=None, clinicians: Sequence = (), episode_ids: Sequence[int] = (), exclude_pk=None
) -> None:
    """Refuse a time that double-books the room, a clinician or a patient, naming who and when."""
    errors = {}
    if room is not None:
        clash = _overlapping(start, end).filter(room=room).exclude(pk=exclude_pk).first()
        if clash:
            errors["room"] = f"{room} is already booked {time_range_text(clash.start, clash.end)} ({clash.title})."
    people = [person for person in clinicians if person is not None]
    if people:
        clash = (
            _overlapping(start, end)
            .filter(Q(clinician__in=people) | Q(co_facilitator__in=people))
            .select_related("clinician")
            .exclude(pk=exclude_pk)
            .first()
        )
        if clash:
            errors["clinician"] = (
                f"{clash.clinician.get_full_name() or clash.clinician} is already booked "
                f"{time_range_text(clash.start, clash.end)} ({clash.title})."
            )
    clash = _patient_clash(episode_ids, start, end, exclude_pk)
    if clash:
        errors["start"] = f"The patient is already booked {time_range_text(clash.start, clash.end)} ({clash.title})."
    if errors:
        raise ValidationError(errors)


def require_telehealth_consent(episode: Episode, room, day: dt.date) -> None:
    if room is None or not room.is_virtual:
        return
    if not Consent.objects.filter(patient_id=episode.patient_id, kind=ConsentKind.TELEHEALTH).active(day).exists():
        raise ValidationError({"room": f"{room} is a telehealth room; record the patient's telehealth consent first."})
