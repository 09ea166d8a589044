"""System check: production signs access-log checkpoints with a key of its own."""

from django.conf import settings
from django.core.checks import Error, Tags, register

MINIMUM_KEY_LENGTH = 32


@register(Tags.security)
def checkpoint_key_check(app_configs, **kwargs):
    key = settings.AUDIT_CHECKPOINT_KEY
    if settings.DEBUG or settings.TESTING:
        return []
    if not key or key == settings.AUDIT_CHECKPOINT_DEVELOPMENT_KEY:
        return [
            Error(
                "AUDIT_CHECKPOINT_KEY is not set: the access log's checkpoints cannot be signed.",
                hint="Set it in the environment (never in the database) to a random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'; README: Security.",
                id="audit.E001",
            )
        ]
    if len(key) < MINIMUM_KEY_LENGTH:
        return [
            Error(
                f"AUDIT_CHECKPOINT_KEY is shorter than {MINIMUM_KEY_LENGTH} characters.",
                hint="Use a random value of 32 characters or more.",
                id="audit.E002",
            )
        ]
    return []
