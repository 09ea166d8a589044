"""Email through Django's email backend (console in development, SMTP from the environment in production)."""

import hashlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from . import BaseChannel, ProviderResult


def message_id_for(idempotency_key: str) -> str:
    # A stable Message-ID: mail systems drop a second copy of the same id, our best guard for SMTP.
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<{digest}@{domain}>"


class EmailChannel(BaseChannel):
    def __init__(self):
        self.connection = None

    def open(self) -> None:
        self.connection = get_connection()
        self.connection.open()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, message) -> ProviderResult:
        message_id = message_id_for(message.dedupe_key)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": message_id},
            connection=self.connection,
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            return ProviderResult(ok=False, permanent=True, error=f"Recipient refused: {error}"[:500])
        except (smtplib.SMTPException, OSError) as error:
            return ProviderResult(ok=False, error=f"{type(error).__name__}: {error}"[:500])
        return ProviderResult(ok=True, provider_id=message_id)
