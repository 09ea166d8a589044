from django.db import models

# Levels of care live with the programs that deliver them (programs is lower in the stack).
from programs.constants import AsamEdition, LevelOfCare  # noqa: F401


class PatientStatus(models.TextChoices):
    REFERRAL = "referral", "Referral"
    SCREENING = "screening", "Screening"
    ASSESSMENT = "assessment", "Assessment"
    ADMITTED = "admitted", "Admitted"
    DISCHARGED = "discharged", "Discharged"
    NOT_ADMITTED = "not_admitted", "Not admitted"
    # A second chart of someone already registered, its records moved onto the chart kept (patients/services/merge.py).
    MERGED = "merged", "Merged into another chart"


class ContactChannel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    NONE = "none", "No contact"


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown / declined"


class WithdrawalManagement(models.TextChoices):
    """ASAM Criteria 3rd ed. (2013) withdrawal-management levels, placed alongside the level of care.

    The 4th edition (2023) has none of these: withdrawal management is part of levels 1.7, 2.7,
    3.7 and 4.0 (programs.constants.INTEGRATED_WITHDRAWAL_LEVELS).
    """

    AMBULATORY = "1-WM", "1-WM Ambulatory, without extended on-site monitoring"
    AMBULATORY_MONITORED = "2-WM", "2-WM Ambulatory, with extended on-site monitoring"
    RESIDENTIAL = "3.2-WM", "3.2-WM Clinically managed residential"
    INPATIENT_MONITORED = "3.7-WM", "3.7-WM Medically monitored inpatient"
    INPATIENT_MANAGED = "4-WM", "4-WM Medically managed intensive inpatient"


# Lowest first: admitting with less withdrawal management than recommended is admitting below it.
WITHDRAWAL_MANAGEMENT_ORDER = ("", *WithdrawalManagement.values)


class LevelOfCareReasonCategory(models.TextChoices):
    """Why a patient is admitted to another level than the assessment recommends."""

    PATIENT_PREFERENCE = "patient_preference", "Patient preference"
    NOT_AVAILABLE = "not_available", "Level not available"
    PAYER_DECISION = "payer_decision", "Payer decision"
    CLINICAL_JUDGEMENT = "clinical_judgement", "Clinical judgement"


# A supervisor co-signs an admission below the recommended level within this many hours.
ADMISSION_COSIGN_HOURS = 24


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Consent to treatment"
    TELEHEALTH = "telehealth", "Telehealth"
    REMINDERS_SMS = "reminders_sms", "Reminders by text message"
    REMINDERS_EMAIL = "reminders_email", "Reminders by email"
    PART2_DISCLOSURE = "part2_disclosure", "42 CFR Part 2 disclosure"


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", "Signed on paper"
    ELECTRONIC = "electronic", "Signed on screen"
    VERBAL = "verbal", "Verbal, with witness"


# 42 CFR §2.31(a): a disclosure consent is written, on paper or electronic; verbal is never enough.
PART2_WRITTEN_METHODS = (ConsentMethod.SIGNED, ConsentMethod.ELECTRONIC)

# 42 CFR §2.31(a)(6) (2024 rule): the consent states the right to revoke it in writing, the
# reliance exception, and how to revoke. Shown above the on-screen signature and on every copy.
PART2_REVOCATION_STATEMENT = (
    "I may revoke this consent at any time by telling the program in writing (a signed note to any "
    "staff member), except to the extent that the program has already acted in reliance on it."
)

# A signed paper consent attached to the chart: a scan or a photo, at most this size.
CONSENT_DOCUMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
CONSENT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


class IntakeStep(models.TextChoices):
    """The guided intake, in order."""

    REFERRAL = "referral", "Referral"
    SCREENING = "screening", "Screening"
    ASSESSMENT = "assessment", "Assessment"
    DECISION = "decision", "Admission decision"


class IntakeStatus(models.TextChoices):
    OPEN = "open", "In progress"
    ADMITTED = "admitted", "Admitted"
    NOT_ADMITTED = "not_admitted", "Not admitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReferralSource(models.TextChoices):
    SELF = "self", "Self"
    FAMILY = "family", "Family or friend"
    PRIMARY_CARE = "primary_care", "Primary care"
    HOSPITAL = "hospital", "Hospital / emergency department"
    RESIDENTIAL = "residential", "Residential or inpatient step-down"
    COURT = "court", "Court / probation"
    EMPLOYER = "employer", "Employer / EAP"
    OTP = "otp", "Opioid treatment program"
    OTHER = "other", "Other"


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"


