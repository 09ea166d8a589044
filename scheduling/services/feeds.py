"""Private iCalendar feed tokens: stored hashed, revocable."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from ..models import CalendarFeedToken


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_token_create(*, user) -> str:
    """Revoke the user's feed URL (if any) and issue a new one; the token is shown once and stored only hashed."""
    CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.create(user=user, token_hash=hash_feed_token(token))
    return token


@transaction.atomic
def calendar_feed_token_revoke(*, user) -> int:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def feed_user_for_token(token: str):
    """The clinician a live feed token belongs to, or None."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeedToken.objects.filter(token_hash=hash_feed_token(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
