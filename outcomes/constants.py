"""National Outcome Measures, TEDS codes and the outcomes page's definitions.

Sources (cited again where each rule is applied):
- SAMHSA National Outcome Measures (NOMs) for substance use treatment: abstinence, employment/
  education, stability in housing, criminal justice involvement, social connectedness (self-help),
  access/capacity and retention — SAMHSA, "National Outcome Measures (NOMs)", CSAT NOMs domains.
- SAMHSA Treatment Episode Data Set (TEDS): admission (TEDS-A) and discharge (TEDS-D) field
  definitions and codes as in the TEDS State Instruction Manual (CBHSQ, v3.2, 2014) and the
  TEDS-A / TEDS-D codebooks (CBHSQ, 2015 onward: three-level frequency of use, FREQ_ATND_SELF_HELP).
  Missing values are -9, as in the codebooks.

Answers are stored as plain words (the forms ask in plain words); ``TEDS_CODES`` turns them into codes.
"""

from django.db import models

from aftercare.constants import DischargeType
from patients.constants import LevelOfCare, ReferralSource, Route, SexAtBirth, Substance

TEDS_MISSING = -9


class MeasurePoint(models.TextChoices):
    """When the National Outcome Measures were asked."""

    ADMISSION = "admission", "At admission"
    DISCHARGE = "discharge", "At discharge"
    FOLLOW_UP_30 = "follow_up_30", "30-day check-in"
    FOLLOW_UP_90 = "follow_up_90", "90-day check-in"
    FOLLOW_UP_180 = "follow_up_180", "180-day check-in"


# The alumni check-ins at which the measures are asked again (SAMHSA NOMs follow-up points).
FOLLOW_UP_POINTS = {30: MeasurePoint.FOLLOW_UP_30, 90: MeasurePoint.FOLLOW_UP_90, 180: MeasurePoint.FOLLOW_UP_180}


class Employment(models.TextChoices):
    """TEDS EMPLOY / EMPLOY_D."""

    FULL_TIME = "full_time", "Working full time (35 hours a week or more)"
    PART_TIME = "part_time", "Working part time"
    UNEMPLOYED = "unemployed", "Not working, and looking for work in the past 30 days"
    NOT_IN_LABOR_FORCE = "not_in_labor_force", "Not working and not looking for work"


class NotInLaborForce(models.TextChoices):
    """TEDS DETNLF: why someone not working is not looking for work."""

    HOMEMAKER = "homemaker", "Keeps house / cares for family"
    STUDENT = "student", "Student"
    RETIRED_DISABLED = "retired_disabled", "Retired or disabled"
    INSTITUTION = "institution", "Lives in an institution (jail, hospital)"
    OTHER = "other", "Other reason"


class LivingArrangement(models.TextChoices):
    """TEDS LIVARAG; the NOM of stable housing is 'not homeless'."""

    HOMELESS = "homeless", "Homeless (no fixed address, shelter, street)"
    DEPENDENT = "dependent", "Lives with support (parents as a minor, halfway or sober house, group home)"
    INDEPENDENT = "independent", "Lives on their own or with family, paying their way"


class Race(models.TextChoices):
    """TEDS RACE."""

    ALASKA_NATIVE = "alaska_native", "Alaska Native (Aleut, Eskimo, Indian)"
    AMERICAN_INDIAN = "american_indian", "American Indian (other than Alaska Native)"
    ASIAN_PACIFIC = "asian_pacific", "Asian or Pacific Islander"
    BLACK = "black", "Black or African American"
    WHITE = "white", "White"
    ASIAN = "asian", "Asian"
    OTHER = "other", "Another single race"
    MULTIPLE = "multiple", "Two or more races"
    HAWAIIAN_PACIFIC = "hawaiian_pacific", "Native Hawaiian or Other Pacific Islander"


class Ethnicity(models.TextChoices):
    """TEDS ETHNIC."""

    PUERTO_RICAN = "puerto_rican", "Puerto Rican"
    MEXICAN = "mexican", "Mexican"
    CUBAN_OR_OTHER = "cuban_or_other", "Cuban or another specific Hispanic origin"
    NOT_HISPANIC = "not_hispanic", "Not Hispanic or Latino"
    HISPANIC_UNSPECIFIED = "hispanic_unspecified", "Hispanic or Latino, origin not specified"


