from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(sorted(group.name for group in obj.groups.all()))
