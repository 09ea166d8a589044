"""Password reset by email: the request queues one row whatever the address; a worker looks it up and sends.

Looking the address up and sending the mail during the request would make an address with an
account answer more slowly than one without, telling a stranger which addresses are staff
(OWASP ASVS 2.2 / WSTG-IDNT-04). Here the request does the same work either way: it counts the
request against its client and its address, and writes one row. A beat-polled task
(``accounts.tasks.send_password_reset_mails``) finds the accounts and sends the links.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from redis.exceptions import RedisError

from .models import PasswordResetMail, User

logger = logging.getLogger(__name__)

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
BODY_TEMPLATE = "registration/password_reset_email.html"
# Rows one poll sends at most; the next poll (beat, every 30 s) takes the rest.
BATCH_SIZE = 50


def _counter_key(kind: str, value: str) -> str:
    # A keyed hash: the cache holds no address, and a key cannot be matched to one without SECRET_KEY.
    digest = salted_hmac("accounts.password_reset.rate_limit", f"{kind}:{value}").hexdigest()[:40]
    return f"password-reset:{kind}:{digest}"


def _count(key: str, window: int) -> int:
    """Add this request to the counter behind ``key``; the window opens with the first request."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:
        # The window ended between the two calls: this request opens the next one.
        cache.set(key, 1, timeout=window)
        return 1


def password_reset_refusal(*, email: str, client: str) -> str | None:
    """Count this request against its client, then its address; the limit it exceeds, if any.

    A request refused for its client does not count against the address, so one client
    cannot use up an address's allowance beyond its own. If the cache does not answer, the
    request is allowed (a reset link is how a locked-out clinician gets back in) and logged.
    """
    window = settings.PASSWORD_RESET_RATE_WINDOW_SECONDS
    try:
        if _count(_counter_key("client", client), window) > settings.PASSWORD_RESET_MAX_PER_CLIENT:
            return "per-client"
        if _count(_counter_key("address", email.casefold()), window) > settings.PASSWORD_RESET_MAX_PER_ADDRESS:
            return "per-address"
    except (RedisError, OSError) as error:
        logger.error("Password reset rate limits not checked (cache unavailable: %s)", type(error).__name__)
    return None


def password_reset_request(*, email: str, client: str, domain: str, use_https: bool) -> bool:
    """Queue a reset mail for ``email`` unless a rate limit refuses it; whether it was queued.

    Nothing here depends on whether the address has an account. The caller answers the same
    page either way; a refusal is logged with the limit and the client, never the address.
    """
    refusal = password_reset_refusal(email=email, client=client)
    if refusal is not None:
        logger.warning("Password reset refused: %s limit reached (client %s)", refusal, client)
        return False
    PasswordResetMail.objects.create(email=email, domain=domain, use_https=use_https)
    return True


def _reset_mail(user: User, row: PasswordResetMail) -> EmailMultiAlternatives:
    # The context Django's PasswordResetForm gives these templates.
    context = {
        "email": user.email,
        "domain": row.domain,
        "site_name": settings.CLINIC_NEUTRAL_NAME,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if row.use_https else "http",
    }
    subject = "".join(loader.render_to_string(SUBJECT_TEMPLATE, context).splitlines())
    body = loader.render_to_string(BODY_TEMPLATE, context)
    return EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _send_one(*, now: datetime) -> bool:
    """Send the oldest due row's mails and delete it, in one short transaction; False when none is due."""
    with transaction.atomic():
        # SKIP LOCKED: two workers never take the same row. A worker killed mid-send leaves the
        # row in place, so the link is sent again later: a second reset mail is harmless, a lost one is not.
        row = (
            PasswordResetMail.objects.select_for_update(skip_locked=True)
            .filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if row is None:
            return False
        if row.created_at < now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT):
            logger.warning("Password reset mail %s dropped: asked for longer ago than a link lasts", row.pk)
            row.delete()
            return True
        # Django's own rule: active accounts with a usable password whose address matches.
        users = list(PasswordResetForm().get_users(row.email))
        try:
            for user in users:
                _reset_mail(user, row).send()
        except (smtplib.SMTPException, OSError) as error:
            row.attempts += 1
            # The error's text may hold the address: log its type only.
            if row.attempts >= settings.PASSWORD_RESET_MAIL_MAX_ATTEMPTS:
                logger.error(
                    "Password reset mail %s given up after %s attempts (%s)", row.pk, row.attempts, type(error).__name__
                )
                row.delete()
            else:
                row.next_attempt_at = now + timedelta(minutes=2 ** (row.attempts - 1))
                row.save(update_fields=["attempts", "next_attempt_at"])
                logger.warning(
                    "Password reset mail %s not sent (%s); retry %s", row.pk, type(error).__name__, row.attempts
                )
            return True
        row.delete()
    return True


def password_reset_mails_send(*, now: datetime | None = None) -> int:
    """Send the reset mails that are due (the worker's poll); how many requests were handled."""
    now = now or timezone.now()
    handled = 0
    while handled < BATCH_SIZE and _send_one(now=now):
        handled += 1
    return handled
