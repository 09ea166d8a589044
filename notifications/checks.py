"""System checks: the neutral clinic name must not itself reveal treatment (42 CFR Part 2)."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def clinic_name_is_neutral(app_configs, **kwargs):
    from .services import forbidden_words_in

    found = forbidden_words_in(settings.CLINIC_NEUTRAL_NAME)
    if not found:
        return []
    return [
        Error(
            f"CLINIC_NEUTRAL_NAME contains {', '.join(found)}; every text and email would reveal treatment.",
            hint="Choose a neutral name such as 'Riverside Health' (42 CFR Part 2).",
            id="notifications.E001",
        )
    ]
