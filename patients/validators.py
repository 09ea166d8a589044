import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

# ICD-10-CM: a letter, two characters, then an optional dot and up to four more.
ICD10_PATTERN = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")


def normalize_phone(value: str) -> str:
    """Return the number in E.164 form, or raise ValidationError with a plain message."""
    try:
        parsed = phonenumbers.parse(value, settings.CLINIC_DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError("Enter a phone number such as (617) 555-0142 or +1 617 555 0142.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError("This is not a valid phone number; check the area code and number of digits.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    if value:
        normalize_phone(value)


def validate_icd10(value: str) -> None:
    if not ICD10_PATTERN.match(value or ""):
        raise ValidationError(
            "Enter an ICD-10-CM code such as F10.20 (a letter, two characters, a dot and up to four more)."
        )
