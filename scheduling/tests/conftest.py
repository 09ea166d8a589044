import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import AdminFactory, CounselorFactory, DirectorFactory
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from programs.tests.factories import ProgramFactory
from scheduling.recurrence import week_start
from scheduling.tests.factories import GroupFactory, RoomFactory


@pytest.fixture
def program(db):
    return ProgramFactory(name="Adult IOP — evenings", code="adult-evenings")


@pytest.fixture
def counselor(db, program):
    return CounselorFactory(programs=[program])


@pytest.fixture
def other_counselor(db):
    """A clinician of another team: no program, no patients in common."""
    return CounselorFactory()


@pytest.fixture
def director(db, program):
    return DirectorFactory(programs=[program])


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def room(db):
    return RoomFactory(name="Group room A")


@pytest.fixture
def this_monday():
    return week_start(timezone.localdate())


@pytest.fixture
def group(program, counselor, room, this_monday):
    """Mon/Wed/Thu 18:00–21:00 (9 hours a week) from last week's Monday."""
    from scheduling.services import group_generate_occurrences

    group = GroupFactory(
        name="Early recovery skills",
        program=program,
        facilitator=counselor,
        room=room,
        starts_on=this_monday - dt.timedelta(weeks=1),
    )
    group_generate_occurrences(group=group, since=group.starts_on)
    return group


@pytest.fixture
def episode(program, counselor, this_monday):
    episode = EpisodeFactory(
        program=program, primary_clinician=counselor, admitted_on=this_monday - dt.timedelta(weeks=2)
    )
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    return episode