class MaritalStatus(models.TextChoices):
    """TEDS MARSTAT."""

    NEVER_MARRIED = "never_married", "Never married"
    MARRIED = "married", "Married"
    SEPARATED = "separated", "Separated"
    DIVORCED_WIDOWED = "divorced_widowed", "Divorced or widowed"


class Education(models.TextChoices):
    """TEDS EDUC."""

    GRADE_8_OR_LESS = "grade_8_or_less", "Grade 8 or less"
    GRADES_9_11 = "grades_9_11", "Grades 9 to 11"
    GRADE_12 = "grade_12", "Finished high school or GED"
    SOME_COLLEGE = "some_college", "1 to 3 years of college or vocational school"
    COLLEGE = "college", "4 years of college or more"


class HealthInsurance(models.TextChoices):
    """TEDS HLTHINS."""

    PRIVATE = "private", "Private insurance (Blue Cross/Blue Shield, HMO, employer plan)"
    MEDICAID = "medicaid", "Medicaid"
    MEDICARE_OTHER = "medicare_other", "Medicare or other (TRICARE, CHAMPUS)"
    NONE = "none", "No health insurance"


class PrimaryPayer(models.TextChoices):
    """TEDS PRIMPAY: who is expected to pay most of this treatment."""

    SELF = "self", "The patient (self-pay)"
    PRIVATE = "private", "Private insurance"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    OTHER_GOVERNMENT = "other_government", "Other government funds (state, county, block grant)"
    NO_CHARGE = "no_charge", "No charge (free, charity, research)"
    OTHER = "other", "Other"


PRIOR_EPISODES_MAX = 5  # TEDS NOPRIOR: 5 means five or more
SELF_HELP_TIMES_MAX = 200
ARRESTS_MAX = 30
DAYS_IN_30 = 30

