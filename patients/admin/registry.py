"""The patient and the chart's simple records in the admin; emergency-access grants read-only."""

from django.contrib import admin

from iop.admin import (
    ENTERED_IN_ERROR_FIELDS,
    PATIENT_SEARCH,
    ChartAdmin,
    NoDeleteInline,
    PatientColumnMixin,
    ReadOnlyMixin,
    adopt_saved,
)

from .. import services
from ..models import (
    BreakGlassAccess,
    CareTeamMember,
    Consent,
    Contact,
    InsurancePolicy,
    Patient,
    PatientAlert,
)


class ContactInline(NoDeleteInline):
    model = Contact
    fields = (
        "name",
        "relationship",
        "phone",
        "email",
        "is_emergency_contact",
        "patient_consents_to_contact",
        "takes_part_in_family_sessions",
    )


class ConsentInline(NoDeleteInline):
    model = Consent
    fields = ("kind", "method", "witness", "granted_on", "expires_on", "recipient", "purpose", "recorded_by")
    autocomplete_fields = ("recorded_by",)


class CareTeamMemberInline(NoDeleteInline):
    model = CareTeamMember
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    show_change_link = False


class InsurancePolicyInline(NoDeleteInline):
    model = InsurancePolicy
    fields = ("payer", "plan_name", "member_id", "group_number", "is_primary", "effective_on", "terminates_on")


@admin.register(Patient)
class PatientAdmin(ChartAdmin):
    list_display = (
        "mrn",
        "legal_last_name",
        "legal_first_name",
        "preferred_name",
        "status",
        "primary_clinician",
        "entered_in_error",
    )
    list_display_links = ("mrn", "legal_last_name")
    list_filter = ("status", "sex_at_birth", "needs_interpreter")
    list_select_related = ("primary_clinician",)
    search_fields = ("mrn", "legal_last_name", "legal_first_name", "preferred_name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("primary_clinician",)
    inlines = (ContactInline, ConsentInline, CareTeamMemberInline, InsurancePolicyInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "mrn",
                    ("legal_first_name", "legal_last_name"),
                    ("preferred_name", "pronouns"),
                    "date_of_birth",
                    ("sex_at_birth", "gender_identity"),
                    "status",
                    "primary_clinician",
                )
            },
        ),
        (
            "Contact",
            {
                "fields": (
                    ("phone", "email"),
                    "preferred_contact_channel",
                    "sms_opted_out_at",
                    ("language", "needs_interpreter"),
                    "address_line1",
                    "address_line2",
                    ("city", "state", "postal_code"),
                )
            },
        ),
        (
            "Emergency contact",
            {"fields": ("emergency_contact_name", "emergency_contact_phone", "emergency_contact_relationship")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "mrn", "sms_opted_out_at")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.is_entered_in_error:
            fieldsets = (*fieldsets, ("Entered in error", {"fields": ENTERED_IN_ERROR_FIELDS}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        if change:
            services.patient_update(patient=obj, updated_by=request.user)
        else:
            adopt_saved(obj, services.patient_create(created_by=request.user, **form.cleaned_data))


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(PatientColumnMixin, ChartAdmin):
    list_display = ("patient_name", "user", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("patient", "user")
    search_fields = (*PATIENT_SEARCH, "user__last_name", "user__first_name", "user__username")
    autocomplete_fields = ("patient", "user")


@admin.register(Contact)
class ContactAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "name",
        "relationship",
        "patient_name",
        "is_emergency_contact",
        "patient_consents_to_contact",
        "entered_in_error",
    )
    list_filter = ("relationship", "is_emergency_contact", "patient_consents_to_contact")
    list_select_related = ("patient",)
    search_fields = ("name", *PATIENT_SEARCH)
    autocomplete_fields = ("patient",)


@admin.register(PatientAlert)
class PatientAlertAdmin(PatientColumnMixin, ChartAdmin):
    list_display = ("patient_name", "kind", "message", "raised_at", "resolved_at", "entered_in_error")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("patient",)
    search_fields = PATIENT_SEARCH
    date_hierarchy = "raised_at"
    autocomplete_fields = ("patient", "raised_by", "resolved_by")
    raw_id_fields = ("source_instrument",)


@admin.register(BreakGlassAccess)
class BreakGlassAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: the trail of emergency access, for the privacy officer."""

    list_display = ("created_at", "user", "patient", "expires_at", "reason")
    list_select_related = ("user", "patient")
    search_fields = ("user__username", "patient__mrn")
    date_hierarchy = "created_at"
