"""Admin for outcomes: each program's TEDS identifiers (set here), and the measures and exports (read here).

Outcome measures are recorded on the chart's forms, where their service keeps the outcome facts
current; here they are read and, if wrong, marked entered in error. The fact tables are derived and
not shown: ``manage.py outcomes_rebuild`` recounts them.
"""

from django.contrib import admin

from iop.admin import PATIENT_SEARCH, ChartAdmin, NoDeleteInline, PatientColumnMixin, ReadOnlyMixin

from .models import AdmissionProfile, OutcomeMeasures, ProgramReporting, SubstanceDays, TedsClient, TedsExport


@admin.register(ProgramReporting)
class ProgramReportingAdmin(admin.ModelAdmin):
    list_display = ("program", "state_fips", "provider_id")
    search_fields = ("program__name", "provider_id")
    autocomplete_fields = ("program",)


class SubstanceDaysInline(ReadOnlyMixin, NoDeleteInline):
    model = SubstanceDays
    fields = ("substance", "days", "rank", "route", "first_use_age")
    readonly_fields = fields


@admin.register(OutcomeMeasures)
class OutcomeMeasuresAdmin(PatientColumnMixin, ChartAdmin):
    list_display = ("patient_name", "point", "asked_on", "employment", "living_arrangement", "arrests", "recorded_by")
    list_filter = ("point", "employment", "living_arrangement")
    list_select_related = ("patient", "recorded_by")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "asked_on"
    inlines = (SubstanceDaysInline,)
    readonly_fields = (
        "episode", "patient", "point", "checkin", "asked_on", "employment", "not_in_labor_force", "in_school",
        "living_arrangement", "arrests", "self_help_times", "recorded_by",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False  # recorded on the chart, where the service keeps the outcome facts current


@admin.register(AdmissionProfile)
class AdmissionProfileAdmin(PatientColumnMixin, ChartAdmin):
    list_display = ("patient_name", "episode", "race", "ethnicity", "primary_payer", "recorded_by")
    list_select_related = ("patient", "episode__program", "recorded_by")
    search_fields = PATIENT_SEARCH
    readonly_fields = (
        "episode", "patient", "race", "ethnicity", "marital_status", "education", "veteran", "pregnant",
        "prior_episodes", "medication_planned", "co_occurring", "health_insurance", "primary_payer", "recorded_by",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False  # recorded on the chart's admission measures form


@admin.register(TedsClient)
class TedsClientAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("client_id", "patient", "created_at")
    search_fields = ("client_id", "patient__mrn")
    list_select_related = ("patient",)


@admin.register(TedsExport)
class TedsExportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "exported_at", "exported_by", "period_start", "period_end", "file_format", "admission_records",
        "discharge_records", "excluded_records",
    )  # fmt: skip
    list_filter = ("file_format",)
    date_hierarchy = "exported_at"
    list_select_related = ("exported_by",)
