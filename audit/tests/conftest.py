import pytest

from accounts.tests.factories import AdminFactory, CounselorFactory, DirectorFactory
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory
from programs.tests.factories import ProgramFactory


@pytest.fixture
def program(db):
    return ProgramFactory(name="Adult IOP — evenings", code="adult-evenings")


@pytest.fixture
def counselor(db, program):
    return CounselorFactory(programs=[program])


@pytest.fixture
def director(db, program):
    return DirectorFactory(programs=[program])


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def patient(counselor, program):
    """An admitted patient on the counselor's care team, in the director's program."""
    episode = EpisodeFactory(program=program, primary_clinician=counselor)
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    return episode.patient