# TEDS codes of the plain-word answers. Each dict is one TEDS field's code list.
TEDS_CODES: dict[str, dict[str, int]] = {
    "EMPLOY": {
        Employment.FULL_TIME: 1,
        Employment.PART_TIME: 2,
        Employment.UNEMPLOYED: 3,
        Employment.NOT_IN_LABOR_FORCE: 4,
    },
    "DETNLF": {
        NotInLaborForce.HOMEMAKER: 1,
        NotInLaborForce.STUDENT: 2,
        NotInLaborForce.RETIRED_DISABLED: 3,
        NotInLaborForce.INSTITUTION: 4,
        NotInLaborForce.OTHER: 5,
    },
    "LIVARAG": {LivingArrangement.HOMELESS: 1, LivingArrangement.DEPENDENT: 2, LivingArrangement.INDEPENDENT: 3},
    "RACE": {
        Race.ALASKA_NATIVE: 1,
        Race.AMERICAN_INDIAN: 2,
        Race.ASIAN_PACIFIC: 3,
        Race.BLACK: 4,
        Race.WHITE: 5,
        Race.ASIAN: 6,
        Race.OTHER: 7,
        Race.MULTIPLE: 8,
        Race.HAWAIIAN_PACIFIC: 9,
    },
    "ETHNIC": {
        Ethnicity.PUERTO_RICAN: 1,
        Ethnicity.MEXICAN: 2,
        Ethnicity.CUBAN_OR_OTHER: 3,
        Ethnicity.NOT_HISPANIC: 4,
        Ethnicity.HISPANIC_UNSPECIFIED: 5,
    },
    "MARSTAT": {
        MaritalStatus.NEVER_MARRIED: 1,
        MaritalStatus.MARRIED: 2,
        MaritalStatus.SEPARATED: 3,
        MaritalStatus.DIVORCED_WIDOWED: 4,
    },
    "EDUC": {
        Education.GRADE_8_OR_LESS: 1,
        Education.GRADES_9_11: 2,
        Education.GRADE_12: 3,
        Education.SOME_COLLEGE: 4,
        Education.COLLEGE: 5,
    },
    "HLTHINS": {
        HealthInsurance.PRIVATE: 1,
        HealthInsurance.MEDICAID: 2,
        HealthInsurance.MEDICARE_OTHER: 3,
        HealthInsurance.NONE: 4,
    },
    "PRIMPAY": {
        PrimaryPayer.SELF: 1,
        PrimaryPayer.PRIVATE: 2,
        PrimaryPayer.MEDICARE: 3,
        PrimaryPayer.MEDICAID: 4,
        PrimaryPayer.OTHER_GOVERNMENT: 5,
        PrimaryPayer.NO_CHARGE: 6,
        PrimaryPayer.OTHER: 7,
    },
    # PSOURCE: 1 individual (self, family, friends), 2 alcohol/drug use care provider, 3 other health
    # care provider, 4 school, 5 employer/EAP, 6 other community referral, 7 court/criminal justice.
    "PSOURCE": {
        ReferralSource.SELF: 1,
        ReferralSource.FAMILY: 1,
        ReferralSource.RESIDENTIAL: 2,
        ReferralSource.OTP: 2,
        ReferralSource.PRIMARY_CARE: 3,
        ReferralSource.HOSPITAL: 3,
        ReferralSource.EMPLOYER: 5,
        ReferralSource.OTHER: 6,
        ReferralSource.COURT: 7,
    },
    # SUB1–SUB3: 2 alcohol, 3 cocaine/crack, 4 marijuana/hashish, 5 heroin, 6 non-prescription methadone,
    # 7 other opiates and synthetics (fentanyl, oxycodone…), 8 PCP, 9 hallucinogens, 10 methamphetamine,
    # 11 other amphetamines, 12 other stimulants, 13 benzodiazepines, 14 other tranquilizers,
    # 15 barbiturates, 16 other sedatives or hypnotics, 17 inhalants, 18 over-the-counter, 19 other.
    # Nicotine is not a TEDS substance. The chart's "Opioids (heroin, pills)" and "Fentanyl" are both
    # code 7, so a chart naming both reads as a secondary substance equal to the primary.
    "SUB": {
        Substance.ALCOHOL: 2,
        Substance.COCAINE: 3,
        Substance.CANNABIS: 4,
        Substance.OPIOIDS: 7,
        Substance.FENTANYL: 7,
        Substance.HALLUCINOGENS: 9,
        Substance.STIMULANTS: 10,
        Substance.BENZODIAZEPINES: 13,
        Substance.SEDATIVES: 16,
        Substance.INHALANTS: 17,
        Substance.OTHER: 19,
    },
    # ROUTE1–3: 1 oral, 2 smoking, 3 inhalation (through nose or mouth), 4 injection, 5 other.
    "ROUTE": {
        Route.ORAL: 1,
        Route.SMOKED: 2,
        Route.INTRANASAL: 3,
        Route.VAPED: 3,
        Route.INJECTED: 4,
        Route.OTHER: 5,
    },
    "GENDER": {SexAtBirth.MALE: 1, SexAtBirth.FEMALE: 2},
    # REASON (TEDS-D): 1 completed, 2 dropped out, 3 terminated by facility, 4 transferred to another
    # treatment program or facility, 5 incarcerated, 6 death, 7 other.
    "REASON": {
        DischargeType.COMPLETED: 1,
        DischargeType.AGAINST_ADVICE: 2,
        DischargeType.ADMINISTRATIVE: 3,
        DischargeType.STEP_DOWN: 4,
        DischargeType.STEP_UP: 4,
        DischargeType.TRANSFERRED: 4,
        DischargeType.INCARCERATED: 5,
        DischargeType.DECEASED: 6,
    },
}

# SERVICES: 6 ambulatory, intensive outpatient; 7 ambulatory, non-intensive outpatient (TEDS service
# setting). IOP (2.1) and its higher-intensity outpatient neighbours report as 6; level 1 as 7.
# Residential and inpatient levels are not this program's settings and are flagged.
TEDS_SERVICE_SETTING = {
    LevelOfCare.IOP: 6,
    LevelOfCare.PHP: 6,
    LevelOfCare.IOP_MEDICAL: 6,
    LevelOfCare.OP: 7,
    LevelOfCare.OP_THERAPY: 7,
    LevelOfCare.OP_MEDICAL: 7,
}
TEDS_YES, TEDS_NO = 1, 2


