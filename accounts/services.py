"""Writes for staff accounts: the privilege audit trail and ending sessions."""

from collections.abc import Iterable

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
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


def user_sessions_end(*, user: User, keep_current_password: bool = False) -> int:
    """Delete every live session of this user at once; return how many.

    With ``keep_current_password``, only sessions signed in with an earlier password end:
    after a password change the session that made it carries the new password's hash
    (Django's ``update_session_auth_hash``) and stays signed in.
    """
    user_id = str(user.pk)
    current_hash = user.get_session_auth_hash() if keep_current_password else ""
    # Session data is encoded, so the owner is found by decoding; a clinic has at most a few
    # hundred live sessions, and this runs only when an account is deactivated, a password or
    # an authenticator changes, or a user signs out everywhere.
    doomed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if data.get(SESSION_KEY) != user_id:
            continue
        if current_hash and constant_time_compare(data.get(HASH_SESSION_KEY, ""), current_hash):
            continue
        doomed.append(session.session_key)
    with transaction.atomic():
        Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)
