"""Writes for staff accounts: the privilege audit trail and ending sessions."""

from collections.abc import Iterable

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .constants import PrivilegeAttribute
from .models import PrivilegeChange, User


def acting_user() -> User | None:
    """The signed-in user of the request being served, if any (set by simple_history's middleware)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def _describe(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(sorted(str(item) for item in value)) or "(none)"
    return str(value)


def privilege_change_record(*, user: User, attribute: PrivilegeAttribute, before, after) -> PrivilegeChange:
    """Append one row to the privilege audit trail (who changed whom, what, before and after)."""
    change = PrivilegeChange(
        user=user,
        changed_by=acting_user(),
        attribute=attribute,
        before=_describe(before)[:500],
        after=_describe(after)[:500],
    )
    change.full_clean()
    change.save()
    return change


def user_sessions_end(*, user: User) -> int:
    """Delete every live session of this user (deactivation must take effect at once); return how many."""
    user_id = str(user.pk)
    # Session data is encoded, so the owner is found by decoding; a clinic has at most a few
    # hundred live sessions, and this runs only when an account is deactivated.
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    with transaction.atomic():
        Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)
