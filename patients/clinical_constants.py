"""Choices and clinical reference data for medications, drug testing, random testing and measurement.

Kept apart from ``patients/constants.py`` (the registry and intake choices) so the
medication and drug-testing sub-domain reads as one unit.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models

# --- Medications -----------------------------------------------------------------------------


class MedicationCategory(models.TextChoices):
    MOUD = "moud", "Opioid use disorder (MOUD)"
    AUD = "aud", "Alcohol use disorder"
    PSYCHIATRIC = "psychiatric", "Psychiatric"
    OTHER = "other", "Other"


class MedicationRoute(models.TextChoices):
    ORAL = "oral", "Oral"
    SUBLINGUAL = "sublingual", "Sublingual"
    BUCCAL = "buccal", "Buccal film"
    IM_INJECTION = "im", "Intramuscular injection"
    SC_INJECTION = "sc", "Subcutaneous injection"
    TRANSDERMAL = "transdermal", "Transdermal patch"
    OTHER = "other", "Other"


class MedicationSource(models.TextChoices):
    """Who prescribes: our prescriber, or someone outside whose prescription we record."""

    OURS = "ours", "Our prescriber"
    OUTSIDE = "outside", "Outside prescriber"
    OTP = "otp", "Opioid treatment program (OTP)"


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    category: str
    route: str
    # Analyte codes a urine drug screen shows while the patient takes it as prescribed.
    expected_analytes: tuple[str, ...] = ()


class CatalogueMedication(models.TextChoices):
    """Common medications offered in the form; anything else is entered by name."""

    BUPRENORPHINE = "buprenorphine", "Buprenorphine (sublingual)"
    BUPRENORPHINE_NALOXONE = "buprenorphine_naloxone", "Buprenorphine-naloxone"
    BUPRENORPHINE_XR = "buprenorphine_xr", "Buprenorphine extended-release injection"
    METHADONE = "methadone", "Methadone"
    NALTREXONE_ORAL = "naltrexone_oral", "Naltrexone (oral)"
    NALTREXONE_XR = "naltrexone_xr", "Naltrexone extended-release injection"
    ACAMPROSATE = "acamprosate", "Acamprosate"
    DISULFIRAM = "disulfiram", "Disulfiram"
    SERTRALINE = "sertraline", "Sertraline"
    FLUOXETINE = "fluoxetine", "Fluoxetine"
    ESCITALOPRAM = "escitalopram", "Escitalopram"
    BUPROPION = "bupropion", "Bupropion"
    MIRTAZAPINE = "mirtazapine", "Mirtazapine"
    TRAZODONE = "trazodone", "Trazodone"
    QUETIAPINE = "quetiapine", "Quetiapine"
    ARIPIPRAZOLE = "aripiprazole", "Aripiprazole"
    LAMOTRIGINE = "lamotrigine", "Lamotrigine"
    GABAPENTIN = "gabapentin", "Gabapentin"
    HYDROXYZINE = "hydroxyzine", "Hydroxyzine"
    PRAZOSIN = "prazosin", "Prazosin"
    CLONIDINE = "clonidine", "Clonidine"
    LORAZEPAM = "lorazepam", "Lorazepam"
    CLONAZEPAM = "clonazepam", "Clonazepam"
    ALPRAZOLAM = "alprazolam", "Alprazolam"
    DIAZEPAM = "diazepam", "Diazepam"
    AMPHETAMINE_SALTS = "amphetamine_salts", "Mixed amphetamine salts"
    LISDEXAMFETAMINE = "lisdexamfetamine", "Lisdexamfetamine"
    METHYLPHENIDATE = "methylphenidate", "Methylphenidate"
    OXYCODONE = "oxycodone", "Oxycodone"
    HYDROCODONE = "hydrocodone", "Hydrocodone"
    PHENOBARBITAL = "phenobarbital", "Phenobarbital"
    DRONABINOL = "dronabinol", "Dronabinol"


M, A, P, OT = (
    MedicationCategory.MOUD,
    MedicationCategory.AUD,
    MedicationCategory.PSYCHIATRIC,
    MedicationCategory.OTHER,
)
R = MedicationRoute
C = CatalogueMedication

# Expected analytes follow the usual immunoassay cross-reactivity: buprenorphine and
# methadone have their own assays (methadone read as its metabolite EDDP); naltrexone,
# acamprosate and disulfiram produce nothing a drug screen reports; prescribed
# benzodiazepines, stimulants, barbiturates and opioid analgesics show in their classes.
MEDICATION_CATALOGUE: dict[str, CatalogueEntry] = {
    C.BUPRENORPHINE: CatalogueEntry(C.BUPRENORPHINE.label, M, R.SUBLINGUAL, ("buprenorphine",)),
    C.BUPRENORPHINE_NALOXONE: CatalogueEntry(C.BUPRENORPHINE_NALOXONE.label, M, R.SUBLINGUAL, ("buprenorphine",)),
    C.BUPRENORPHINE_XR: CatalogueEntry(C.BUPRENORPHINE_XR.label, M, R.SC_INJECTION, ("buprenorphine",)),
    C.METHADONE: CatalogueEntry(C.METHADONE.label, M, R.ORAL, ("methadone",)),
    C.NALTREXONE_ORAL: CatalogueEntry(C.NALTREXONE_ORAL.label, M, R.ORAL),
    C.NALTREXONE_XR: CatalogueEntry(C.NALTREXONE_XR.label, M, R.IM_INJECTION),
    C.ACAMPROSATE: CatalogueEntry(C.ACAMPROSATE.label, A, R.ORAL),
    C.DISULFIRAM: CatalogueEntry(C.DISULFIRAM.label, A, R.ORAL),
    C.SERTRALINE: CatalogueEntry(C.SERTRALINE.label, P, R.ORAL),
    C.FLUOXETINE: CatalogueEntry(C.FLUOXETINE.label, P, R.ORAL),
    C.ESCITALOPRAM: CatalogueEntry(C.ESCITALOPRAM.label, P, R.ORAL),
    C.BUPROPION: CatalogueEntry(C.BUPROPION.label, P, R.ORAL),
    C.MIRTAZAPINE: CatalogueEntry(C.MIRTAZAPINE.label, P, R.ORAL),
    C.TRAZODONE: CatalogueEntry(C.TRAZODONE.label, P, R.ORAL),
    C.QUETIAPINE: CatalogueEntry(C.QUETIAPINE.label, P, R.ORAL),
    C.ARIPIPRAZOLE: CatalogueEntry(C.ARIPIPRAZOLE.label, P, R.ORAL),
    C.LAMOTRIGINE: CatalogueEntry(C.LAMOTRIGINE.label, P, R.ORAL),
    C.GABAPENTIN: CatalogueEntry(C.GABAPENTIN.label, P, R.ORAL),
    C.HYDROXYZINE: CatalogueEntry(C.HYDROXYZINE.label, P, R.ORAL),
    C.PRAZOSIN: CatalogueEntry(C.PRAZOSIN.label, P, R.ORAL),
    C.CLONIDINE: CatalogueEntry(C.CLONIDINE.label, OT, R.ORAL),
    C.LORAZEPAM: CatalogueEntry(C.LORAZEPAM.label, P, R.ORAL, ("benzodiazepines",)),
    C.CLONAZEPAM: CatalogueEntry(C.CLONAZEPAM.label, P, R.ORAL, ("benzodiazepines",)),
    C.ALPRAZOLAM: CatalogueEntry(C.ALPRAZOLAM.label, P, R.ORAL, ("benzodiazepines",)),
    C.DIAZEPAM: CatalogueEntry(C.DIAZEPAM.label, P, R.ORAL, ("benzodiazepines",)),
    C.AMPHETAMINE_SALTS: CatalogueEntry(C.AMPHETAMINE_SALTS.label, P, R.ORAL, ("amphetamines",)),
    C.LISDEXAMFETAMINE: CatalogueEntry(C.LISDEXAMFETAMINE.label, P, R.ORAL, ("amphetamines",)),
    C.METHYLPHENIDATE: CatalogueEntry(C.METHYLPHENIDATE.label, P, R.ORAL),
    C.OXYCODONE: CatalogueEntry(C.OXYCODONE.label, OT, R.ORAL, ("oxycodone",)),
    C.HYDROCODONE: CatalogueEntry(C.HYDROCODONE.label, OT, R.ORAL, ("opiates",)),
    C.PHENOBARBITAL: CatalogueEntry(C.PHENOBARBITAL.label, OT, R.ORAL, ("barbiturates",)),
    C.DRONABINOL: CatalogueEntry(C.DRONABINOL.label, OT, R.ORAL, ("thc",)),
}
del M, A, P, OT, R, C


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
    NEGATIVE = "negative", "Negative"
    NOT_TESTED = "not_tested", "Prescribed analyte not on this panel"


FLAGGED_FINDINGS = frozenset(
    {
        FindingKind.EXPECTED_ABSENT,
        FindingKind.UNEXPECTED_POSITIVE,
        FindingKind.ALCOHOL_DETECTED,
        FindingKind.INVALID_RESULT,
        FindingKind.SPECIMEN_NOT_VALID,
    }
)


# --- Random testing --------------------------------------------------------------------------


class DrawReason(models.TextChoices):
    RANDOM = "random", "Random draw"
    GAP = "gap", "Longest gap reached"


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
