from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .mfa import mfa_enrolment_code_issue
from .models import MFAEnrolmentCode, PrivilegeChange, User


class PrivilegeChangeInline(admin.TabularInline):
    model = PrivilegeChange
    fk_name = "user"
    fields = ("at", "attribute", "before", "after", "changed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Privilege changes (audit trail)"
    ordering = ("-at", "-pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "credentials", "roles", "is_active", "last_login")
    list_filter = ("is_active", "groups", "in_training", "programs")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("groups", "user_permissions", "programs")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Clinic", {"fields": ("credentials", "phone", "supervisor", "in_training", "programs")}),
    )
    autocomplete_fields = ("supervisor",)
    inlines = [PrivilegeChangeInline]
    actions = ["issue_mfa_enrolment_codes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(sorted(group.name for group in obj.groups.all()))

    @admin.action(description="Issue a one-time MFA enrolment code", permissions=["change"])
    def issue_mfa_enrolment_codes(self, request, queryset):
        """Show each selected user's new code once, to be handed over in person or by phone, never by email."""
        issued, refused = [], []
        for user in queryset.order_by("username"):
            try:
                row, code = mfa_enrolment_code_issue(user=user, issued_by=request.user)
            except ValidationError as error:
                refused.append((user, error.messages[0]))
            else:
                issued.append((user, code, row.expires_at))
        context = {
            **self.admin_site.each_context(request),
            "title": "MFA enrolment codes",
            "opts": self.model._meta,
            "issued": issued,
            "refused": refused,
        }
        response = TemplateResponse(request, "registration/mfa_enrolment_codes_issued.html", context)
        # The page holds codes that must not stay in a browser's or a proxy's cache.
        add_never_cache_headers(response)
        return response


@admin.register(PrivilegeChange)
class PrivilegeChangeAdmin(admin.ModelAdmin):
    """Read-only: the trail of role grants and account-flag changes is append-only."""

    list_display = ("at", "user", "attribute", "before", "after", "changed_by")
    list_filter = ("attribute",)
    date_hierarchy = "at"
    search_fields = ("user__username", "changed_by__username")
    list_select_related = ("user", "changed_by")
    readonly_fields = ("at", "user", "attribute", "before", "after", "changed_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MFAEnrolmentCode)
class MFAEnrolmentCodeAdmin(admin.ModelAdmin):
    """Read-only: who was given an enrolment code, by whom, and whether it was used. Codes are issued from Users."""

    list_display = ("user", "issued_by", "created_at", "expires_at", "used_at", "voided_at", "failed_attempts")
    list_filter = (("used_at", admin.EmptyFieldListFilter), ("voided_at", admin.EmptyFieldListFilter))
    date_hierarchy = "created_at"
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = ("user", "issued_by")
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# django-otp's own admin lets an administrator display anyone's TOTP secret as a QR code,
# which would let them clone a colleague's second factor. Here devices can only be listed
# and removed (a lost phone: the owner enrols a new one at the next sign-in).
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


class DeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(TOTPDevice, DeviceAdmin)
admin.site.register(StaticDevice, DeviceAdmin)
