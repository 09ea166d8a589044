from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    SUPPRESSED = "suppressed", "Suppressed"


class MessageTemplate(models.TextChoices):
    """Template keys: notifications/templates/notifications/<channel>/<key>.txt."""

    SESSION_REMINDER = "session_reminder", "Session reminder"
    SESSION_CANCELLED = "session_cancelled", "Session cancelled"
    SESSION_MOVED = "session_moved", "Session moved"
    AFTERCARE_CHECKIN = "aftercare_checkin", "Aftercare check-in"


class DeliveryError(models.TextChoices):
    """Why a message was not sent; the permanent ones are shown on the failed-messages page."""

    NO_CONSENT = "no_consent", "No active consent for this channel"
    OPTED_OUT = "opted_out", "Patient opted out of text messages"
    NO_ADDRESS = "no_address", "No phone number or email address on the chart"
    INVALID_ADDRESS = "invalid_address", "Invalid phone number or email address"
    REJECTED = "rejected", "Provider rejected the message"
    GAVE_UP = "gave_up", "Gave up after repeated temporary failures"
    FORBIDDEN_CONTENT = "forbidden_content", "Text would reveal treatment (42 CFR Part 2)"
    TRANSIENT = "transient", "Temporary failure, will retry"


class TaskKind(models.TextChoices):
    MISSED_SESSION = "missed_session", "Missed session follow-up"
    MISSED_SESSION_ESCALATION = "missed_escalation", "Repeated missed sessions"
    HOURS_SHORTFALL = "hours_shortfall", "Weekly hours shortfall"
    PLAN_REVIEW = "plan_review", "Treatment plan review due"
    UNSIGNED_NOTE = "unsigned_note", "Unsigned note"
    DRUG_TEST_PENDING = "drug_test_pending", "Drug test result pending"
    AUTHORIZATION_ENDING = "authorization_ending", "Authorization ending"
    INSTRUMENT_DUE = "instrument_due", "Instrument due"
    AFTERCARE_CHECKIN = "aftercare_checkin", "Aftercare check-in"
    MESSAGE_FAILED = "message_failed", "Message to patient failed"
    # Follow-up of clinical findings (patients/follow_up.py holds the rules).
    SUICIDE_RISK_ASSESSMENT = "suicide_risk", "Suicide risk assessment"
    WITHDRAWAL_EVALUATION = "withdrawal", "Withdrawal evaluation"
    MEDICAL_EVALUATION = "medical_evaluation", "Medical evaluation now"
    DRUG_TEST_REVIEW = "drug_test_review", "Review drug test with patient"
    OVERDOSE_RISK = "overdose_risk", "Naloxone and overdose-risk counselling"
    MOUD_ABSENT = "moud_absent", "Prescribed MOUD absent from a drug test"
    SPECIMEN_PROBLEM = "specimen_problem", "Specimen not valid"
    PLAN_REVISION = "plan_revision", "Treatment plan review after use"
    INITIAL_PLAN = "initial_plan", "Initial treatment plan not signed"
    ADMISSION_COSIGN = "admission_cosign", "Co-sign admission below recommended level"
    ESCALATION = "escalation", "Escalated: not done in time"
    OTHER = "other", "Other"


class TaskSeverity(models.IntegerChoices):
    """How urgent a task is; the work list sorts by severity, then by due time."""

    CRITICAL = 1, "Critical"
    HIGH = 2, "High"
    NORMAL = 3, "Normal"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    SNOOZED = "snoozed", "Snoozed"


# Keys a caller may pass to a message template. Anything else (session kind, clinician,
# program) is refused at enqueue: 42 CFR Part 2 §2.13 — a reminder must not reveal that
# the patient is in substance-use treatment.
TEMPLATE_CONTEXT_KEYS = frozenset({"starts_at", "previous_starts_at", "join_url"})

# Words that would reveal substance-use treatment in a text or email to a patient
# (42 CFR Part 2). Checked whole-word and case-insensitively by the template test and
# at enqueue; program names from the database are added to the list at run time.
FORBIDDEN_WORDS = (
    "addiction",
    "addict",
    "substance",
    "recovery",
    "sobriety",
    "sober",
    "rehab",
    "rehabilitation",
    "detox",
    "IOP",
    "intensive outpatient",
    "PHP",
    "partial hospitalization",
    "drug",
    "drugs",
    "alcohol",
    "alcoholic",
    "AA",
    "NA",
    "SMART",
    "methadone",
    "buprenorphine",
    "Suboxone",
    "naltrexone",
    "Vivitrol",
    "opioid",
    "counseling",
    "counselling",
    "counselor",
    "therapy",
    "therapist",
    "group",
    "relapse",
    "urine",
    "test",
    "screening",
    "diagnosis",
    "treatment",
    "clinician",
    "psychiatric",
    "behavioral health",
    "mental health",
    "12-step",
)

# Inbound SMS keywords (CTIA short-code guidelines; carriers honour the same words).
SMS_STOP_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
SMS_START_KEYWORDS = frozenset({"START", "UNSTOP", "YES", "OPTIN"})
