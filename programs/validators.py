from django.core.exceptions import ValidationError

from .constants import WEEKDAY_CODES


def validate_meeting_days(value: str) -> None:
    codes = [code.strip().upper() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in WEEKDAY_CODES]
    if unknown:
        raise ValidationError(
            f"Use weekday codes MO, TU, WE, TH, FR, SA, SU separated by commas (not {', '.join(unknown)})."
        )
    if len(set(codes)) != len(codes):
        raise ValidationError("Name each meeting day once.")
