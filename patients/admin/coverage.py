"""Consents, insurance policies and authorizations in the admin."""

from django.contrib import admin

from iop.admin import (
    PATIENT_SEARCH,
    ChartAdmin,
    NoDeleteInline,
    PatientColumnMixin,
)

from ..models import (
    Authorization,
    Consent,
    InsurancePolicy,
)


@admin.register(Consent)
class ConsentAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "patient_name",
        "kind",
        "method",
        "granted_on",
        "expires_on",
        "revoked_at",
        "active",
        "entered_in_error",
    )
    list_filter = ("kind", "method", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("patient",)
    search_fields = PATIENT_SEARCH
    date_hierarchy = "granted_on"
    autocomplete_fields = ("patient", "recorded_by")

    @admin.display(description="Active", boolean=True)
    def active(self, obj):
        return obj.is_active


class AuthorizationInline(NoDeleteInline):
    model = Authorization
    fields = (
        "number",
        "level_of_care",
        "starts_on",
        "ends_on",
        "units_authorized",
        "unit",
        "units_used",
        "next_review_on",
    )


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "patient_name",
        "payer",
        "plan_name",
        "is_primary",
        "effective_on",
        "terminates_on",
        "entered_in_error",
    )
    list_filter = ("is_primary", "payer")
    list_select_related = ("patient",)
    search_fields = PATIENT_SEARCH
    autocomplete_fields = ("patient",)
    inlines = (AuthorizationInline,)


@admin.register(Authorization)
class AuthorizationAdmin(ChartAdmin):
    list_display = (
        "number",
        "patient_name",
        "policy",
        "level_of_care",
        "starts_on",
        "ends_on",
        "units_authorized",
        "units_used",
        "units_remaining",
        "next_review_on",
        "entered_in_error",
    )
    list_filter = ("level_of_care", "unit")
    list_select_related = ("policy__patient",)
    search_fields = ("policy__patient__mrn", "policy__patient__legal_last_name", "policy__patient__legal_first_name")
    date_hierarchy = "ends_on"
    raw_id_fields = ("policy",)

    @admin.display(description="Patient", ordering="policy__patient__legal_last_name")
    def patient_name(self, obj):
        return obj.policy.patient

    @admin.display(description="Remaining")
    def units_remaining(self, obj):
        return obj.units_remaining
