from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from .constants import PrivilegeAttribute, Role


class User(AbstractUser):
    """A staff member. Patients never log in."""

    credentials = models.CharField(max_length=60, blank=True, help_text="e.g. LCSW, LADC, MD, CADC-II")
    phone = models.CharField(max_length=32, blank=True)
    supervisor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supervisees")
    in_training = models.BooleanField(
        default=False, help_text="Staff in training need a supervisor's co-signature on their notes."
    )
    programs = models.ManyToManyField("programs.Program", blank=True, related_name="staff")

    # Never filtered, searched or sorted in the admin (iop.admin_site): a prefix oracle on the hash.
    sensitive_fields = ("password",)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def role_names(self) -> set[str]:
        # Cached on the instance: templates and access rules ask many times per request.
        if not hasattr(self, "_role_names"):
            from .privileges import privileges_of  # its backend needs the app registry ready

            self._role_names = privileges_of(self)[0] if self.pk else set()
        return self._role_names

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_names.intersection(roles))

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or Role.ADMIN in self.role_names

    @property
    def primary_role(self) -> str:
        for role in Role:
            if role.value in self.role_names:
                return role.label
        return "Administrator" if self.is_superuser else "Staff"


class PrivilegeChangeQuerySet(models.QuerySet):
    # Append-only: the audit trail of who granted what is never rewritten by the application.
    def update(self, **kwargs):
        raise PermissionDenied("Privilege changes are append-only.")

    def delete(self):
        raise PermissionDenied("Privilege changes are append-only.")


class PrivilegeChange(models.Model):
    """One change to a staff member's roles or account flags: who changed whom, what, before and after."""

    at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the change came from a script or management command.",
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="privilege_changes")
    attribute = models.CharField(max_length=20, choices=PrivilegeAttribute.choices)
    before = models.CharField(max_length=500, blank=True)
    after = models.CharField(max_length=500, blank=True)

    objects = PrivilegeChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The admin's "privilege changes of this user", newest first.
            models.Index(fields=["user", "-at"], name="accounts_privchange_user_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.attribute}: {self.before!r} → {self.after!r}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Privilege changes are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Privilege changes are append-only.")


class MFAEnrolmentCodeQuerySet(models.QuerySet):
    def open(self, *, now):
        """Codes that may still enrol an authenticator: not used, not void, not expired."""
        return self.filter(used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now)


class MFAEnrolmentCode(models.Model):
    """A one-time code an admin issues so a user can enrol a first authenticator; only its hash is kept.

    The password alone must not be enough to add a second factor (a stolen password would
    otherwise let a thief enrol their own phone before the owner does).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mfa_enrolment_codes")
    issued_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when issued from the command line (manage.py mfa_enrolment_code).",
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(
        null=True, blank=True, help_text="A newer code replaced it, or too many wrong codes were typed."
    )
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    objects = MFAEnrolmentCodeQuerySet.as_manager()

    # The hash of a one-time code is a secret (iop.admin_site): never filtered, searched or listed.
    sensitive_fields = ("code_hash",)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "MFA enrolment code"
        constraints = [
            # Issuing a code voids the previous one; its index also serves "this user's open code".
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, voided_at__isnull=True),
                name="accounts_mfaenrolmentcode_one_open_per_user",
                violation_error_message="This user already has an enrolment code that is neither used nor void.",
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(voided_at__isnull=True),
                name="accounts_mfaenrolmentcode_used_or_void_not_both",
                violation_error_message="An enrolment code is either used or void, not both.",
            ),
        ]

    def __str__(self):
        return f"Enrolment code for {self.user} (issued {self.created_at:%Y-%m-%d %H:%M})"


class PasswordResetMail(models.Model):
    """A password-reset request waiting for the worker, which looks the address up and sends the mail.

    The web request only writes this row, whether or not the address has an account, so
    both answers cost the same; the row is deleted once handled, so addresses typed by
    strangers are not kept.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    email = models.EmailField(max_length=254)
    # Where the link in the mail points: the host the request came to (checked against ALLOWED_HOSTS).
    domain = models.CharField(max_length=255)
    use_https = models.BooleanField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    sensitive_fields = ("email",)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        indexes = [
            # The worker's poll: rows due now, oldest first (accounts.password_reset.password_reset_mails_send).
            models.Index(fields=["next_attempt_at"], name="accounts_pwresetmail_due"),
        ]

    def __str__(self):
        return f"Password reset mail #{self.pk}"
