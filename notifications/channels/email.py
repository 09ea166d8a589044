"""Email through Django's email backend (files under var/mail/ in development, SMTP in production).

Each email's Message-ID is derived from the outbox row's dedupe key, so a resend after a
worker crash is the same email, not a second one: mail stores and clients keep one copy per
Message-ID (SMTP itself has no way to ask whether an earlier attempt got through). Where the
backend keeps what it sent (the development files, the tests' outbox), ``find_sent`` looks the
Message-ID up there and the resend does not happen at all.
"""

import hashlib
import smtplib
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage, get_connection

from . import BaseChannel, ProviderResult

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def message_id_for(idempotency_key: str) -> str:
    # A hash: the dedupe key names the patient's id, which has no business in a mail header.
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<{digest}@{domain}>"


def _in_mail_files(message_id: str) -> bool:
    header = f"Message-ID: {message_id}".encode()
    return any(header in path.read_bytes() for path in Path(settings.EMAIL_FILE_PATH).glob("*.log"))


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

    def find_sent(self, idempotency_key: str) -> str | None:
        message_id = message_id_for(idempotency_key)
        if settings.EMAIL_BACKEND == FILE_BACKEND:
            found = _in_mail_files(message_id)
        elif settings.EMAIL_BACKEND == LOCMEM_BACKEND:
            found = any(sent.extra_headers.get("Message-ID") == message_id for sent in getattr(mail, "outbox", []))
        else:
            return None
        return message_id if found else None

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
