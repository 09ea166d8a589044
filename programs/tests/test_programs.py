"""Program tracks: the weekly hours band and meeting days, checked by the database and the admin."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.tests.factories import AdminFactory
from programs.constants import DEFAULT_WEEKLY_HOURS_BAND, Population
from programs.models import Program
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


def test_the_database_refuses_a_band_whose_minimum_is_not_under_its_maximum():
    with pytest.raises(IntegrityError, match="programs_program_band_ordered"), transaction.atomic():
        ProgramFactory(min_weekly_hours=Decimal("12"), max_weekly_hours=Decimal("11.5"))
    # Half-open (min <= hours < max): equal ends would admit no week at all.
    with pytest.raises(IntegrityError, match="programs_program_band_ordered"), transaction.atomic():
        ProgramFactory(min_weekly_hours=Decimal("12"), max_weekly_hours=Decimal("12"))
    assert ProgramFactory(min_weekly_hours=Decimal("12"), max_weekly_hours=Decimal("12.1")).pk


def program(**fields) -> Program:
    """An unsaved program, checked as the admin checks it."""
    return Program(name="Track", code="track", **fields)


def errors_of(candidate: Program) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        candidate.full_clean()
    return refused.value.message_dict


class TestBandFitsLevel:
    """ASAM 2.1: adults 9 <= hours < 20, adolescents from 6; 2.5 from 20; level 1 under 9 (6)."""

    def test_a_2_1_program_with_a_2_to_40_band_is_refused_on_both_ends(self):
        errors = errors_of(program(level_of_care="2.1", min_weekly_hours=Decimal("2"), max_weekly_hours=Decimal("40")))
        assert "needs a minimum of at least 9 hours a week" in errors["min_weekly_hours"][0]
        assert (
            "stays under 20 hours a week (20 or more is level 2.5 Partial hospitalization)"
            in (errors["max_weekly_hours"][0])
        )

    def test_the_database_refuses_it_too(self):
        with pytest.raises(IntegrityError, match="programs_program_band_fits_level"), transaction.atomic():
            ProgramFactory(min_weekly_hours=Decimal("2"), max_weekly_hours=Decimal("40"))

    @pytest.mark.parametrize(
        ("population", "field", "refused", "accepted"),
        [
            (Population.ADULT, "min_weekly_hours", "8.9", "9"),
            (Population.ADOLESCENT, "min_weekly_hours", "5.9", "6"),
            (Population.ADULT, "max_weekly_hours", "20.1", "20"),
            (Population.ADOLESCENT, "max_weekly_hours", "20.1", "20"),
        ],
    )
    def test_2_1_limits_for_each_age_group(self, population, field, refused, accepted):
        band = {"min_weekly_hours": DEFAULT_WEEKLY_HOURS_BAND[population][0], "max_weekly_hours": Decimal("20")}
        assert field in errors_of(program(population=population, **{**band, field: Decimal(refused)}))
        program(population=population, **{**band, field: Decimal(accepted)}).full_clean(validate_unique=False)

    @pytest.mark.parametrize(("low", "ok"), [("19.9", False), ("20", True)])
    def test_a_2_5_program_starts_at_20(self, low, ok):
        candidate = program(level_of_care="2.5", min_weekly_hours=Decimal(low), max_weekly_hours=Decimal("30"))
        if ok:
            candidate.full_clean(validate_unique=False)
        else:
            assert "at least 20 hours" in errors_of(candidate)["min_weekly_hours"][0]

    @pytest.mark.parametrize(
        ("population", "high", "ok"),
        [(Population.ADULT, "9", True), (Population.ADULT, "9.1", False), (Population.ADOLESCENT, "6.1", False)],
    )
    def test_a_level_1_program_stays_under_the_iop_minimum(self, population, high, ok):
        candidate = program(
            level_of_care="1.0", population=population, min_weekly_hours=Decimal("1"), max_weekly_hours=Decimal(high)
        )
        if ok:
            candidate.full_clean(validate_unique=False)
        else:
            assert "or more is level 2.1 Intensive outpatient" in errors_of(candidate)["max_weekly_hours"][0]

    def test_a_residential_level_is_not_a_program_level(self):
        assert "level_of_care" in errors_of(program(level_of_care="3.5", min_weekly_hours=9, max_weekly_hours=20))

    def test_a_new_adolescent_program_defaults_to_6_and_an_adult_one_to_9(self):
        teens = Program.objects.create(name="Teens", code="teens", population=Population.ADOLESCENT)
        adults = Program.objects.create(name="Adults", code="adults")
        php = Program.objects.create(name="Day", code="day", level_of_care="2.5")
        assert teens.weekly_hours_band == (Decimal("6"), Decimal("20"))
        assert adults.weekly_hours_band == (Decimal("9"), Decimal("20"))
        assert php.weekly_hours_band == (Decimal("20"), Decimal("40"))
        assert AdolescentProgramFactory().weekly_hours_band == (Decimal("6"), Decimal("20"))

    def test_the_admin_fills_an_empty_band_from_the_level_and_age_group(self, login):
        client = login(AdminFactory(is_superuser=True))
        data = {
            "name": "Adolescent IOP — after school",
            "code": "teen-after-school",
            "population": Population.ADOLESCENT,
            "level_of_care": "2.1",
            "min_weekly_hours": "",
            "max_weekly_hours": "",
            "typical_length_weeks": "10",
            "plan_review_days": "30",
            "note_signing_limit_hours": "24",
            "completion_min_attended_days": "10",
            "meeting_days": "MO,WE",
            "day_starts_at": "15:30",
            "day_ends_at": "18:30",
            "is_active": "on",
        }
        response = client.post(reverse("admin:programs_program_add"), data)
        assert response.status_code == 302
        assert Program.objects.get(code="teen-after-school").weekly_hours_band == (Decimal("6"), Decimal("20"))
        refused = client.post(
            reverse("admin:programs_program_add"),
            {**data, "code": "wide", "name": "Wide", "min_weekly_hours": "2", "max_weekly_hours": "40"},
        )
        assert refused.status_code == 200
        form = refused.context["adminform"].form
        assert "at least 6 hours" in form.errors["min_weekly_hours"][0]
        assert "under 20 hours" in form.errors["max_weekly_hours"][0]
        assert not Program.objects.filter(code="wide").exists()

    def test_an_episode_at_another_level_is_held_to_that_level(self):
        adults = ProgramFactory()
        assert adults.weekly_hours_band_for("2.1") == (Decimal("9"), Decimal("20"))
        assert adults.weekly_hours_band_for("2.5") == (Decimal("20"), Decimal("40"))
        assert adults.weekly_hours_band_for("1.0") == (Decimal("0"), Decimal("9"))
        assert adults.weekly_hours_band_for("3.5") == (Decimal("9"), Decimal("20"))  # residential: no weekly band


def test_programs_are_administered_in_the_admin(login):
    admin_user = AdminFactory(is_superuser=True)
    program = ProgramFactory()
    client = login(admin_user)
    assert client.get(reverse("admin:programs_program_changelist")).status_code == 200
    assert client.get(reverse("admin:programs_program_change", args=[program.pk])).status_code == 200
