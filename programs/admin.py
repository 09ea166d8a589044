from django.contrib import admin

from .models import Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "population",
        "min_weekly_hours",
        "max_weekly_hours",
        "meeting_days",
        "day_starts_at",
        "day_ends_at",
        "typical_length_weeks",
        "is_active",
    )
    list_filter = ("population", "is_active")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