def teds_frequency(days: int | None) -> int:
    """FREQ1–3 from days of use in the past 30: 1 no use in the past month, 2 some use, 3 daily use."""
    if days is None:
        return TEDS_MISSING
    if days == 0:
        return 1
    return 3 if days >= DAYS_IN_30 else 2


def teds_first_use(age: int | None) -> int:
    """FRSTUSE1–3 from the age at first use: 1 ≤11, 2 12–14, 3 15–17, 4 18–20, 5 21–24, 6 25–29, 7 30+."""
    if age is None:
        return TEDS_MISSING
    for code, ceiling in ((1, 11), (2, 14), (3, 17), (4, 20), (5, 24), (6, 29)):
        if age <= ceiling:
            return code
    return 7


def teds_arrests(count: int | None) -> int:
    """ARRESTS: 0 none, 1 once, 2 two or more times in the past 30 days."""
    if count is None:
        return TEDS_MISSING
    return min(count, 2)


def teds_self_help(times: int | None) -> int:
    """FREQ_ATND_SELF_HELP: 1 none, 2 1–3 times, 3 4–7 times, 4 8–30 times in the past 30 days."""
    if times is None:
        return TEDS_MISSING
    if times == 0:
        return 1
    if times <= 3:
        return 2
    return 3 if times <= 7 else 4


# --- The outcomes page ----------------------------------------------------------------------------


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    CUSTOM = "custom", "Custom dates"


# A custom period spans at most this many days (two years): longer asks nothing a director needs.
MAX_PERIOD_DAYS = 731

# Discharges counted as finishing treatment: the program completed, or a planned step-down to a lower
# level (TEDS reports the step-down as a transfer, reason 4; the page shows both in the discharge types).
COMPLETION_TYPES = frozenset({DischargeType.COMPLETED, DischargeType.STEP_DOWN})

RETENTION_DAYS = (30, 60, 90)
READMISSION_DAYS = (30, 90)
CHECKIN_DAYS = (7, 30, 90, 180)
# Kaplan–Meier curve drawn to this many days in treatment.
RETENTION_CURVE_DAYS = 120
# Negative results by week of treatment: weeks 1 to N, later weeks together.
TEST_WEEKS_SHOWN = 16

# PHQ-9 / GAD-7 response is a 50 % reduction from a baseline of 10 or more (moderate); PHQ-9
# remission is a score under 5 — Kroenke, Spitzer & Williams (2001); Löwe et al. (2004); the
# GAD-7 uses the same cut-offs (Spitzer et al. 2006).
SYMPTOM_BASELINE_MIN = 10
REMISSION_BELOW = 5


class CheckinStatus(models.TextChoices):
    """One alumni check-in as the outcome facts keep it."""

    NONE = "", "Not scheduled"
    OPEN = "open", "Not yet recorded"
    NOT_REACHED = "not_reached", "Not reached"
    ABSTINENT = "abstinent", "Reached: not using"
    USING = "using", "Reached: using"
    REACHED = "reached", "Reached: use not asked"


REACHED_STATUSES = frozenset({CheckinStatus.ABSTINENT, CheckinStatus.USING, CheckinStatus.REACHED})


# --- TEDS files ------------------------------------------------------------------------------------

