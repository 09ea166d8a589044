"""Recurring groups: creating them, generating their occurrences, editing the series from a date."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..constants import (
    GENERATE_AHEAD_WEEKS,
    SessionStatus,
)
from ..models import (
    Attendance,
    ClinicClosure,
    CurriculumTopic,
    Group,
    Session,
)
from ..recurrence import clinic_zone, local_date, local_occurrences, to_utc
from .common import session_times_set, validated_save


def group_generate_occurrences(
    *, group: Group, weeks: int = GENERATE_AHEAD_WEEKS, since: dt.date | None = None, until: dt.date | None = None
) -> int:
    """Create the group's missing occurrences from ``since`` (default today) up to ``weeks`` ahead.

    Each occurrence is keyed by (group, original start): an occurrence that exists — even
    moved or cancelled — is never created again, and a day that already holds one of the
    group's occurrences is skipped, so a cancellation survives a series edit. Occurrences
    on clinic closures are created cancelled. Returns how many were created.
    """
    today = timezone.localdate()
    window_start = max(group.starts_on, since or today)
    window_end = until or today + dt.timedelta(weeks=weeks)
    if group.ends_on:
        window_end = min(window_end, group.ends_on)
    if not group.is_active or window_end < window_start:
        return 0
    existing = Session.objects.filter(group=group, day__gte=window_start - dt.timedelta(days=1))
    taken_starts = set(existing.values_list("original_start", flat=True))
    taken_days = {local_date(moment) for moment in taken_starts}
    closures = dict(
        ClinicClosure.objects.filter(date__gte=window_start, date__lte=window_end).values_list("date", "reason")
    )
    topics = list(group.topics.order_by("position"))
    zone = clinic_zone()
    room = group.room
    new_sessions = []
    for index, local_start in local_occurrences(
        group.rrule,
        starts_on=group.starts_on,
        start_time=group.start_time,
        window_start=window_start,
        window_end=window_end,
    ):
        start = to_utc(local_start, zone)
        if start in taken_starts or local_start.date() in taken_days:
            continue
        end = to_utc(local_start + dt.timedelta(minutes=group.duration_minutes), zone)
        session = Session(
            program_id=group.program_id,
            kind=group.kind,
            group=group,
            original_start=start,
            topic=topics[index % len(topics)] if topics else None,
            clinician_id=group.facilitator_id,
            co_facilitator_id=group.co_facilitator_id,
            room=room,
            join_url=room.join_url if room.is_virtual else "",
            break_minutes=group.break_minutes,
        )
        session_times_set(session, start, end)
        closure = closures.get(session.day)
        if closure:
            session.status = SessionStatus.CANCELLED
            session.cancel_reason = f"Clinic closed: {closure}"[:200]
        new_sessions.append(session)
    # ignore_conflicts: a concurrent run (task and admin action together) may have made some already.
    Session.objects.bulk_create(new_sessions, ignore_conflicts=True)
    return len(new_sessions)


def occurrences_generate_all(*, weeks: int = GENERATE_AHEAD_WEEKS) -> int:
    """Keep every active group generated ``weeks`` ahead (the periodic task and the admin action)."""
    created = 0
    for group in Group.objects.filter(is_active=True).select_related("room"):
        with transaction.atomic():
            created += group_generate_occurrences(group=group, weeks=weeks)
    return created


@transaction.atomic
def group_create(*, created_by, topics: Sequence[str] = (), **fields) -> Group:
    group = validated_save(Group(**fields))
    CurriculumTopic.objects.bulk_create(
        CurriculumTopic(group=group, position=position, title=title) for position, title in enumerate(topics, 1)
    )
    group_generate_occurrences(group=group)
    return group


SERIES_FIELDS = {
    "name",
    "rrule",
    "start_time",
    "duration_minutes",
    "break_minutes",
    "room",
    "facilitator",
    "co_facilitator",
    "capacity",
    "ends_on",
    "kind",
    "workshop_topic",
    "description",
    "is_active",
}


@transaction.atomic
def group_update_series(*, group: Group, effective_from: dt.date, changed_by, **changes) -> Group:
    """Change the series from ``effective_from`` on; earlier occurrences stay exactly as they were.

    Future occurrences nobody has touched are regenerated from the new rule; moved or
    cancelled ones are exceptions the staff made on purpose, so they are kept.
    """
    unknown = set(changes) - SERIES_FIELDS
    if unknown:
        raise ValidationError(f"These cannot change on a series: {', '.join(sorted(unknown))}.")
    today = timezone.localdate()
    if effective_from < today:
        raise ValidationError(
            {"effective_from": "Series changes apply from today on; past sessions stay as they were."}
        )
    group = Group.objects.select_for_update().get(pk=group.pk)
    for name, value in changes.items():
        setattr(group, name, value)
    validated_save(group)
    untouched = Session.objects.filter(
        group=group,
        day__gte=effective_from,
        start__gt=timezone.now(),
        status=SessionStatus.SCHEDULED,
        is_moved=False,
    ).exclude(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
    untouched._raw_delete(untouched.db)  # plain rows, no history of their own worth keeping
    group_generate_occurrences(group=group, since=effective_from)
    return group
