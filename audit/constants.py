from django.db import models


class DataCategory(models.TextChoices):
    """What kind of patient data a request looked at."""

    REGISTRY = "registry", "Registry / search"
    DEMOGRAPHICS = "demographics", "Demographics"
    CONTACTS = "contacts", "Contacts and family"
    INSURANCE = "insurance", "Insurance and authorizations"
    CONSENTS = "consents", "Consents"
    INTAKE = "intake", "Intake"
    ASSESSMENTS = "assessments", "Assessments and instruments"
    DIAGNOSES = "diagnoses", "Diagnoses and substance use"
    EPISODES = "episodes", "Episodes of care"
    SCHEDULE = "schedule", "Schedule, calendars and attendance"
    DISCLOSURE = "disclosure", "42 CFR Part 2 disclosure"
    NOTES = "notes", "Session notes"
    TREATMENT_PLAN = "treatment_plan", "Treatment plans"
    AUDIT_REPORT = "audit_report", "Audit report"
    MEDICATIONS = "medications", "Medications"
    DRUG_TESTS = "drug_tests", "Drug tests and sobriety date"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    REFUSED = "refused", "Refused"


# The hash chain starts from this value: the first row's "previous hash".
GENESIS_HASH = "0" * 64

# Key of the PostgreSQL transaction-level advisory lock the sequencer holds while it chains
# rows (any constant unique in this database; "AUDITLOG" in ASCII). Readers never take it:
# a look at a chart writes its row with one INSERT and the sequencer chains it after commit.
ACCESS_LOG_CHAIN_LOCK = 0x4155444954_4C4F47

# How often beat runs the sequencer and writes a signed checkpoint of the chain's head
# (audit/migrations/0007_chain_and_checkpoint_schedule.py creates the rows with these values).
CHAIN_EVERY_SECONDS = 5
CHECKPOINT_EVERY_SECONDS = 300

# The log stream's copy of each checkpoint: one line, this prefix and the checkpoint's JSON,
# so `grep AUDIT_CHECKPOINT` over the collected logs gives a file `audit_verify --checkpoints` reads.
CHECKPOINT_LOGGER = "audit.checkpoints"
CHECKPOINT_LOG_PREFIX = "AUDIT_CHECKPOINT "

# 42 CFR §2.25 (2024 rule): a patient may ask for an accounting of disclosures made with
# consent in the 3 years before the request; HIPAA (45 CFR §164.316(b)(2)) keeps
# documentation 6 years. Disclosure rows are never deleted, so both are met.
DISCLOSURE_ACCOUNTING_YEARS = 3


class DisclosureSection(models.TextChoices):
    """Chart sections a Part 2 disclosure may include. SUD counseling notes are never one of them."""

    DEMOGRAPHICS = "demographics", "Identification and demographics"
    EPISODES = "episodes", "Episodes of care (admission, level of care, discharge)"
    DIAGNOSES = "diagnoses", "Diagnoses"
    SUBSTANCE_USE = "substance_use", "Substance use history"
    ASSESSMENTS = "assessments", "Assessments and screening instruments"
    INSURANCE = "insurance", "Insurance and authorizations"


# 42 CFR §2.32(a)(1), Statement 1, as revised by the 2024 final rule (89 FR 12472,
# Feb. 16, 2024). Every disclosure made with the patient's consent carries it.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony "
    "that describes the information contained in this record, in any civil, criminal, administrative, "
    "or legislative proceedings by any Federal, State, or local authority, against the patient, unless "
    "authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized "
    "by a court in accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from "
    "making any other use or disclosure of this record unless at least one of the following applies: "
    "(i) Further use or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. "
    "(ii) You are a covered entity or business associate and have received the record for treatment, "
    "payment, or health care operations, or (iii) You have received the record from a covered entity or "
    "business associate as permitted by 45 CFR part 164, subparts A and E. A general authorization for "
    "the release of medical or other information is NOT sufficient to meet the required elements of "
    "written consent to further use or redisclose the record (see 42 CFR 2.31)."
)
