"""Phone numbers as staff type them, stored in E.164 (patients, contacts, SMS webhooks)."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError


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
