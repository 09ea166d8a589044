import pytest

from accounts.tests.factories import (
    AdminFactory,
    CounselorFactory,
    DirectorFactory,
    IntakeCoordinatorFactory,
)
from patients.tests.instrument_answers import DEFAULT_CIWA_BANDS
from programs.tests.factories import ProgramFactory


@pytest.fixture
def program(db):
    return ProgramFactory(name="Adult IOP — evenings", code="adult-evenings")


@pytest.fixture
def intake_worker(db):
    return IntakeCoordinatorFactory()


@pytest.fixture
def counselor(db, program):
    return CounselorFactory(programs=[program])


@pytest.fixture
def other_counselor(db):
    return CounselorFactory()


@pytest.fixture
def director(db, program):
    return DirectorFactory(programs=[program])


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture(autouse=True)
def _default_ciwa_bands(settings):
    """The tests read CIWA-Ar bands from the setting; pin them so a local override cannot leak in."""
    settings.CIWA_AR_BANDS = DEFAULT_CIWA_BANDS
