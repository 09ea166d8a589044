"""A finding is not care until a person acts on it: every finding a clinician must act on, in one table.

Each rule says what a finding raises on the chart (an alert, and how severe), whose work
list it reaches (by role on the patient's care), by when, and who hears of it if nobody
acts in time. The services that record findings (instruments in patients/services/intake.py,
drug tests in testing/services/follow_up.py, the daily plan check in
clinical/services/work_list.py) call ``patients.services.finding_follow_up`` in their own
transaction; it reads this table and nothing else decides. A finding is recorded once
per key: a second save, a re-read drug test or a repeated run changes nothing.

The README's "Clinical rules" section lists these rules with their sources.
"""

from dataclasses import dataclass

from django.db import models

from notifications.constants import TaskKind, TaskSeverity

from .constants import AlertKind, AlertSeverity
from .instruments import Instrument

# Score thresholds for the instrument findings (inclusive: a score equal to the threshold fires).
# COWS (Wesson & Ling, J Psychoactive Drugs 2003): 13–24 moderate, 25–36 moderately severe.
COWS_WITHDRAWAL_AT = 13
COWS_SEVERE_AT = 25
# CIWA-Ar (Sullivan et al., Br J Addict 1989): at 10 or more medication is usually indicated;
# at 20 or more, severe withdrawal with a risk of seizures and delirium.
CIWA_WITHDRAWAL_AT = 10
CIWA_SEVERE_AT = 20
# Return to use by drug tests: two unexpected positives within this many days.
RETURN_TO_USE_WINDOW_DAYS = 14
# Dilute specimens: twice within this many days is a finding (one dilute urine is common).
DILUTE_WINDOW_DAYS = 30


class Finding(models.TextChoices):
    SUICIDAL_IDEATION = "suicidal_ideation", "Thoughts of death or self-harm (PHQ-9 item 9)"
    WITHDRAWAL = "withdrawal", "Withdrawal (COWS 13+ or CIWA-Ar 10+)"
    SEVERE_WITHDRAWAL = "severe_withdrawal", "Severe withdrawal (COWS 25+ or CIWA-Ar 20+)"
    UNEXPECTED_POSITIVE = "unexpected_positive", "Unexpected positive drug test"
    OVERDOSE_RISK = "overdose_risk", "Fentanyl or another opioid positive, or an opioid on naltrexone"
    MOUD_ABSENT = "moud_absent", "Prescribed MOUD absent from a drug test"
    SPECIMEN_NOT_VALID = "specimen_not_valid", "Specimen adulterated, substituted or invalid"
    DILUTE_TWICE = "dilute_twice", "Dilute specimens twice in 30 days"
    RETURN_TO_USE = "return_to_use", "Return to use"
    INITIAL_PLAN_MISSING = "initial_plan_missing", "No signed initial treatment plan"


class Responsible(models.TextChoices):
    """Who a task reaches, by their part in the patient's care (resolved in patients/services/follow_up.py)."""

    PRIMARY_CLINICIAN = "primary_clinician", "Primary clinician"
    PRESCRIBER = "prescriber", "Prescriber (the care team's, else the program's)"
    SUPERVISOR = "supervisor", "The primary clinician's supervisor (else the program's)"
    DIRECTOR = "director", "The program's director"


class Due(models.TextChoices):
    NOW = "now", "Within the hour"
    SAME_DAY = "same_day", "By the end of the program's day (at least 2 hours)"
    NEXT_BUSINESS_DAY = "business_day", "By the end of the next business day"
    SEVEN_DAYS = "seven_days", "Within 7 days"
    GIVEN = "given", "At the time the caller gives (e.g. day N after admission)"


@dataclass(frozen=True)
class TaskRule:
    kind: str
    title: str
    to: tuple[str, ...]
    due: str
    severity: int = TaskSeverity.NORMAL
    # Not done by the escalation time (the due time unless the caller gives one): these hear of it.
    escalate_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUpRule:
    finding: str
    tasks: tuple[TaskRule, ...]
    source: str
    # Findings that only need a task raise no alert.
    alert_kind: str | None = None
    alert_severity: int = AlertSeverity.NORMAL
    alert_message: str = ""


