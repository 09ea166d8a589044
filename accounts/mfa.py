"""MFA with django-otp: a TOTP authenticator app plus ten one-time recovery codes.

The first authenticator is enrolled only with a one-time enrolment code an admin issues.
"""

import logging
import secrets
from base64 import b32encode
from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import MFAEnrolmentCode, User

logger = logging.getLogger(__name__)

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

# Enrolment codes are read out or handed over and typed by hand: no 0/O or 1/I to confuse.
# 12 characters of 32 are 60 bits: beyond guessing in the few tries allowed before the code is void.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 12
ENROLMENT_CODE_GONE = "Your enrolment code has expired or was replaced. Ask an administrator for a new one."


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user, so reloading the page keeps the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it typed by hand."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// provisioning URI as an inline SVG QR code (no script, no external image)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with a fresh set; each code works once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def normalize_enrolment_code(code: str) -> str:
    """As issued: upper case, without the spaces and hyphens people type between groups."""
    return "".join(character for character in code.upper() if character.isalnum())


def format_enrolment_code(code: str) -> str:
    """In groups of four for reading out: ``ABCD-EFGH-JKLM``."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def mfa_enrolment_code_issue(*, user: User, issued_by: User | None) -> tuple[MFAEnrolmentCode, str]:
    """A new one-time enrolment code for a user with no authenticator; any earlier open code is void.

    Returns the row and the code itself, which is shown once to whoever issued it and stored only hashed.
    """
    if has_confirmed_totp(user):
        raise ValidationError(
            f"{user.get_username()} already has an authenticator app. If the phone is lost, remove it "
            "under Admin → TOTP devices first."
        )
    if not user.is_active:
        raise ValidationError(f"{user.get_username()} is not active.")
    code = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        MFAEnrolmentCode.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True).update(voided_at=now)
        row = MFAEnrolmentCode(
            user=user,
            issued_by=issued_by,
            code_hash=make_password(code),
            expires_at=now + timedelta(hours=settings.MFA_ENROLMENT_CODE_HOURS),
        )
        row.full_clean()
        row.save()
    logger.info("MFA enrolment code %s issued for user %s by user %s", row.pk, user.pk, getattr(issued_by, "pk", None))
    return row, format_enrolment_code(code)


def mfa_enrolment_code_check(*, user: User, code: str) -> MFAEnrolmentCode | None:
    """The user's open enrolment code if ``code`` is it; a wrong code counts, and enough of them void it."""
    now = timezone.now()
    with transaction.atomic():
        row = MFAEnrolmentCode.objects.open(now=now).filter(user=user).select_for_update().first()
        if row is None:
            logger.warning("MFA enrolment code refused for user %s: none open", user.pk)
            return None
        if check_password(normalize_enrolment_code(code), row.code_hash):
            return row
        # The row is locked, so two wrong codes at once both count.
        row.failed_attempts += 1
        if row.failed_attempts >= settings.MFA_ENROLMENT_CODE_MAX_ATTEMPTS:
            row.voided_at = now
        row.save(update_fields=["failed_attempts", "voided_at"])
    logger.warning(
        "Wrong MFA enrolment code for user %s (%s so far%s)",
        user.pk,
        row.failed_attempts,
        ", now void" if row.voided_at else "",
    )
    return None


def mfa_enrolment_code_is_open(*, user: User, code_id: int | None, now: datetime | None = None) -> bool:
    """Whether the code this session accepted may still be used (not used, void or expired since)."""
    if code_id is None:
        return False
    return MFAEnrolmentCode.objects.open(now=now or timezone.now()).filter(pk=code_id, user=user).exists()


def totp_enrolment_confirm(*, device: TOTPDevice, token: str, enrolment_code_id: int) -> bool:
    """Confirm the pending device if the first code is right, using up the enrolment code.

    The enrolment code is claimed in the same transaction by a conditional update, so two
    tabs cannot both use it; a code used, void or expired meanwhile is a ValidationError.
    Other pending devices are dropped.
    """
    with transaction.atomic():
        if not device.verify_token(token):
            return False
        now = timezone.now()
        claimed = (
            MFAEnrolmentCode.objects.open(now=now).filter(pk=enrolment_code_id, user=device.user).update(used_at=now)
        )
        if not claimed:
            raise ValidationError(ENROLMENT_CODE_GONE)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    logger.info("Authenticator enrolled for user %s with enrolment code %s", device.user_id, enrolment_code_id)
    return True


def totp_token_verify(*, user: User, token: str) -> bool:
    """Whether the user's authenticator app (not a recovery code) accepts this code now; each code works once."""
    with transaction.atomic():
        return any(device.verify_token(token) for device in TOTPDevice.objects.filter(user=user, confirmed=True))


def device_matching_token(*, user: User, token: str):
    """The confirmed device (TOTP or recovery codes) that accepts this token, or None.

    Each device checks its own throttling; TOTP refuses a code at or before the last
    one used (``last_t``) and a recovery code is deleted when used, so no code works twice.
    """
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None
