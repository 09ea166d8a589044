"""Choices and numbers for discharge, the aftercare plan and alumni follow-up."""

from django.db import models

from patients.constants import LevelOfCare


class DischargeType(models.TextChoices):
    COMPLETED = "completed", "Completed the program"
    STEP_DOWN = "step_down", "Step-down to outpatient (OP)"
    STEP_UP = "step_up", "Step-up to PHP / residential"
    TRANSFERRED = "transferred", "Transferred to another provider"
    AGAINST_ADVICE = "against_advice", "Left against clinical advice"
    ADMINISTRATIVE = "administrative", "Administrative discharge"
    INCARCERATED = "incarcerated", "Incarcerated"
    DECEASED = "deceased", "Deceased"


# The level a step-down or step-up discharge sends the patient to (ASAM Criteria levels).
# Both editions: the 4th (2023) adds 1.5 and 1.7 below IOP and 2.7 above it.
STEP_DOWN_LEVELS = frozenset({LevelOfCare.OP, LevelOfCare.OP_THERAPY, LevelOfCare.OP_MEDICAL})
STEP_UP_LEVELS = frozenset(
    {
        LevelOfCare.PHP,
        LevelOfCare.IOP_MEDICAL,
        LevelOfCare.RES_LOW,
        LevelOfCare.RES_HIGH,
        LevelOfCare.RES_MEDICAL,
        LevelOfCare.INPATIENT,
    }
)
# Discharges that hand the patient on to another provider, who is then named.
HANDED_ON_TYPES = frozenset({DischargeType.STEP_DOWN, DischargeType.STEP_UP, DischargeType.TRANSFERRED})
# No alumni follow-up (no staff task, no message) after these.
NO_FOLLOW_UP_TYPES = frozenset({DischargeType.DECEASED})

# Printed on every aftercare plan: national lines that answer around the clock.
CRISIS_LINES = (
    ("988 Suicide & Crisis Lifeline", "Call or text 988", "https://988lifeline.org"),
    (
        "SAMHSA National Helpline",
        "1-800-662-4357 (free, confidential, 24/7)",
        "https://www.samhsa.gov/find-help/helplines/national-helpline",
    ),
    ("Emergency", "Call 911 or go to the nearest emergency department", ""),
)

# The alumni check-in list shows check-ins due within this many days as "coming up".
CHECKIN_UPCOMING_DAYS = 7
