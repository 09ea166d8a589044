"""SMS backends: a JSON-lines file for development and tests, and a generic HTTP provider."""

import fcntl
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import BaseChannel, ProviderResult


class FileSMSBackend(BaseChannel):
    """Appends one JSON line per text to settings.SMS_FILE_PATH; the file is the provider's "sent log"."""

    def __init__(self):
        self.path = Path(settings.SMS_FILE_PATH)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def find_sent(self, idempotency_key: str) -> str | None:
        # Only asked for retries (a previous attempt may have got through), so a full scan is affordable.
        if not self.path.exists():
            return None
        with self.path.open(encoding="utf-8") as log:
            for line in log:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line torn by a crash mid-write was never "accepted"
                if entry.get("idempotency_key") == idempotency_key:
                    return entry["id"]
        return None

    def send(self, message) -> ProviderResult:
        if settings.SMS_FILE_DELAY_SECONDS:
            time.sleep(settings.SMS_FILE_DELAY_SECONDS)
        provider_id = f"file-{uuid.uuid4().hex[:16]}"
        entry = {
            "id": provider_id,
            "idempotency_key": message.dedupe_key,
            "to": message.recipient,
            "body": message.body,
            "at": timezone.now().isoformat(),
        }
        line = (json.dumps(entry) + "\n").encode()
        # One write(2) under an exclusive lock on an O_APPEND file: concurrent workers never interleave lines.
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
        return ProviderResult(ok=True, provider_id=provider_id)


class ConsoleSMSBackend(FileSMSBackend):
    """The file backend, also echoing each text to stdout for a developer watching the worker.

    The echo leaves out the number: a worker's stdout is its log, and logs carry no contact
    details (the number is in the file, next to the text).
    """

    def send(self, message) -> ProviderResult:
        result = super().send(message)
        sys.stdout.write(f"SMS {result.provider_id} written to {self.path}: {message.body}\n")
        return result


class HttpSMSBackend(BaseChannel):
    """A generic JSON provider: POST {to, body, from, idempotency_key} with a bearer token.

    The provider de-duplicates on the Idempotency-Key header, so a resend after a worker
    crash is accepted once. 4xx answers are permanent (bad number, rejected) except 408
    and 429; 5xx answers, timeouts and connection errors are transient and retried.
    """

    TRANSIENT_CLIENT_ERRORS = frozenset({408, 425, 429})

    def send(self, message) -> ProviderResult:
        payload = {
            "to": message.recipient,
            "body": message.body,
            "from": settings.SMS_FROM_NUMBER,
            "idempotency_key": message.dedupe_key,
        }
        request = urllib.request.Request(  # noqa: S310 (the URL comes from settings, not from users)
            settings.SMS_HTTP_URL,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
                "Idempotency-Key": message.dedupe_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = error.read()[:300].decode(errors="replace")
            permanent = 400 <= error.code < 500 and error.code not in self.TRANSIENT_CLIENT_ERRORS
            return ProviderResult(ok=False, permanent=permanent, error=f"HTTP {error.code}: {detail}"[:500])
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            return ProviderResult(ok=False, error=f"{type(error).__name__}: {error}"[:500])
        except ValueError:
            return ProviderResult(ok=False, error="Provider answered with something that is not JSON.")
        provider_id = str(answer.get("id") or answer.get("sid") or answer.get("message_id") or "")
        return ProviderResult(ok=True, provider_id=provider_id)
