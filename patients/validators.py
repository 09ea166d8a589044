import re

from django.core.exceptions import ValidationError

# ICD-10-CM: a letter, two characters, then an optional dot and up to four more.
ICD10_PATTERN = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")


def validate_icd10(value: str) -> None:
    if not ICD10_PATTERN.match(value or ""):
        raise ValidationError(
            "Enter an ICD-10-CM code such as F10.20 (a letter, two characters, a dot and up to four more)."
        )
