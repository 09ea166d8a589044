"""Staff-account work done outside the request: sending password-reset mail (polled by beat)."""

from celery import shared_task

from .password_reset import password_reset_mails_send


@shared_task(ignore_result=True)
def send_password_reset_mails() -> int:
    """Send the queued reset mails; each row is taken under SKIP LOCKED, so concurrent runs share the work."""
    return password_reset_mails_send()