class AsamDimension(models.IntegerChoices):
    INTOXICATION = 1, "1 Intoxication / withdrawal"
    BIOMEDICAL = 2, "2 Biomedical"
    EMOTIONAL = 3, "3 Emotional, behavioural, cognitive"
    READINESS = 4, "4 Readiness to change"
    RELAPSE = 5, "5 Relapse / continued use potential"
    ENVIRONMENT = 6, "6 Recovery / living environment"


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    OPIOIDS = "opioids", "Opioids (heroin, pills)"
    FENTANYL = "fentanyl", "Fentanyl"
    STIMULANTS = "stimulants", "Methamphetamine / amphetamines"
    COCAINE = "cocaine", "Cocaine"
    CANNABIS = "cannabis", "Cannabis"
    BENZODIAZEPINES = "benzodiazepines", "Benzodiazepines"
    SEDATIVES = "sedatives", "Other sedatives"
    HALLUCINOGENS = "hallucinogens", "Hallucinogens"
    INHALANTS = "inhalants", "Inhalants"
    NICOTINE = "nicotine", "Nicotine"
    OTHER = "other", "Other"


class Route(models.TextChoices):
    ORAL = "oral", "Oral"
    SMOKED = "smoked", "Smoked"
    INTRANASAL = "intranasal", "Intranasal"
    INJECTED = "injected", "Injected"
    VAPED = "vaped", "Vaped"
    OTHER = "other", "Other"


class UseFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    SEVERAL_WEEKLY = "several_weekly", "Several times a week"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly or less"
    NOT_IN_30_DAYS = "none_30", "Not in the last 30 days"


class AlertKind(models.TextChoices):
    SAFETY = "safety", "Safety risk"
    WITHDRAWAL = "withdrawal", "Withdrawal risk"
    OVERDOSE_RISK = "overdose_risk", "Overdose risk"
    ALLERGY = "allergy", "Allergy"
    OTHER = "other", "Other"


# Alerts a clinician must close with an assessment (risk level and action), not a note alone.
ASSESSED_ALERT_KINDS = frozenset({AlertKind.SAFETY, AlertKind.WITHDRAWAL, AlertKind.OVERDOSE_RISK})


class AlertSeverity(models.IntegerChoices):
    CRITICAL = 1, "Critical"
    HIGH = 2, "High"
    NORMAL = 3, "Normal"


class RiskLevel(models.TextChoices):
    """The clinician's judgement after assessing the patient (e.g. a suicide risk assessment)."""

    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class AlertAction(models.TextChoices):
    """What was done about an assessed alert."""

    SAFETY_PLAN = "safety_plan", "Safety plan made or updated"
    MEDICATION = "medication", "Medication started or adjusted"
    NALOXONE = "naloxone", "Naloxone given and overdose risk counselled"
    HIGHER_LEVEL_OF_CARE = "higher_level", "Referred to a higher level of care"
    EMERGENCY_SERVICES = "emergency", "Emergency services called"
    NONE = "none", "No action needed (say why in the note)"


class CareTeamRole(models.TextChoices):
    PRIMARY = "primary", "Primary clinician"
    COUNSELOR = "counselor", "Counselor"
    PRESCRIBER = "prescriber", "Prescriber"
    CASE_MANAGER = "case_manager", "Case manager"
    PEER = "peer", "Peer recovery specialist"
    SUPERVISOR = "supervisor", "Supervisor"


class Relationship(models.TextChoices):
    SPOUSE = "spouse", "Spouse / partner"
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    OTHER_FAMILY = "other_family", "Other family"
    FRIEND = "friend", "Friend"
    SPONSOR = "sponsor", "Sponsor"
    GUARDIAN = "guardian", "Legal guardian"
    OTHER = "other", "Other"


class AuthorizationUnit(models.TextChoices):
    DAYS = "days", "Days"
    UNITS = "units", "Units"
    SESSIONS = "sessions", "Sessions"


# Authorization warnings: few units left, or the end date close.
AUTHORIZATION_LOW_UNITS = 3
AUTHORIZATION_ENDING_DAYS = 7
