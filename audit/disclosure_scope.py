"""Does a Part 2 consent cover this disclosure? (42 CFR §2.31: who, to whom, why, what, until when.)

What may be disclosed is decided by structure only: the sections the consent allows (one
column per packet section, confirmed by a named person). The patient's own words are kept
on the consent and copied into every packet, but nothing here reads them. A consent from
before the sections were structured allows nothing until a person confirms them, and a
verbal one never does.
"""

import re

from django.utils import timezone

from patients.constants import PART2_REVOCATION_STATEMENT, PART2_WRITTEN_METHODS, ConsentKind

from .constants import DisclosureSection

PURPOSE_BREAK = re.compile(r"[;,\n]+|\band\b|\bor\b|/")


def normalise(text: str) -> str:
    """Case-, space- and punctuation-insensitive form for comparing names and purposes."""
    text = re.sub(r"[^\w\s]", " ", (text or "").casefold())
    return " ".join(text.split())


def sections_not_covered(consent, sections) -> list[str]:
    """Labels of the sections asked for that the consent does not allow (unknown codes included)."""
    allowed = set(consent.allowed_sections)
    labels = dict(DisclosureSection.choices)
    return [str(labels.get(code, code)) for code in sections if code not in allowed]


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
    """Why this consent can't authorise any disclosure today, or None when it can."""
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
    if consent.method not in PART2_WRITTEN_METHODS:
        return (
            "This consent was given verbally; a 42 CFR Part 2 disclosure needs written consent (§2.31). "
            "Ask the patient to sign a new one, on paper or on screen."
        )
    if consent.needs_section_confirmation or not consent.allowed_sections:
        return (
            "Needs confirmation: this consent was recorded before the sections of the record were chosen "
            "one by one, so it allows nothing until someone records, from the signed consent, which "
            "sections the patient agreed to (Consents tab)."
        )
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


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def consent_copy(consent) -> dict:
    """The consent as it stands now, kept with the disclosure (§2.32(b): a copy accompanies each disclosure)."""
    return {
        "id": consent.pk,
        "kind": str(consent.get_kind_display()),
        "method": str(consent.get_method_display()),
        "witness": consent.witness,
        "disclosing_program": consent.disclosing_program,
        "recipient": consent.recipient,
        "purpose": consent.purpose,
        "sections": consent.allowed_sections,
        "section_labels": [str(label) for label in consent.allowed_section_labels],
        "information_scope": consent.information_scope,
        "revocation_statement": PART2_REVOCATION_STATEMENT if consent.revocation_right_stated else "",
        "signed_copy_attached": bool(consent.document),
        "signature_name": consent.signature_name,
        "signed_at": consent.signed_at.isoformat() if consent.signed_at else None,
        "granted_on": consent.granted_on.isoformat(),
        "expires_on": consent.expires_on.isoformat() if consent.expires_on else None,
        "sections_confirmed_by": _name(consent.sections_confirmed_by),
        "recorded_by": _name(consent.recorded_by),
        "recorded_at": consent.recorded_at.isoformat() if consent.recorded_at else None,
    }
