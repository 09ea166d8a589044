from decimal import Decimal

from django.db import models


class Population(models.TextChoices):
    ADULT = "adult", "Adults"
    ADOLESCENT = "adolescent", "Adolescents"


# ASAM level 2.1 (SAMHSA TIP 47): adults at least 9 hours a week, adolescents at
# least 6; 20 hours or more is partial hospitalisation (ASAM 2.5).
DEFAULT_WEEKLY_HOURS_BAND = {
    Population.ADULT: (Decimal("9"), Decimal("20")),
    Population.ADOLESCENT: (Decimal("6"), Decimal("20")),
}


class Weekday(models.TextChoices):
    """RFC 5545 weekday codes, the same ones an RRULE's BYDAY uses."""

    MO = "MO", "Monday"
    TU = "TU", "Tuesday"
    WE = "WE", "Wednesday"
    TH = "TH", "Thursday"
    FR = "FR", "Friday"
    SA = "SA", "Saturday"
    SU = "SU", "Sunday"


WEEKDAY_CODES = list(Weekday.values)  # index = date.weekday()
