"""Signal receivers: privilege changes are audited, login starts the clocks, and deactivation,
a new password or a removed authenticator end the user's sessions."""

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .constants import AUDITED_USER_FLAGS, PrivilegeAttribute
from .models import User
from .privileges import forget_on_instance, generation_advance, privileges_of, user_version_advance
from .services import privilege_change_record, user_sessions_end

# Session keys written at login and read by accounts.middleware.SessionTimeoutMiddleware.
SESSION_LOGIN_AT = "iop_login_at"
SESSION_LAST_ACTIVITY = "iop_last_activity"


@receiver(user_logged_in)
def start_session_clocks(sender, request, user, **kwargs):
    now = timezone.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_ACTIVITY] = now


@receiver(user_logged_in)
def read_privileges_at_sign_in(sender, request, user, **kwargs):
    # Read once here (into the shared cache), so that the first page is as cheap as the next.
    forget_on_instance(user)
    privileges_of(user)


@receiver(pre_save, sender=User)
def remember_privilege_flags(sender, instance: User, raw=False, **kwargs):
    if raw:
        return
    flags = [str(flag) for flag in AUDITED_USER_FLAGS]
    previous = User.objects.filter(pk=instance.pk).values(*flags).first() if instance.pk else None
    if previous is None:
        # A new account: granting staff or superuser status at creation is a grant too.
        previous = {"is_staff": False, "is_superuser": False, "is_active": instance.is_active}
    instance._privilege_flag_changes = [
        (flag, previous[flag], getattr(instance, flag)) for flag in flags if previous[flag] != getattr(instance, flag)
    ]
    instance._privileges_flags_changed = bool(instance._privilege_flag_changes)


@receiver(post_save, sender=User)
def audit_privilege_flags(sender, instance: User, raw=False, **kwargs):
    changes = getattr(instance, "_privilege_flag_changes", [])
    instance._privilege_flag_changes = []
    for flag, before, after in changes:
        privilege_change_record(user=instance, attribute=PrivilegeAttribute(flag), before=before, after=after)
        if flag == PrivilegeAttribute.IS_ACTIVE and not after:
            # Only once the deactivation is committed, or a rolled-back edit would still log them out.
            transaction.on_commit(lambda user=instance: user_sessions_end(user=user))


@receiver(post_save, sender=User)
def end_sessions_after_password_change(sender, instance: User, created=False, raw=False, **kwargs):
    # set_password() keeps the new password in _password until the save; a hash upgraded at
    # sign-in (same password, new hasher) does not, and ends nothing. No sign-in yet, no session.
    if created or raw or instance._password is None or instance.last_login is None:
        return
    # Every session signed in with the old password ends; the one whose own password change this
    # is carries the new password's hash (update_session_auth_hash) and stays.
    transaction.on_commit(lambda user=instance: user_sessions_end(user=user, keep_current_password=True))


@receiver(post_delete, sender=TOTPDevice)
def end_sessions_after_authenticator_removed(sender, instance: TOTPDevice, **kwargs):
    # An admin removing a user's authenticator (a lost phone) resets their MFA: a session
    # verified with that phone must not outlive it. A pending device never verified anything.
    if instance.confirmed:
        transaction.on_commit(lambda user_id=instance.user_id: _end_sessions_of(user_id))


def _end_sessions_of(user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        user_sessions_end(user=user)


def _group_names(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@receiver(m2m_changed, sender=User.groups.through)
def audit_role_grants(sender, instance, action, reverse, model, pk_set, **kwargs):
    # Forward: user.groups.add(group); reverse: group.user_set.add(user).
    if reverse:
        users = list(User.objects.filter(pk__in=pk_set)) if pk_set else list(instance.user_set.all())
        group_names = {instance.name}
    else:
        users = [instance]
        group_names = set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)) if pk_set else set()

    if action == "pre_clear":
        for user in users:
            user._groups_before_clear = _group_names(user)
        if reverse:
            instance._users_before_clear = users
        return
    if action == "post_clear":
        cleared = instance._users_before_clear if reverse else users
        for user in cleared:
            before = group_names if reverse else getattr(user, "_groups_before_clear", set())
            after = _group_names(user)
            if reverse:
                before = after | group_names
            if before != after:
                privilege_change_record(user=user, attribute=PrivilegeAttribute.GROUPS, before=before, after=after)
        return
    if action not in {"post_add", "post_remove"} or not pk_set:
        return
    for user in users:
        after = _group_names(user)
        before = after - group_names if action == "post_add" else after | group_names
        # The role names cached on the instance would otherwise be stale.
        forget_on_instance(user)
        privilege_change_record(user=user, attribute=PrivilegeAttribute.GROUPS, before=before, after=after)


# Anything that can change what a user may do makes cached roles and permissions stale
# (accounts.privileges): a user's roles, direct grants or flags make theirs stale; a role's
# grants, or a deleted role or permission, everyone's.
@receiver(m2m_changed)
def privileges_changed_by_grant(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "pre_clear", "post_clear"}:
        return
    if sender is Group.permissions.through:
        if action != "pre_clear":
            generation_advance()
        return
    if sender not in (User.groups.through, User.user_permissions.through):
        return
    if not reverse:
        forget_on_instance(instance)
        user_version_advance([instance.pk])
    elif action == "pre_clear":
        # group.user_set.clear(): the members are known only before.
        user_version_advance(list(instance.user_set.values_list("pk", flat=True)))
    elif pk_set:
        user_version_advance(pk_set)


@receiver(post_save, sender=User)
def privileges_changed_by_account(sender, instance: User, created=False, raw=False, **kwargs):
    if not raw and not created and getattr(instance, "_privileges_flags_changed", False):
        instance._privileges_flags_changed = False
        forget_on_instance(instance)
        user_version_advance([instance.pk])


@receiver(post_delete, sender=User)
def privileges_changed_by_account_deletion(sender, instance: User, **kwargs):
    user_version_advance([instance.pk])


@receiver(post_delete, sender=Group)
@receiver(post_delete, sender=Permission)
def privileges_changed_by_deletion(sender, **kwargs):
    generation_advance()
