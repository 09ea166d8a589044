"""Admin for discharges, aftercare plans and alumni check-ins.

A discharge closes an episode and cancels its schedule, so it is made from the chart
(patients/views/discharge.py) where the service runs; here its summary can be corrected
until signed, the aftercare plan edited, and check-ins reviewed.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from iop.admin import PATIENT_SEARCH, ChartAdmin, NoDeleteInline, PatientColumnMixin

from .models import AftercarePlan, AlumniCheckIn, Discharge
from .services.aftercare_plans import AFTERCARE_FIELDS, aftercare_plan_save
from .services.checkins import alumni_checkins_make_due
from .services.discharge import discharge_update


class AlumniCheckInInline(NoDeleteInline):
    model = AlumniCheckIn
    fields = ("days_after_discharge", "due_on", "completed_at", "reached", "using", "readmission_needed")
    readonly_fields = fields
    can_add = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Discharge)
class DischargeAdmin(PatientColumnMixin, ChartAdmin):
    list_display = ("patient_name", "discharged_on", "discharge_type", "recorded_by", "signed_at")
    list_filter = ("discharge_type", "discharged_on")
    search_fields = PATIENT_SEARCH
    list_select_related = ("patient", "recorded_by")
    date_hierarchy = "discharged_on"
    inlines = [AlumniCheckInInline]
    readonly_fields = (
        "episode",
        "patient",
        "discharged_on",
        "discharge_type",
        "next_level_of_care",
        "recorded_by",
        "signed_at",
        "signed_by",
        "summary_facts",
    )
    fields = (*readonly_fields[:5], "referred_to", "reason", "summary", *readonly_fields[5:])

    def has_add_permission(self, request):
        return False  # discharge from the chart: the service closes the episode and its schedule

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_signed:
            return (*self.readonly_fields, "referred_to", "reason", "summary")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            discharge_update(
                discharge=obj, by=request.user, summary=obj.summary, reason=obj.reason, referred_to=obj.referred_to
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))


@admin.register(AftercarePlan)
class AftercarePlanAdmin(ChartAdmin):
    list_display = ("discharge", "outpatient_provider", "updated_by", "updated_at")
    search_fields = tuple(f"discharge__{field}" for field in PATIENT_SEARCH)
    list_select_related = ("discharge__patient", "updated_by")
    readonly_fields = ("discharge", "updated_by")
    fields = ("discharge", *AFTERCARE_FIELDS, "updated_by")

    def has_add_permission(self, request):
        return False  # written from the discharge page, which knows the discharge

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in AFTERCARE_FIELDS}
        aftercare_plan_save(discharge=obj.discharge, by=request.user, **fields)


@admin.register(AlumniCheckIn)
class AlumniCheckInAdmin(PatientColumnMixin, ChartAdmin):
    list_display = ("patient_name", "days_after_discharge", "due_on", "task_created_at", "completed_at", "reached")
    list_filter = ("days_after_discharge", "due_on", "reached", "readmission_needed")
    search_fields = PATIENT_SEARCH
    list_select_related = ("patient",)
    actions = ["mark_entered_in_error", "make_due_now"]
    readonly_fields = (
        "discharge",
        "patient",
        "days_after_discharge",
        "task_created_at",
        "completed_at",
        "completed_by",
        "reached",
        "using",
        "attending_support_groups",
        "employed_or_in_school",
        "readmitted_elsewhere",
        "readmission_needed",
        "notes",
        "referral",
    )
    fields = ("due_on", *readonly_fields)

    def has_add_permission(self, request):
        return False  # scheduled by the discharge

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "make_due_now" not in actions:
            actions["make_due_now"] = self.get_action("make_due_now")
        return actions

    @admin.action(description="Put check-ins due by today on work lists now")
    def make_due_now(self, request, queryset):
        count = alumni_checkins_make_due()
        messages.success(request, f"{count} check-in(s) put on work lists.")
