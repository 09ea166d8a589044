"""Program factories: adult and adolescent IOP tracks."""

from decimal import Decimal

import factory

from programs.constants import LevelOfCare, Population
from programs.models import Program


class ProgramFactory(factory.django.DjangoModelFactory):
    """An adult IOP track with the default ASAM 2.1 band of 9–20 hours a week."""

    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Adult IOP track {n}")
    code = factory.Sequence(lambda n: f"adult-iop-{n}")
    population = Population.ADULT
    level_of_care = LevelOfCare.IOP
    description = "Synthetic program for tests."
    min_weekly_hours = Decimal("9")
    max_weekly_hours = Decimal("20")
    typical_length_weeks = 12
    # No attended-days minimum for a "completed" discharge: tests of that rule set it themselves.
    completion_min_attended_days = 0


class AdolescentProgramFactory(ProgramFactory):
    """An adolescent IOP track: its band is left to the default for its level and age group (6–20)."""

    name = factory.Sequence(lambda n: f"Adolescent IOP track {n}")
    code = factory.Sequence(lambda n: f"adolescent-iop-{n}")
    population = Population.ADOLESCENT
    min_weekly_hours = None
    max_weekly_hours = None