# The fixed layout: one record per line, fields in this order, each right-justified in its width
# (codes and numbers, blank-padded; -9 missing) or left-justified (identifiers). Dates are YYYYMMDD.
# Record type A is an admission (TEDS-A), D a discharge (TEDS-D); a discharge matches its admission
# by provider, client identifier and admission date.
TEDS_ADMISSION_LAYOUT: tuple[tuple[str, int, str], ...] = (
    ("RECTYPE", 1, "A: admission"),
    ("STFIPS", 2, "state FIPS code"),
    ("PROVIDER", 15, "state provider identifier"),
    ("CLIENTID", 12, "client identifier (random, stable, never the MRN)"),
    ("ADMDATE", 8, "date of admission"),
    ("SERVICES", 2, "service setting at admission (6 ambulatory intensive outpatient)"),
    ("DOB", 8, "date of birth"),
    ("GENDER", 2, "1 male, 2 female"),
    ("RACE", 2, "race"),
    ("ETHNIC", 2, "Hispanic or Latino origin"),
    ("MARSTAT", 2, "marital status"),
    ("EDUC", 2, "education"),
    ("EMPLOY", 2, "employment status"),
    ("DETNLF", 2, "detailed not in labor force"),
    ("LIVARAG", 2, "living arrangement"),
    ("ARRESTS", 2, "arrests in the past 30 days"),
    ("PSOURCE", 2, "referral source"),
    ("NOPRIOR", 2, "prior treatment episodes (5: five or more)"),
    ("DAYWAIT", 3, "days waiting to enter treatment"),
    ("SUB1", 2, "primary substance"),
    ("ROUTE1", 2, "route of the primary substance"),
    ("FREQ1", 2, "frequency of use of the primary substance"),
    ("FRSTUSE1", 2, "age at first use of the primary substance"),
    ("SUB2", 2, "secondary substance (1 none)"),
    ("ROUTE2", 2, "route of the secondary substance"),
    ("FREQ2", 2, "frequency of use of the secondary substance"),
    ("FRSTUSE2", 2, "age at first use of the secondary substance"),
    ("SUB3", 2, "tertiary substance (1 none)"),
    ("ROUTE3", 2, "route of the tertiary substance"),
    ("FREQ3", 2, "frequency of use of the tertiary substance"),
    ("FRSTUSE3", 2, "age at first use of the tertiary substance"),
    ("METHUSE", 2, "medication-assisted opioid therapy planned"),
    ("PSYPROB", 2, "co-occurring mental and substance use disorders"),
    ("PREG", 2, "pregnant at admission (women)"),
    ("VET", 2, "veteran"),
    ("HLTHINS", 2, "health insurance"),
    ("PRIMPAY", 2, "primary source of payment"),
    ("FREQ_ATND_SELF_HELP", 2, "self-help attendance in the past 30 days"),
)
TEDS_DISCHARGE_LAYOUT: tuple[tuple[str, int, str], ...] = (
    ("RECTYPE", 1, "D: discharge"),
    ("STFIPS", 2, "state FIPS code"),
    ("PROVIDER", 15, "state provider identifier"),
    ("CLIENTID", 12, "client identifier"),
    ("ADMDATE", 8, "date of the admission this discharge closes"),
    ("DISDATE", 8, "date of discharge"),
    ("SERVICES_D", 2, "service setting at discharge"),
    ("REASON", 2, "reason for discharge"),
    ("LOS", 4, "length of stay in days"),
    ("EMPLOY_D", 2, "employment status at discharge"),
    ("DETNLF_D", 2, "detailed not in labor force at discharge"),
    ("LIVARAG_D", 2, "living arrangement at discharge"),
    ("ARRESTS_D", 2, "arrests in the past 30 days at discharge"),
    ("SUB1_D", 2, "primary substance (as at admission)"),
    ("FREQ1_D", 2, "frequency of use of the primary substance at discharge"),
    ("SUB2_D", 2, "secondary substance"),
    ("FREQ2_D", 2, "frequency of use of the secondary substance at discharge"),
    ("SUB3_D", 2, "tertiary substance"),
    ("FREQ3_D", 2, "frequency of use of the tertiary substance at discharge"),
    ("FREQ_ATND_SELF_HELP_D", 2, "self-help attendance in the past 30 days at discharge"),
)
TEDS_TEXT_FIELDS = frozenset({"RECTYPE", "PROVIDER", "CLIENTID"})
TEDS_NO_SUBSTANCE = 1


class TedsFormat(models.TextChoices):
    CSV = "csv", "CSV (one row per record; admission and discharge columns side by side)"
    FIXED = "fixed", "Fixed layout (the documented column widths)"
