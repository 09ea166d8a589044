"""The audit trail in the admin: read-only; nothing can be added, changed or deleted here."""

from django.contrib import admin

from .models import AccessLog, Disclosure


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "patient", "category", "action", "outcome", "ip_address")
    list_filter = ("category", "outcome")
    date_hierarchy = "at"
    search_fields = ("user__username", "patient__mrn")
    list_select_related = ("user", "patient")
    # The admin's own count(*) would scan the whole, ever-growing table on every page.
    show_full_result_count = False


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("disclosed_at", "patient", "recipient", "purpose", "disclosed_by")
    date_hierarchy = "disclosed_at"
    search_fields = ("patient__mrn", "recipient")
    list_select_related = ("patient", "disclosed_by")
    exclude = ("content",)
