"""Program tracks: the weekly hours band and meeting days, checked by the database and the admin."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.tests.factories import AdminFactory
from programs.constants import DEFAULT_WEEKLY_HOURS_BAND, Population
from programs.validators import validate_meeting_days

from .factories import AdolescentProgramFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_default_bands_follow_asam_2_1():
    assert DEFAULT_WEEKLY_HOURS_BAND[Population.ADULT] == (Decimal("9"), Decimal("20"))
    assert DEFAULT_WEEKLY_HOURS_BAND[Population.ADOLESCENT] == (Decimal("6"), Decimal("20"))
    assert AdolescentProgramFactory().weekly_hours_band == (Decimal("6"), Decimal("20"))


@pytest.mark.parametrize("days", ["MO,TU,TH", "mo, we ,fr", "SU"])
def test_meeting_days_accept_rfc_5545_codes(days):
    validate_meeting_days(days)


@pytest.mark.parametrize(("days", "message"), [("MO,XX", "not XX"), ("MO,MO", "each meeting day once")])
def test_meeting_days_refuse_unknown_or_repeated_codes(days, message):
    with pytest.raises(ValidationError, match=message):
        validate_meeting_days(days)


def test_the_database_refuses_a_band_whose_minimum_exceeds_its_maximum():
    with pytest.raises(IntegrityError, match="programs_program_band_ordered"), transaction.atomic():
        ProgramFactory(min_weekly_hours=Decimal("12"), max_weekly_hours=Decimal("11.5"))
    # Equal ends are a band of one value, not an error.
    assert ProgramFactory(min_weekly_hours=Decimal("12"), max_weekly_hours=Decimal("12")).pk


def test_programs_are_administered_in_the_admin(login):
    admin_user = AdminFactory(is_superuser=True)
    program = ProgramFactory()
    client = login(admin_user)
    assert client.get(reverse("admin:programs_program_changelist")).status_code == 200
    assert client.get(reverse("admin:programs_program_change", args=[program.pk])).status_code == 200
