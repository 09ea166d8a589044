"""Delivery channels: each turns one outbound message into one provider call.

A channel has ``send(message) -> ProviderResult`` and ``find_sent(idempotency_key)``,
which returns the provider's id when a message with that key was already accepted
(so a retry after a worker crash does not send it twice), or None when it cannot tell.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from ..constants import Channel


@dataclass(frozen=True)
class ProviderResult:
    ok: bool
    provider_id: str = ""
    # A permanent failure (bad number, rejected) is not retried; a transient one is.
    permanent: bool = False
    error: str = ""


class BaseChannel(ABC):
    """A delivery channel; subclasses say how one message is sent."""

    def open(self) -> None:  # noqa: B027 (optional hook: most channels share nothing)
        """Acquire what a batch of sends shares (an SMTP connection); optional."""

    def close(self) -> None:  # noqa: B027 (optional hook, paired with open)
        """Release what open() acquired."""

    def find_sent(self, idempotency_key: str) -> str | None:
        return None

    @abstractmethod
    def send(self, message) -> ProviderResult:
        """Send one message and report the provider's answer."""


SMS_BACKENDS = {
    "file": "notifications.channels.sms.FileSMSBackend",
    "console": "notifications.channels.sms.ConsoleSMSBackend",
    "http": "notifications.channels.sms.HttpSMSBackend",
}


def channel_for(channel: str) -> BaseChannel:
    """A fresh channel object for one delivery batch."""
    if channel == Channel.EMAIL:
        from .email import EmailChannel

        return EmailChannel()
    backend = SMS_BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    return import_string(backend)()
