"""Choices and clinical reference data for drug testing, random draws and measurement-based care."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

# --- Drug testing ----------------------------------------------------------------------------


class AnalyteUnit(models.TextChoices):
    NG_ML = "ng/mL", "ng/mL"
    BRAC = "g/210L", "g/210 L (breath alcohol concentration)"
    MG_DL = "mg/dL", "mg/dL"


@dataclass(frozen=True)
class StandardAnalyte:
    code: str
    name: str
    cutoff: Decimal
    unit: str = AnalyteUnit.NG_ML


BREATH_ALCOHOL = "breath_alcohol"

# Seeded by migration; admins edit cutoffs per analyte and per panel. Cutoffs are the
# common point-of-care cup/lab screening cutoffs (SAMHSA Mandatory Guidelines 2017 where
# they exist: opiates 2000, cocaine 150-300, amphetamines 500-1000, THC 50, PCP 25).
# Breath alcohol has cutoff 0: any alcohol above zero is flagged.
STANDARD_ANALYTES: tuple[StandardAnalyte, ...] = (
    StandardAnalyte("amphetamines", "Amphetamines", Decimal("1000")),
    StandardAnalyte("methamphetamine", "Methamphetamine", Decimal("1000")),
    StandardAnalyte("mdma", "MDMA (ecstasy)", Decimal("500")),
    StandardAnalyte("cocaine", "Cocaine (benzoylecgonine)", Decimal("300")),
    StandardAnalyte("opiates", "Opiates (morphine, codeine)", Decimal("2000")),
    StandardAnalyte("oxycodone", "Oxycodone", Decimal("100")),
    StandardAnalyte("fentanyl", "Fentanyl (norfentanyl)", Decimal("1")),
    StandardAnalyte("buprenorphine", "Buprenorphine", Decimal("10")),
    StandardAnalyte("methadone", "Methadone (EDDP)", Decimal("300")),
    StandardAnalyte("benzodiazepines", "Benzodiazepines", Decimal("300")),
    StandardAnalyte("barbiturates", "Barbiturates", Decimal("300")),
    StandardAnalyte("thc", "THC (cannabinoids)", Decimal("50")),
    StandardAnalyte("pcp", "PCP (phencyclidine)", Decimal("25")),
    StandardAnalyte("etg", "Alcohol (ethyl glucuronide, EtG)", Decimal("500")),
    StandardAnalyte(BREATH_ALCOHOL, "Breath alcohol", Decimal("0"), AnalyteUnit.BRAC),
)


class TestReason(models.TextChoices):
    RANDOM = "random", "Random"
    SCHEDULED = "scheduled", "Scheduled"
    FOR_CAUSE = "for_cause", "For cause"
    ADMISSION = "admission", "Admission"


class Specimen(models.TextChoices):
    URINE = "urine", "Urine"
    ORAL_FLUID = "oral_fluid", "Oral fluid"
    BREATH = "breath", "Breath"
    BLOOD = "blood", "Blood"


class TestingMethod(models.TextChoices):
    POINT_OF_CARE = "poc", "Point of care"
    LAB = "lab", "Laboratory"


class SpecimenValidity(models.TextChoices):
    NORMAL = "normal", "Normal"
    DILUTE = "dilute", "Dilute"
    SUBSTITUTED = "substituted", "Substituted"
    ADULTERATED = "adulterated", "Adulterated"
    INVALID = "invalid", "Invalid"


class DrugTestStatus(models.TextChoices):
    ORDERED = "ordered", "Ordered"
    COLLECTED = "collected", "Collected"
    SENT = "sent", "Sent to lab"
    RESULTED = "resulted", "Resulted"
    NOT_COLLECTED = "not_collected", "Not collected"


# ordered → collected → sent → resulted. A point-of-care test is read on site
# (collected → resulted); a presumptive result may go to the lab for LC-MS/MS
# confirmation (resulted → sent → resulted). An order the patient missed is closed
# as not collected, with the reason.
DRUG_TEST_TRANSITIONS: dict[str, frozenset[str]] = {
    DrugTestStatus.ORDERED: frozenset({DrugTestStatus.COLLECTED, DrugTestStatus.NOT_COLLECTED}),
    DrugTestStatus.COLLECTED: frozenset({DrugTestStatus.SENT, DrugTestStatus.RESULTED}),
    DrugTestStatus.SENT: frozenset({DrugTestStatus.RESULTED}),
    DrugTestStatus.RESULTED: frozenset({DrugTestStatus.SENT}),
    DrugTestStatus.NOT_COLLECTED: frozenset(),
}
COLLECTED_STATUSES = (DrugTestStatus.COLLECTED, DrugTestStatus.SENT, DrugTestStatus.RESULTED)
PENDING_RESULT_STATUSES = (DrugTestStatus.COLLECTED, DrugTestStatus.SENT)


class ResultMethod(models.TextChoices):
    PRESUMPTIVE = "presumptive", "Presumptive (immunoassay)"
    DEFINITIVE = "definitive", "Definitive (LC-MS/MS)"


class AnalyteOutcome(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    INVALID = "invalid", "Invalid"


class FindingKind(models.TextChoices):
    EXPECTED_POSITIVE = "expected_positive", "Expected (prescribed)"
    EXPECTED_ABSENT = "expected_absent", "Prescribed but absent: possible non-adherence or diversion"
    UNEXPECTED_POSITIVE = "unexpected_positive", "Unexpected positive"
    ALCOHOL_DETECTED = "alcohol_detected", "Breath alcohol above zero"
    INVALID_RESULT = "invalid_result", "Invalid result: retest"
    SPECIMEN_NOT_VALID = "specimen_not_valid", "Specimen not valid"
    TEMPERATURE_OUT_OF_RANGE = "temperature", "Temperature out of range"
    NOT_RELIABLY_DETECTED = "not_reliably_detected", "Not reliably detected by this screen: confirm"
    NEGATIVE = "negative", "Negative"
    NOT_TESTED = "not_tested", "Prescribed analyte not on this panel"


FLAGGED_FINDINGS = frozenset(
    {
        FindingKind.EXPECTED_ABSENT,
        FindingKind.UNEXPECTED_POSITIVE,
        FindingKind.ALCOHOL_DETECTED,
        FindingKind.INVALID_RESULT,
        FindingKind.SPECIMEN_NOT_VALID,
        FindingKind.TEMPERATURE_OUT_OF_RANGE,
    }
)

# Immunoassay screens that detect some prescribed drugs poorly: a negative screen is no evidence
# that the drug is absent, so it asks for definitive testing, never suggests diversion. Matched
# against the medication's name (catalogue or typed). Sources: ASAM Appropriate Use of Drug
# Testing (2017), cross-reactivity of benzodiazepine and opiate immunoassays; SAMHSA TIP 63
# (extended-release buprenorphine leaves little parent drug in urine for some assays).
POORLY_DETECTED_BY_SCREEN: dict[str, tuple[str, ...]] = {
    "benzodiazepines": ("clonazepam", "lorazepam", "klonopin", "ativan"),
    "opiates": ("hydrocodone", "oxycodone", "hydromorphone", "oxymorphone", "vicodin", "percocet"),
    "buprenorphine": ("extended-release injection", "sublocade", "brixadi"),
}


# --- Random testing --------------------------------------------------------------------------


class DrawReason(models.TextChoices):
    """Why a patient was drawn; recorded per patient on the day's RandomDraw (testing/services/random_draws.py)."""

    RANDOM = "random", "Random draw"
    # Drawn on a random day of the last few testing days before the longest gap (issue 11).
    GAP_WINDOW = "gap_window", "Gap window (random day before the longest gap)"
    # The last testing day that keeps the gap within the limit, or a patient already past it:
    # drawn whatever the number, the one day a patient who counts could foresee.
    GAP = "gap", "Longest gap reached"


