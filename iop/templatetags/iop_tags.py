import phonenumbers
from django import template
from django.conf import settings

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """Show a stored E.164 number the way staff dial it: "+16175550142" → "(617) 555-0142"."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, settings.CLINIC_DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return value
    region = phonenumbers.region_code_for_number(parsed)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.CLINIC_DEFAULT_PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)
