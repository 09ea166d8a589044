"""Scheduling factories."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import CounselorFactory
from programs.tests.factories import ProgramFactory
from scheduling.constants import AttendanceStatus, EnrolmentStatus, SessionKind
from scheduling.models import Attendance, CurriculumTopic, Enrolment, Group, Room, Session
from scheduling.recurrence import week_start


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")
    location = "Main building"
    capacity = 14


class VirtualRoomFactory(RoomFactory):
    name = factory.Sequence(lambda n: f"Telehealth room {n}")
    is_virtual = True
    join_url = factory.Sequence(lambda n: f"https://video.example.org/room-{n}")


class GroupFactory(factory.django.DjangoModelFactory):
    """Mon/Wed/Thu 18:00–21:00 from the Monday of last week; occurrences come from ``group_generate_occurrences``."""

    class Meta:
        model = Group
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Relapse prevention {n}")
    program = factory.SubFactory(ProgramFactory)
    kind = SessionKind.GROUP_THERAPY
    facilitator = factory.SubFactory(CounselorFactory)
    room = factory.SubFactory(RoomFactory)
    capacity = 12
    rrule = "FREQ=WEEKLY;BYDAY=MO,WE,TH"
    starts_on = factory.LazyFunction(lambda: week_start(timezone.localdate()) - dt.timedelta(weeks=1))
    start_time = dt.time(18, 0)
    duration_minutes = 180


class CurriculumTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CurriculumTopic

    group = factory.SubFactory(GroupFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Topic {n}")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    episode = factory.SubFactory("patients.tests.factories.EpisodeFactory")
    group = factory.SubFactory(GroupFactory)
    status = EnrolmentStatus.ENROLLED
    starts_on = factory.LazyAttribute(lambda e: e.group.starts_on)
    enrolled_by = factory.SelfAttribute("group.facilitator")


def session_times(start: dt.datetime, minutes: int) -> dict:
    """The derived fields a Session keeps beside its UTC start and end."""
    day = timezone.localdate(start)
    return {
        "start": start,
        "end": start + dt.timedelta(minutes=minutes),
        "duration_minutes": minutes,
        "day": day,
        "week_start": week_start(day),
    }


class SessionFactory(factory.django.DjangoModelFactory):
    """An individual session booked for an episode, yesterday at 10:00 clinic time, 60 minutes."""

    class Meta:
        model = Session
        skip_postgeneration_save = True

    class Params:
        local_start = factory.LazyFunction(
            lambda: timezone.make_aware(
                dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time(10, 0))
            )
        )
        minutes = 60

    episode = factory.SubFactory("patients.tests.factories.EpisodeFactory")
    patient = factory.SelfAttribute("episode.patient")
    program = factory.SelfAttribute("episode.program")
    kind = SessionKind.INDIVIDUAL
    clinician = factory.SelfAttribute("episode.primary_clinician")
    room = factory.SubFactory(RoomFactory)
    start = factory.LazyAttribute(lambda s: s.local_start)
    end = factory.LazyAttribute(lambda s: s.local_start + dt.timedelta(minutes=s.minutes))
    duration_minutes = factory.SelfAttribute("minutes")
    day = factory.LazyAttribute(lambda s: timezone.localdate(s.local_start))
    week_start = factory.LazyAttribute(lambda s: week_start(timezone.localdate(s.local_start)))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    episode = factory.SelfAttribute("session.episode")
    patient = factory.SelfAttribute("episode.patient")
    status = AttendanceStatus.PRESENT
    minutes_attended = factory.SelfAttribute("session.duration_minutes")
    recorded_by = factory.SelfAttribute("session.clinician")
    recorded_at = factory.LazyFunction(timezone.now)
