"""Signing staff in for tests through the real second factor (django-otp), not around it."""

import time

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import TOTP_DEVICE_NAME


def confirmed_totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator device, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    return device


def current_totp_token(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the user's phone would show now; ``offset_steps`` looks ahead or back."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def unused_totp_token(device: TOTPDevice) -> str:
    """A code the device will still accept: the current one, or the next if the current was just used.

    A device accepts one step of clock drift either way (``tolerance``), and refuses any
    step at or before the last one used, so a second sign-in within 30 seconds uses the next step.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time = (device.last_t + 1) * device.step + device.t0
    return f"{totp.token():0{device.digits}d}"


def mark_session_verified(client, device: TOTPDevice) -> None:
    """Record in the client's session what django_otp.login() records after a correct code."""
    session = client.session
    assert session.get(SESSION_KEY) == str(device.user_id), "log the user in before verifying"
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def login_verified(client, user):
    """Log ``user`` in on the Django test client with a confirmed TOTP device and a verified session."""
    device = confirmed_totp_device(user)
    client.force_login(user)
    mark_session_verified(client, device)
    return client


def session_is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def session_exists(session_key: str) -> bool:
    """Whether this session key is still in the session store."""
    return SessionStore().exists(session_key)
