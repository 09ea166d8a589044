"""Admin for drug testing, random draws and program clinical policies.

Panels, analytes and policies are configuration admins edit. Tests, results and draws are
records: they change through the chart's services, so here they are read-only (a test
entered by mistake is marked entered in error).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from iop.admin import PATIENT_SEARCH, ChartAdmin, NoDeleteInline, PatientColumnMixin, ReadOnlyMixin

from .models import (
    Analyte,
    AnalyteResult,
    DrugTest,
    DrugTestResultSet,
    Panel,
    PanelAnalyte,
    ProgramClinicalPolicy,
    RandomDraw,
    SobrietyDate,
)


@admin.register(Analyte)
class AnalyteAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "default_cutoff", "unit", "display_order", "is_active")
    list_editable = ("default_cutoff", "display_order", "is_active")
    search_fields = ("name", "code")

    def has_delete_permission(self, request, obj=None):
        # Past results point at their analyte; retire one with "is active" instead.
        return False


class PanelAnalyteInline(admin.TabularInline):
    model = PanelAnalyte
    extra = 1
    fields = ("analyte", "cutoff")
    autocomplete_fields = ("analyte",)


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ("name", "specimen", "method", "is_active")
    list_filter = ("specimen", "method", "is_active")
    search_fields = ("name",)
    inlines = [PanelAnalyteInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgramClinicalPolicy)
class ProgramClinicalPolicyAdmin(SimpleHistoryAdmin):
    list_display = (
        "program",
        "random_testing_enabled",
        "weekly_testing_rate",
        "longest_gap_days",
        "testing_days",
        "phq9_every_days",
        "gad7_every_days",
        "bam_every_days",
    )
    fieldsets = (
        (None, {"fields": ("program",)}),
        (
            "Random drug testing",
            {
                "fields": (
                    "random_testing_enabled",
                    "weekly_testing_rate",
                    "longest_gap_days",
                    "testing_days",
                    "random_panel",
                ),
                "description": "Each testing day every active patient is drawn with probability "
                "1 − (1 − weekly rate)^(1 / testing days a week); near the longest gap, a random day of the "
                "last few testing days draws the patient (never a fixed day), and the last one always does.",
            },
        ),
        ("Measurement-based care", {"fields": ("phq9_every_days", "gad7_every_days", "bam_every_days")}),
    )


@admin.register(RandomDraw)
class RandomDrawAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("draw_date", "program", "eligible_count", "drawn_count", "daily_probability", "rng_source")
    list_filter = ("program",)
    date_hierarchy = "draw_date"
    readonly_fields = [field.name for field in RandomDraw._meta.fields]

    @admin.display(description="Eligible")
    def eligible_count(self, obj):
        return len(obj.eligible_patient_ids)

    @admin.display(description="Drawn")
    def drawn_count(self, obj):
        return len(obj.drawn)


class AnalyteResultInline(ReadOnlyMixin, NoDeleteInline):
    model = AnalyteResult
    fields = ("analyte", "outcome", "level", "cutoff")
    readonly_fields = fields
    show_change_link = False


class DrugTestResultSetInline(ReadOnlyMixin, NoDeleteInline):
    model = DrugTestResultSet
    fields = ("method", "resulted_at", "lab_name", "accession_number", "recorded_by")
    readonly_fields = fields


@admin.register(DrugTest)
class DrugTestAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "patient_name",
        "ordered_at",
        "reason",
        "specimen",
        "method",
        "status",
        "flag_count",
        "entered_in_error",
    )
    list_filter = ("status", "reason", "specimen", "method", "validity")
    list_select_related = ("patient",)
    search_fields = PATIENT_SEARCH
    date_hierarchy = "ordered_at"
    inlines = [DrugTestResultSetInline]
    # The life of a test (collect, send, result) goes through the chart's services; only notes are typed here.
    readonly_fields = (
        "patient", "episode", "panel", "reason", "specimen", "method", "observed", "status", "random_draw",
        "ordered_at", "ordered_by", "collected_at", "collector", "temperature_in_range", "validity", "sent_at",
        "lab_name", "resulted_at", "not_collected_reason", "findings", "flag_count",
    )  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DrugTestResultSet)
class DrugTestResultSetAdmin(ChartAdmin):
    list_display = ("drug_test", "method", "resulted_at", "lab_name", "entered_in_error")
    list_filter = ("method",)
    inlines = [AnalyteResultInline]
    readonly_fields = ("drug_test", "method", "resulted_at", "lab_name", "accession_number", "recorded_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SobrietyDate)
class SobrietyDateAdmin(PatientColumnMixin, ChartAdmin):
    list_display = ("patient_name", "sober_since", "reason", "set_by", "updated_at")
    list_select_related = ("patient", "set_by")
    search_fields = PATIENT_SEARCH
    readonly_fields = ("patient", "sober_since", "reason", "set_by")

    def has_add_permission(self, request, obj=None):
        # Set and reset on the chart (with the reason), so the history reads as the clinic's.
        return False


@admin.register(PanelAnalyte)
class PanelAnalyteAdmin(admin.ModelAdmin):
    list_display = ("panel", "analyte", "cutoff")
    list_filter = ("panel",)
    list_select_related = ("panel", "analyte")


@admin.register(AnalyteResult)
class AnalyteResultAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("result_set", "analyte", "outcome", "level", "cutoff")
    list_filter = ("outcome", "analyte")
    list_select_related = ("result_set", "analyte")
    readonly_fields = ("result_set", "analyte", "outcome", "level", "cutoff")
