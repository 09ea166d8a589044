"""System checks: what patients receive and how it is delivered.

- the neutral clinic name must not itself reveal treatment (42 CFR Part 2);
- with DEBUG off, messages go to a real provider: the development backends write patients'
  addresses and texts to a file or the console (a worker's console is its log);
- an outbox claim cannot be taken over while its worker is alive and sending.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

# Django's email backends that deliver nothing: they print, write files or keep mail in memory.
DEVELOPMENT_EMAIL_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "filebased", "locmem", "dummy")
)


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


def _sms_backend_class():
    from .channels import SMS_BACKENDS

    return import_string(SMS_BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND))


@register()
def production_delivers_to_providers(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    from .channels.sms import FileSMSBackend

    errors = []
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} with DEBUG off: reminders and password resets "
                "would never reach anyone, and patients' addresses would land in files or the log.",
                hint="Unset EMAIL_BACKEND (SMTP) and set EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, "
                "EMAIL_HOST_PASSWORD and EMAIL_USE_TLS.",
                id="notifications.E002",
            )
        )
    try:
        sms_backend = _sms_backend_class()
    except ImportError as error:
        errors.append(Error(f"SMS_BACKEND cannot be loaded: {error}", id="notifications.E006"))
    else:
        if issubclass(sms_backend, FileSMSBackend):
            errors.append(
                Error(
                    f"SMS_BACKEND is {settings.SMS_BACKEND!r} with DEBUG off: texts would be written to "
                    f"{settings.SMS_FILE_PATH} on this server instead of reaching patients.",
                    hint="Set SMS_BACKEND=http with SMS_HTTP_URL and SMS_HTTP_TOKEN (your provider's).",
                    id="notifications.E003",
                )
            )
    return errors


@register(deploy=True)
def sms_provider_is_configured(app_configs, **kwargs):
    if settings.DEBUG or settings.SMS_BACKEND != "http":
        return []
    errors = []
    if not settings.SMS_HTTP_URL.startswith("https://"):
        errors.append(
            Error(
                "SMS_HTTP_URL must be the provider's https:// address: texts carry appointment times "
                "and phone numbers.",
                id="notifications.E004",
            )
        )
    if not settings.SMS_HTTP_TOKEN:
        errors.append(
            Error("SMS_HTTP_TOKEN is empty: the SMS provider will refuse every text.", id="notifications.E004")
        )
    return errors


@register()
def claims_outlive_a_send(app_configs, **kwargs):
    heartbeat = settings.NOTIFICATIONS_CLAIM_HEARTBEAT_SECONDS
    stale = settings.NOTIFICATIONS_STALE_CLAIM_SECONDS
    # No EMAIL_TIMEOUT means an SMTP server that stops answering holds the send forever.
    email_timeout = float("inf") if settings.EMAIL_TIMEOUT is None else settings.EMAIL_TIMEOUT
    send_timeout = max(settings.SMS_HTTP_TIMEOUT_SECONDS, email_timeout)
    if heartbeat > 0 and heartbeat + send_timeout < stale:
        return []
    return [
        Error(
            f"NOTIFICATIONS_CLAIM_HEARTBEAT_SECONDS ({heartbeat:g}) plus the longest provider timeout "
            f"({send_timeout:g} s) must be below NOTIFICATIONS_STALE_CLAIM_SECONDS ({stale:g}): otherwise "
            "another worker can take over a message that a live worker is still sending, and send it again.",
            hint="Keep the defaults (heartbeat 5 s, stale 20 s, timeouts 10 s) or raise the stale limit.",
            id="notifications.E005",
        )
    ]
