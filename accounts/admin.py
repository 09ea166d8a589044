from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import PrivilegeChange, User


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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(sorted(group.name for group in obj.groups.all()))


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
