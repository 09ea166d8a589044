from django.db import models

from scheduling.constants import SessionKind


class InterventionModality(models.TextChoices):
    INDIVIDUAL = "individual", "Individual therapy"
    GROUP = "group", "Group therapy"
    FAMILY = "family", "Family therapy"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"
    MEDICATION_MANAGEMENT = "medication", "Medication management"
    CASE_MANAGEMENT = "case_management", "Case management"
    PEER_SUPPORT = "peer_support", "Peer support"


class FrequencyPeriod(models.TextChoices):
    DAY = "day", "day"
    WEEK = "week", "week"
    MONTH = "month", "month"


# The scheduled session kinds that deliver each modality: what the interventions-vs-schedule
# check looks for. Case management has no session kind, so it is never checked.
MODALITY_SESSION_KINDS = {
    InterventionModality.INDIVIDUAL: frozenset({SessionKind.INDIVIDUAL}),
    InterventionModality.GROUP: frozenset({SessionKind.GROUP_THERAPY}),
    InterventionModality.FAMILY: frozenset({SessionKind.FAMILY}),
    InterventionModality.PSYCHOEDUCATION: frozenset({SessionKind.PSYCHOEDUCATION}),
    InterventionModality.MEDICATION_MANAGEMENT: frozenset({SessionKind.MEDICATION_MANAGEMENT}),
    InterventionModality.PEER_SUPPORT: frozenset({SessionKind.PEER_SUPPORT}),
}
# An intervention planned at least weekly with no held session of its kind in this many
# days is flagged (issue 4: "individual therapy weekly" with none in 14 days).
INTERVENTION_LOOKBACK_DAYS = 14

# A plan review is "due" this many days before its date, "overdue" the day after it.
REVIEW_DUE_SOON_DAYS = 7


class PatientAgreement(models.TextChoices):
    SIGNED = "signed", "Signed in person"
    VERBAL = "verbal", "Verbal, with witness"


class PlanReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Continue the plan as written"
    REVISE = "revise", "Revise the plan (new version)"


class ReviewStatus(models.TextChoices):
    CURRENT = "current", "Current"
    DUE = "due", "Review due"
    OVERDUE = "overdue", "Review overdue"


class NoteFormat(models.TextChoices):
    DAP = "dap", "DAP (data, assessment, plan)"
    SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"
    BIRP = "birp", "BIRP (behaviour, intervention, response, plan)"


# The fields each format fills, in the order the note reads.
FORMAT_FIELDS = {
    NoteFormat.DAP: ("data", "assessment", "plan"),
    NoteFormat.SOAP: ("subjective", "objective", "assessment", "plan"),
    NoteFormat.BIRP: ("behavior", "intervention", "response", "plan"),
}
FORMAT_FIELD_LABELS = {
    "data": "Data",
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "behavior": "Behaviour",
    "intervention": "Intervention",
    "response": "Response",
    "plan": "Plan",
}
ALL_FORMAT_FIELDS = tuple(FORMAT_FIELD_LABELS)


class NoteKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual session"
    FAMILY = "family", "Family session"
    GROUP = "group", "Group session"


# Session kinds a per-patient (individual/family) note is written for.
NOTE_KIND_FOR_SESSION = {
    SessionKind.INDIVIDUAL: NoteKind.INDIVIDUAL,
    SessionKind.FAMILY: NoteKind.FAMILY,
}

# Group notes are written for the clinical group kinds; holistic and peer-support meetings are not notes.
GROUP_NOTE_KINDS = frozenset({SessionKind.GROUP_THERAPY, SessionKind.PSYCHOEDUCATION})

# "My sessions needing notes" looks back this far.
SESSIONS_NEEDING_NOTES_DAYS = 14


# The first treatment plan is signed within this many days of admission unless the program says
# otherwise (ProgramDocumentationPolicy.initial_plan_days); the supervisor hears of it this many days later.
INITIAL_PLAN_DAYS = 7
INITIAL_PLAN_ESCALATION_DAYS = 3
