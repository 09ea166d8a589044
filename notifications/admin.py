"""The outbox in the Django admin: failed messages filtered in one click, retried with an action."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .constants import MessageStatus
from .models import OutboundMessage, StaffTask


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("dedupe_key", "patient", "channel", "template", "status", "error_code", "send_after", "attempts")
    list_filter = ("status", "error_code", "channel", "template")
    search_fields = ("dedupe_key", "patient__mrn", "provider_message_id")
    raw_id_fields = ("patient",)
    date_hierarchy = "send_after"
    actions = ("retry_now", "cancel")
    # The outbox is written by services only: a hand-edited body could break 42 CFR Part 2.
    readonly_fields = (
        "patient",
        "channel",
        "template",
        "subject",
        "body",
        "dedupe_key",
        "send_after",
        "status",
        "next_attempt_at",
        "claimed_at",
        "claimed_by",
        "attempts",
        "error_code",
        "last_error",
        "recipient",
        "provider_message_id",
        "sent_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry now (failed messages)", permissions=["change"])
    def retry_now(self, request, queryset):
        count = services.message_retry(queryset=queryset)
        skipped = queryset.exclude(status=MessageStatus.PENDING).count()
        messages.success(request, f"{count} message(s) queued again; {skipped} not failed, left alone.")

    @admin.action(description="Cancel (messages not yet sent)", permissions=["change"])
    def cancel(self, request, queryset):
        count = services.message_cancel(queryset=queryset)
        messages.success(request, f"{count} message(s) cancelled.")


@admin.register(StaffTask)
class StaffTaskAdmin(SimpleHistoryAdmin):
    list_display = ("title", "assignee", "kind", "status", "due_at", "snoozed_until")
    list_filter = ("status", "kind")
    search_fields = ("title", "dedupe_key", "assignee__username", "assignee__last_name", "patient__mrn")
    raw_id_fields = ("assignee", "patient", "escalated_from", "done_by")
    date_hierarchy = "due_at"
    readonly_fields = ("dedupe_key", "escalated_from", "done_at", "done_by", "created_at", "updated_at")
