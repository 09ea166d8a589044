"""Choices and the catalogue of common medications (MOUD, AUD, psychiatric, analgesic)."""

from dataclasses import dataclass

from django.db import models


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
