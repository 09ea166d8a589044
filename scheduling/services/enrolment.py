"""A patient's week: group enrolments (wait list included) and their ends."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from patients.models import Episode

from ..constants import (
    EnrolmentStatus,
    SessionStatus,
)
from ..models import (
    Enrolment,
    Group,
    Session,
)
from ..selectors import (
    group_enrolled_count,
    sessions_of_episode,
)
from .common import time_range_text, validated_save
from .conflicts import require_telehealth_consent
from .hours_band import enforce_band, weeks_to_check


@dataclass
class ScheduleResult:
    enrolled: list[Group]
    waitlisted: list[Group]
    ended: list[Group]


def require_active_episode(episode: Episode) -> None:
    if not episode.is_active or episode.is_entered_in_error:
        raise ValidationError("This episode of care is closed; its schedule cannot change.")


@transaction.atomic
def patient_schedule_save(
    *,
    episode: Episode,
    groups: Sequence[Group],
    starts_on: dt.date,
    by,
    reason: str = "",
    waitlist_if_full: bool = False,
) -> ScheduleResult:
    """Set the groups this patient attends from ``starts_on``: enrol in new ones, end the ones left out.

    Refused when a group clashes with the patient's other sessions, when a full group
    was not meant for the wait list, or when a whole week falls outside the program's
    hours band without a documented reason.
    """
    episode = Episode.objects.select_for_update(of=("self",)).select_related("program", "patient").get(pk=episode.pk)
    require_active_episode(episode)
    if starts_on < episode.admitted_on:
        raise ValidationError({"starts_on": "The schedule cannot start before admission."})
    wanted = {group.pk: group for group in groups}
    foreign = [group.name for group in groups if group.program_id != episode.program_id]
    if foreign:
        raise ValidationError({"groups": f"Not groups of {episode.program}: {', '.join(foreign)}."})
    current = list(
        Enrolment.objects.filter(episode=episode)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .select_related("group")
    )
    ended = []
    for enrolment in current:
        if enrolment.group_id in wanted:
            continue
        ended.append(enrolment.group)
        if enrolment.starts_on >= starts_on:
            enrolment.delete()  # never started: nothing happened under it
        else:
            enrolment.ends_on = starts_on - dt.timedelta(days=1)
            enrolment.save(update_fields=["ends_on", "updated_at"])
    already = {enrolment.group_id for enrolment in current}
    enrolled, waitlisted = [], []
    for group in groups:
        if group.pk in already:
            continue
        group = Group.objects.select_for_update(of=("self",)).select_related("room").get(pk=group.pk)
        status = EnrolmentStatus.ENROLLED
        if group_enrolled_count(group.pk, starts_on) >= group.capacity:
            if not waitlist_if_full:
                raise ValidationError(
                    {
                        "groups": f"{group.name} is full ({group.capacity} of {group.capacity}). "
                        "Tick “put on the wait list if full” to wait for a place."
                    }
                )
            status = EnrolmentStatus.WAITLISTED
        if status == EnrolmentStatus.ENROLLED:
            require_telehealth_consent(episode, group.room, starts_on)
            _refuse_group_clash(episode, group, starts_on)
        validated_save(Enrolment(episode=episode, group=group, status=status, starts_on=starts_on, enrolled_by=by))
        (enrolled if status == EnrolmentStatus.ENROLLED else waitlisted).append(group)
    enforce_band(episode=episode, mondays=weeks_to_check(starts_on), reason=reason, by=by)
    return ScheduleResult(enrolled=enrolled, waitlisted=waitlisted, ended=ended)


def _refuse_group_clash(episode: Episode, group: Group, starts_on: dt.date) -> None:
    mine = sessions_of_episode(episode).filter(
        status=SessionStatus.SCHEDULED, start__lt=OuterRef("end"), end__gt=OuterRef("start")
    )
    clash = (
        Session.objects.filter(group=group, status=SessionStatus.SCHEDULED, day__gte=starts_on)
        .alias(clashes=Exists(mine.exclude(group=group)))
        .filter(clashes=True)
        .first()
    )
    if clash:
        raise ValidationError(
            {
                "groups": (
                    f"{group.name} on {time_range_text(clash.start, clash.end)} "
                    "clashes with the patient's other sessions."
                )
            }
        )


@transaction.atomic
def enrolment_end(*, enrolment: Enrolment, ends_on: dt.date, by) -> Enrolment:
    if ends_on < enrolment.starts_on:
        enrolment.delete()
        return enrolment
    enrolment.ends_on = ends_on
    return validated_save(enrolment)


@transaction.atomic
def enrolment_promote(*, enrolment: Enrolment, starts_on: dt.date, by) -> Enrolment:
    """Move a wait-listed patient into the group when a place is free."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("group__room", "episode").get(pk=enrolment.pk)
    )
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        raise ValidationError("This patient is not on the wait list.")
    group = enrolment.group
    if group_enrolled_count(group.pk, starts_on) >= group.capacity:
        raise ValidationError(f"{group.name} is still full ({group.capacity} of {group.capacity}).")
    require_active_episode(enrolment.episode)
    require_telehealth_consent(enrolment.episode, group.room, starts_on)
    _refuse_group_clash(enrolment.episode, group, starts_on)
    enrolment.status = EnrolmentStatus.ENROLLED
    enrolment.starts_on = max(starts_on, enrolment.starts_on)
    enrolment.enrolled_by = by
    return validated_save(enrolment)