# The gap window is the last ⌈S / 3⌉ testing days before the longest gap, S being the testing
# days a stretch of the longest gap holds (⌊g · d / 7⌋): long enough that the day inside it
# cannot be guessed, short enough that forced tests stay near the limit (a window of half the
# gap added 18 % more tests, a third 13 %, in simulation). Never fewer than 3 days: one in W of
# the forced tests falls on the window's certain last day, so with 2 it would be half of them.
GAP_WINDOW_SHARE_DIVISOR = 3
GAP_WINDOW_MIN_TESTING_DAYS = 3


class DrawRecheck(models.TextChoices):
    """What re-computing a recorded draw from its own numbers found (the auditor's page)."""

    GAP_WINDOW_RULE = "gap_window_rule", "Agrees with the gap-window rule"
    # Draws made before issue 11 forced every patient on the last testing day before the longest gap.
    FIXED_DAY_RULE = "fixed_day_rule", "Agrees with the earlier fixed-day rule"
    DISAGREES = "disagrees", "Disagrees with its own numbers"


# Uniform numbers are rounded before they are compared, and stored rounded: the record then
# reproduces every choice exactly.
RANDOM_VALUE_DECIMALS = 9


# Recorded on every draw so an auditor knows what produced the numbers.
RNG_SOURCE = "secrets.SystemRandom (operating-system CSPRNG, os.urandom)"


# --- Measurement-based care ------------------------------------------------------------------


class DueStatus(models.TextChoices):
    NOT_DUE = "not_due", "Not due"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"


# An instrument is "due" from its due date for this many days, then "overdue": a
# weekly BAM given a day late is still on time for the work list, a week late is not.
MEASUREMENT_GRACE_DAYS = 3
