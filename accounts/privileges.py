"""A staff member's roles and permissions, read from the database once per privilege change.

Every signed-in page asks ``has_perm`` for its navigation and its view, and ``has_role`` for
the access rule: Django's ModelBackend answers with two queries (the user's own and their
groups' permissions) and ``role_names`` with a third, on every request, although they change
only when someone changes a role, a grant or an account flag, which the privilege trail
records (accounts.signals). So they are kept in the shared cache, stamped with two
numbers: the user's own *version*, moved on when their roles or account flags change, and a
*generation* for everyone, moved on when a role's grants change. An entry with an older
stamp is never used again. A request thus costs one cache read instead of three queries.

The numbers are read before the database, so an entry written while a change commits
carries the older stamp and is thrown away at the next request. If the cache does not
answer, the database is asked, as Django would; nothing is ever granted from a stale entry.
"""

import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "privileges:generation"
# A generation change makes an entry useless at once; expiry bounds the damage of a change made
# while the cache was unreachable (its advance lost) to five minutes.
ENTRY_SECONDS = 300


def _entry_key(user_id: int) -> str:
    return f"privileges:user:{user_id}"


def _version_key(user_id: int) -> str:
    return f"privileges:user:{user_id}:version"


def generation_advance() -> None:
    """Make every user's cached roles and permissions stale (a role's grants changed).

    Now, so that this transaction's own later reads (and a test's, which never commits) see the
    change; and again after the commit, because a request that read the database between the
    two would otherwise have cached the old privileges under the new number.
    """
    _advance(GENERATION_KEY)
    transaction.on_commit(lambda: _advance(GENERATION_KEY))


def user_version_advance(user_ids) -> None:
    """Make these users' cached roles and permissions stale (their roles or flags changed)."""
    keys = [_version_key(user_id) for user_id in user_ids if user_id]
    for key in keys:
        _advance(key)
    transaction.on_commit(lambda: [_advance(key) for key in keys])


def _advance(key: str) -> None:
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except Exception as error:
        # Entries made before stay usable until they expire (ENTRY_SECONDS): the bound on how
        # long a change made while the cache was down can go unseen.
        logger.error("Privilege cache not advanced (cache unavailable: %s)", type(error).__name__)


def _load(user) -> tuple[set[str], set[str]]:
    """(role names, permission strings) of an active user, straight from the database."""
    role_names = set(user.groups.values_list("name", flat=True))
    permissions = set(ModelBackend().get_all_permissions(user))
    return role_names, permissions


def _cache_is_shared() -> bool:
    """A change made in one web process must reach the others: only a shared cache (Redis) may
    hold privileges, or the one process of ``make run`` (DEBUG), whose memory cache is its own."""
    backend = settings.CACHES["default"]["BACKEND"]
    return settings.DEBUG or not backend.endswith("LocMemCache")


def privileges_of(user) -> tuple[set[str], set[str]]:
    """The user's role names and permissions, from the cache when its generation is current."""
    cached = getattr(user, "_privileges", None)
    if cached is not None:
        return cached
    if not _cache_is_shared():
        user._privileges = _load(user)
        return user._privileges
    try:
        found = cache.get_many([GENERATION_KEY, _version_key(user.pk), _entry_key(user.pk)])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            # Never set (a fresh cache): start one, then read it back so all processes agree.
            cache.add(GENERATION_KEY, 1, timeout=None)
            generation = cache.get(GENERATION_KEY)
        version = found.get(_version_key(user.pk), 0)
    except Exception as error:
        # Fall back to the database, as without a cache.
        logger.warning("Privilege cache unavailable (%s): read from the database", type(error).__name__)
        user._privileges = _load(user)
        return user._privileges
    entry = found.get(_entry_key(user.pk))
    # The account's creation time tells apart two accounts that got the same id (a restored
    # or re-created database in front of a cache that outlived it).
    joined = user.date_joined.isoformat() if user.date_joined else ""
    stamp = (generation, version, joined)
    if entry is not None and tuple(entry[0]) == stamp:
        user._privileges = (set(entry[1]), set(entry[2]))
        return user._privileges
    role_names, permissions = _load(user)
    if generation is not None:
        try:
            cache.set(_entry_key(user.pk), (stamp, sorted(role_names), sorted(permissions)), ENTRY_SECONDS)
        except Exception as error:
            logger.warning("Privilege cache not written (%s)", type(error).__name__)
    user._privileges = (role_names, permissions)
    return user._privileges


def forget_on_instance(user) -> None:
    """Drop what this User object remembers (a change made through it, in this request)."""
    for attribute in ("_privileges", "_perm_cache", "_user_perm_cache", "_group_perm_cache", "_role_names"):
        user.__dict__.pop(attribute, None)


class CachedPermissionBackend(ModelBackend):
    """ModelBackend whose permission sets come from :func:`privileges_of`."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        return privileges_of(user_obj)[1]
