"""Does a Part 2 consent cover this disclosure? (42 CFR §2.31: recipient, purpose, what may be disclosed.)

The consent's "what may be disclosed" is free text written with the patient, so the
sections it covers are read from it conservatively: a section counts only when a clause
names it and no negated clause ("no counseling notes", "except insurance") names it.
When in doubt the answer is no: a disclosure that isn't clearly consented to is refused.
"""

import re

from django.utils import timezone

from patients.constants import ConsentKind

from .constants import DisclosureSection

SECTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    DisclosureSection.DEMOGRAPHICS: ("demographic", "identif", "name and address", "contact information", "birth"),
    DisclosureSection.EPISODES: (
        "episode",
        "admission",
        "admit",
        "discharge",
        "level of care",
        "attendance",
        "dates of treatment",
        "treatment dates",
        "enrol",
    ),
    DisclosureSection.DIAGNOSES: ("diagnos",),
    DisclosureSection.SUBSTANCE_USE: ("substance use", "substance-use", "drug use", "alcohol use", "use history"),
    DisclosureSection.ASSESSMENTS: ("assessment", "screening", "instrument", "phq", "gad-7", "asam", "measurement"),
    DisclosureSection.INSURANCE: ("insurance", "payer", "billing", "payment", "authorization", "coverage"),
}
WHOLE_RECORD = ("entire record", "complete record", "whole record", "full record", "all records", "all information")
NEGATION = re.compile(r"\b(no|not|never|except|excluding|exclude|excludes|without|other than|but not)\b")
CLAUSE_BREAK = re.compile(r"[;,.\n]+")
PURPOSE_BREAK = re.compile(r"[;,\n]+|\band\b|\bor\b|/")


def normalise(text: str) -> str:
    """Case-, space- and punctuation-insensitive form for comparing names and purposes."""
    text = re.sub(r"[^\w\s]", " ", (text or "").casefold())
    return " ".join(text.split())


def covered_sections(consent) -> list[str]:
    """The disclosure sections this consent's "what may be disclosed" names, in display order."""
    included: set[str] = set()
    excluded: set[str] = set()
    for clause in CLAUSE_BREAK.split((consent.information_scope or "").casefold()):
        negated = bool(NEGATION.search(clause))
        named = {code for code, words in SECTION_KEYWORDS.items() if any(word in clause for word in words)}
        if not negated and any(phrase in clause for phrase in WHOLE_RECORD):
            named = set(DisclosureSection.values)
        (excluded if negated else included).update(named)
    return [code for code in DisclosureSection.values if code in included - excluded]


def sections_not_covered(consent, sections) -> list[str]:
    covered = set(covered_sections(consent))
    labels = dict(DisclosureSection.choices)
    return [str(labels.get(code, code)) for code in sections if code not in covered]


def recipient_matches(consent, recipient: str) -> bool:
    return bool(normalise(recipient)) and normalise(recipient) == normalise(consent.recipient)


def purpose_covered(consent, purpose: str) -> bool:
    """The stated purpose is the consent's purpose, or one of the purposes it lists."""
    wanted = normalise(purpose)
    if not wanted:
        return False
    allowed = {normalise(consent.purpose)} | {normalise(part) for part in PURPOSE_BREAK.split(consent.purpose)}
    return wanted in allowed - {""}


def consent_unusable_reason(consent, patient) -> str | None:
    """Why this consent can't authorise any disclosure today, or None when it is active."""
    if consent is None or consent.patient_id != patient.pk or consent.kind != ConsentKind.PART2_DISCLOSURE:
        return "Choose one of this patient's 42 CFR Part 2 disclosure consents."
    today = timezone.localdate()
    if consent.entered_in_error_at is not None:
        return "This consent was entered in error; it cannot authorise a disclosure."
    if consent.revoked_at is not None:
        revoked_on = timezone.localtime(consent.revoked_at)
        return f"The patient revoked this consent on {revoked_on:%m/%d/%Y}. Nothing may be disclosed under it."
    if consent.expires_on is not None and consent.expires_on < today:
        return f"This consent expired on {consent.expires_on:%m/%d/%Y}. Ask the patient for a new one."
    if consent.granted_on > today:
        return f"This consent takes effect on {consent.granted_on:%m/%d/%Y}."
    return None


def disclosure_refusal(*, consent, patient, recipient: str, purpose: str) -> dict[str, str] | None:
    """Why this consent doesn't allow this disclosure (field name → message), or None when it does."""
    unusable = consent_unusable_reason(consent, patient)
    if unusable:
        return {"consent": unusable}
    if not recipient_matches(consent, recipient):
        return {
            "recipient": f"The consent names “{consent.recipient}” as the recipient. "
            "Records may go only to the recipient the patient named."
        }
    if not purpose_covered(consent, purpose):
        return {"purpose": f"The consent covers “{consent.purpose}” only."}
    return None


def consent_copy(consent) -> dict:
    """The consent as it stands now, kept with the disclosure (§2.32(b): a copy accompanies each disclosure)."""
    recorded_by = consent.recorded_by
    return {
        "id": consent.pk,
        "kind": str(consent.get_kind_display()),
        "method": str(consent.get_method_display()),
        "witness": consent.witness,
        "recipient": consent.recipient,
        "purpose": consent.purpose,
        "information_scope": consent.information_scope,
        "granted_on": consent.granted_on.isoformat(),
        "expires_on": consent.expires_on.isoformat() if consent.expires_on else None,
        "recorded_by": (recorded_by.get_full_name() or recorded_by.username) if recorded_by else "",
        "recorded_at": consent.recorded_at.isoformat() if consent.recorded_at else None,
    }
