import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, SupervisorFactory
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from programs.tests.factories import ProgramFactory
from scheduling.tests.factories import SessionFactory, session_times


@pytest.fixture
def program(db):
    return ProgramFactory(name="Adult IOP — evenings", code="adult-evenings")


@pytest.fixture
def supervisor(db, program):
    return SupervisorFactory(programs=[program])


@pytest.fixture
def counselor(db, program, supervisor):
    return CounselorFactory(programs=[program], supervisor=supervisor)


@pytest.fixture
def trainee(db, program, supervisor):
    return CounselorFactory(programs=[program], supervisor=supervisor, in_training=True)


@pytest.fixture
def other_counselor(db):
    """A clinician of another program and care team."""
    return CounselorFactory(programs=[ProgramFactory()])


@pytest.fixture
def episode(counselor, program):
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    return episode


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


@pytest.fixture
def individual_session(episode):
    """An individual session that ended three hours ago."""
    return SessionFactory(episode=episode, clinician=episode.primary_clinician, **session_times(hours_ago(4), 60))
