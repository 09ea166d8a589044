from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models

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

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def role_names(self) -> set[str]:
        # Cached on the instance: templates and access rules ask many times per request.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
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