RULES = (
    FollowUpRule(
        finding=Finding.SUICIDAL_IDEATION,
        alert_kind=AlertKind.SAFETY,
        alert_severity=AlertSeverity.HIGH,
        alert_message="Thoughts of death or self-harm ({detail}). Complete a suicide risk assessment today.",
        tasks=(
            TaskRule(
                TaskKind.SUICIDE_RISK_ASSESSMENT,
                "Suicide risk assessment today",
                to=(Responsible.PRIMARY_CLINICIAN,),
                due=Due.SAME_DAY,
                severity=TaskSeverity.HIGH,
                escalate_to=(Responsible.SUPERVISOR,),
            ),
        ),
        source="PHQ-9 item 9 > 0 (Kroenke et al. 2001); same-day risk assessment: The Joint Commission NPSG 15.01.01",
    ),
    FollowUpRule(
        finding=Finding.WITHDRAWAL,
        alert_kind=AlertKind.WITHDRAWAL,
        alert_severity=AlertSeverity.HIGH,
        alert_message="Withdrawal: {detail}. The prescriber evaluates the patient today.",
        tasks=(
            TaskRule(
                TaskKind.WITHDRAWAL_EVALUATION,
                "Withdrawal evaluation today",
                to=(Responsible.PRESCRIBER,),
                due=Due.SAME_DAY,
                severity=TaskSeverity.HIGH,
            ),
        ),
        source="COWS 13+ moderate (Wesson & Ling 2003); CIWA-Ar 10+ medication indicated (Sullivan et al. 1989)",
    ),
    FollowUpRule(
        finding=Finding.SEVERE_WITHDRAWAL,
        alert_kind=AlertKind.WITHDRAWAL,
        alert_severity=AlertSeverity.CRITICAL,
        alert_message="Severe withdrawal: {detail}. Medical evaluation now.",
        tasks=(
            TaskRule(
                TaskKind.MEDICAL_EVALUATION,
                "Medical evaluation now (severe withdrawal)",
                to=(Responsible.PRESCRIBER, Responsible.SUPERVISOR, Responsible.DIRECTOR),
                due=Due.NOW,
                severity=TaskSeverity.CRITICAL,
            ),
        ),
        source="COWS 25+ moderately severe (Wesson & Ling 2003); CIWA-Ar 20+ severe, seizure and delirium risk "
        "(Sullivan et al. 1989); ASAM Criteria dimension 1",
    ),
    FollowUpRule(
        finding=Finding.UNEXPECTED_POSITIVE,
        tasks=(
            TaskRule(
                TaskKind.DRUG_TEST_REVIEW,
                "Review the drug test with the patient ({detail})",
                to=(Responsible.PRIMARY_CLINICIAN,),
                due=Due.NEXT_BUSINESS_DAY,
            ),
        ),
        source="ASAM Appropriate Use of Drug Testing (2017): results are discussed with the patient and used "
        "to adjust treatment, not to punish",
    ),
    FollowUpRule(
        finding=Finding.OVERDOSE_RISK,
        alert_kind=AlertKind.OVERDOSE_RISK,
        alert_severity=AlertSeverity.HIGH,
        alert_message="Overdose risk: {detail}. Offer naloxone and overdose-risk counselling today.",
        tasks=(
            TaskRule(
                TaskKind.OVERDOSE_RISK,
                "Naloxone and overdose-risk counselling today",
                to=(Responsible.PRIMARY_CLINICIAN,),
                due=Due.SAME_DAY,
                severity=TaskSeverity.HIGH,
            ),
        ),
        source="SAMHSA Opioid Overdose Prevention Toolkit (2018); naltrexone lowers opioid tolerance "
        "(Vivitrol prescribing information, overdose warning)",
    ),
    FollowUpRule(
        finding=Finding.MOUD_ABSENT,
        tasks=(
            TaskRule(
                TaskKind.MOUD_ABSENT,
                "Prescribed MOUD absent from the drug test ({detail})",
                to=(Responsible.PRESCRIBER,),
                due=Due.NEXT_BUSINESS_DAY,
            ),
        ),
        source="ASAM National Practice Guideline for OUD (2020 focused update): testing supports adherence; "
        "SAMHSA TIP 63",
    ),
    FollowUpRule(
        finding=Finding.SPECIMEN_NOT_VALID,
        tasks=(
            TaskRule(
                TaskKind.SPECIMEN_PROBLEM,
                "Specimen not valid ({detail}): talk with the patient, consider observed recollection",
                to=(Responsible.PRIMARY_CLINICIAN,),
                due=Due.NEXT_BUSINESS_DAY,
            ),
        ),
        source="HHS Mandatory Guidelines for Federal Workplace Drug Testing (2017), specimen validity",
    ),
    FollowUpRule(
        finding=Finding.DILUTE_TWICE,
        tasks=(
            TaskRule(
                TaskKind.SPECIMEN_PROBLEM,
                "Dilute specimens twice in 30 days: talk with the patient, consider observed collection",
                to=(Responsible.PRIMARY_CLINICIAN,),
                due=Due.NEXT_BUSINESS_DAY,
            ),
        ),
        source="HHS Mandatory Guidelines (2017): a dilute specimen may be recollected under direct observation",
    ),
    FollowUpRule(
        finding=Finding.RETURN_TO_USE,
        tasks=(
            TaskRule(
                TaskKind.PLAN_REVISION,
                "Review the treatment plan after a return to use ({detail})",
                to=(Responsible.PRIMARY_CLINICIAN,),
                due=Due.SEVEN_DAYS,
                severity=TaskSeverity.HIGH,
                escalate_to=(Responsible.SUPERVISOR,),
            ),
        ),
        source="NIDA Principles of Drug Addiction Treatment (2018): relapse signals that treatment needs "
        "adjusting; the treatment plan is reviewed when the patient's condition changes",
    ),
    FollowUpRule(
        finding=Finding.INITIAL_PLAN_MISSING,
        tasks=(
            TaskRule(
                TaskKind.INITIAL_PLAN,
                "Sign the initial treatment plan ({detail})",
                to=(Responsible.PRIMARY_CLINICIAN,),
                due=Due.GIVEN,
                severity=TaskSeverity.HIGH,
                escalate_to=(Responsible.SUPERVISOR,),
            ),
        ),
        source="Program setting (default 7 days after admission); CARF and state licensing require an "
        "individualized plan early in treatment",
    ),
)

FOLLOW_UP_RULES: dict[str, FollowUpRule] = {rule.finding: rule for rule in RULES}


def instrument_findings(response) -> list[tuple[str, str]]:
    """The findings one scored instrument makes, as (finding, detail) pairs."""
    day = f"{response.administered_at:%b %d}"
    if response.instrument == Instrument.PHQ9 and response.items and response.items[8] > 0:
        return [(Finding.SUICIDAL_IDEATION, f"PHQ-9 item 9 answered {response.items[8]} on {day}")]
    thresholds = {
        Instrument.COWS: ("COWS", COWS_WITHDRAWAL_AT, COWS_SEVERE_AT),
        Instrument.CIWAAR: ("CIWA-Ar", CIWA_WITHDRAWAL_AT, CIWA_SEVERE_AT),
    }
    if response.instrument in thresholds and response.score is not None:
        name, withdrawal_at, severe_at = thresholds[response.instrument]
        detail = f"{name} {response.score} on {day}"
        if response.score >= severe_at:
            return [(Finding.SEVERE_WITHDRAWAL, detail)]
        if response.score >= withdrawal_at:
            return [(Finding.WITHDRAWAL, detail)]
    return []
