from django.contrib import admin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "patient", "category", "action", "outcome", "ip_address")
    list_filter = ("category", "outcome")
    date_hierarchy = "at"
    search_fields = ("user__username", "patient__mrn")
    list_select_related = ("user", "patient")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
