"""Consents: recording them (a Part 2 disclosure consent written and structured), confirming old ones, revoking."""

import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..constants import PART2_WRITTEN_METHODS, ConsentKind, ConsentMethod
from ..models import (
    Consent,
)
from ..models.consents import SECTION_FIELDS
from ..text import fold
from .common import validated_save

VERBAL_REFUSED = (
    "A 42 CFR Part 2 disclosure consent must be written (§2.31): signed on paper and attached, "
    "or signed on screen. Verbal consent is not accepted."
)


def _name_words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", fold(text)).split()


def signature_matches(patient, signature: str) -> bool:
    """The typed signature is the patient's legal name: first name first, last name last, middle names allowed."""
    typed, first, last = (
        _name_words(signature),
        _name_words(patient.legal_first_name),
        _name_words(patient.legal_last_name),
    )
    if not typed or not first or not last or len(typed) < len(first) + len(last):
        return False
    return typed[: len(first)] == first and typed[-len(last) :] == last


def _section_errors(sections: Sequence[str]) -> dict[str, str]:
    unknown = [code for code in sections if code not in SECTION_FIELDS]
    if unknown:
        return {"sections": f"Not a section a disclosure packet can carry: {', '.join(map(str, unknown))}."}
    if not sections:
        return {"sections": "Tick the sections of the record the patient agreed may be disclosed."}
    return {}


def _part2_elements_errors(consent: Consent) -> dict[str, str]:
    """The elements of §2.31(a) besides the signature and the sections, each next to its field."""
    errors = {}
    if not consent.disclosing_program.strip():
        errors["disclosing_program"] = "Name the program the patient allows to disclose the records."
    if not consent.recipient.strip():
        errors["recipient"] = "Name who may receive the records."
    if not consent.purpose.strip():
        errors["purpose"] = "Say why the records may be disclosed."
    if consent.expires_on is None:
        errors["expires_on"] = "A Part 2 disclosure consent says when it expires."
    if not consent.revocation_right_stated:
        errors["revocation_right_stated"] = (
            "The consent must state the patient's right to revoke it and how (42 CFR §2.31(a)). "
            "Use a consent form that says so."
        )
    return errors


def _allow_sections(consent: Consent, sections: Sequence[str], *, by) -> None:
    chosen = set(sections)
    for code, field in SECTION_FIELDS.items():
        setattr(consent, field, code in chosen)
    consent.sections_confirmed_at = timezone.now()
    consent.sections_confirmed_by = by


def _save_keeping_storage_clean(consent: Consent, *, new_document: bool) -> Consent:
    """Validate and save; a newly attached file does not stay in storage when the row is not saved."""
    consent.full_clean()
    try:
        consent.save()
    except Exception:
        # The file was written by the field's pre_save, before the INSERT that failed.
        if new_document and consent.document.name:
            consent.document.storage.delete(consent.document.name)
        raise
    return consent


@transaction.atomic
def consent_record(*, consent: Consent, recorded_by, sections: Sequence[str] = (), signature: str = "") -> Consent:
    """Record a consent built by the chart's form.

    A Part 2 disclosure consent is written (the signed paper attached, or signed on screen with
    the patient's typed name, the recording clinician witnessing), names every element of
    §2.31(a) and allows exactly the sections ticked: the patient's own words decide nothing.
    """
    if consent.recorded_by_id is None:
        consent.recorded_by = recorded_by
    signature = signature.strip()
    errors: dict[str, str] = {}
    if consent.kind == ConsentKind.PART2_DISCLOSURE:
        if consent.method not in PART2_WRITTEN_METHODS:
            errors["method"] = VERBAL_REFUSED
        errors.update(_section_errors(sections))
        errors.update(_part2_elements_errors(consent))
        if consent.method == ConsentMethod.SIGNED and not consent.document:
            errors["document"] = "Attach the scan of the consent the patient signed on paper."
        if consent.method == ConsentMethod.ELECTRONIC and not signature:
            errors["signature"] = "Have the patient type their full name to sign on screen."
    elif sections:
        errors["sections"] = "Only a 42 CFR Part 2 disclosure consent allows sections of the record."
    if signature:
        if consent.method != ConsentMethod.ELECTRONIC:
            errors["signature"] = "A typed signature is for a consent signed on screen."
        elif not signature_matches(consent.patient, signature):
            errors["signature"] = f"The patient signs with their full legal name ({consent.patient.legal_name})."
        elif consent.granted_on != timezone.localdate():
            errors["granted_on"] = "A consent signed on screen is signed today."
    if errors:
        raise ValidationError(errors)
    if consent.kind == ConsentKind.PART2_DISCLOSURE:
        _allow_sections(consent, sections, by=recorded_by)
    if signature:
        consent.signature_name = signature
        consent.signed_at = timezone.now()
    return _save_keeping_storage_clean(consent, new_document=bool(consent.document))


@transaction.atomic
def consent_sections_confirm(
    *,
    consent: Consent,
    confirmed_by,
    sections: Sequence[str],
    disclosing_program: str,
    revocation_right_stated: bool,
    document=None,
) -> Consent:
    """Record which sections a Part 2 consent from before structured sections allows, read from what the patient signed.

    Until then it allows nothing. Once recorded, the sections of a signed consent do not change:
    a different scope is a new consent.
    """
    consent = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("patient", "sections_confirmed_by")
        .get(pk=consent.pk)
    )
    if consent.kind != ConsentKind.PART2_DISCLOSURE:
        raise ValidationError("Only a 42 CFR Part 2 disclosure consent allows sections of the record.")
    if consent.sections_confirmed_at is not None:
        by = consent.sections_confirmed_by
        raise ValidationError(
            f"The sections of this consent were recorded by {by.get_full_name() or by.username} on "
            f"{timezone.localtime(consent.sections_confirmed_at):%m/%d/%Y}. They don't change: "
            "for another scope, record a new consent."
        )
    if consent.entered_in_error_at is not None or consent.revoked_at is not None:
        raise ValidationError("This consent was revoked or entered in error: there is nothing to confirm.")
    if consent.method not in PART2_WRITTEN_METHODS:
        raise ValidationError(
            "This consent was given verbally, which is not enough for a 42 CFR Part 2 disclosure (§2.31). "
            "Record a new consent, signed on paper or on screen."
        )
    consent.disclosing_program = disclosing_program.strip()
    consent.revocation_right_stated = revocation_right_stated
    if document:
        consent.document = document
    errors = {**_section_errors(sections), **_part2_elements_errors(consent)}
    if not consent.document and not consent.signed_at:
        errors["document"] = "Attach the scan of the consent the patient signed."
    if errors:
        raise ValidationError(errors)
    _allow_sections(consent, sections, by=confirmed_by)
    return _save_keeping_storage_clean(consent, new_document=bool(document))


@transaction.atomic
def consent_revoke(*, consent: Consent, by, reason: str) -> Consent:
    if consent.revoked_at:
        raise ValidationError("This consent is already revoked.")
    if not reason.strip():
        raise ValidationError({"reason": "Record how and why the patient revoked the consent."})
    consent.revoked_at = timezone.now()
    consent.revocation_reason = reason.strip()
    return validated_save(consent)
