"""The chart in the Django admin: every model, nothing deletable, errors marked with a reason."""

from django import forms
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

from . import services
from .asam import recommend_level_of_care
from .instruments import IncompleteInstrument, score
from .models import (
    AsamAssessment,
    Authorization,
    BreakGlassAccess,
    CareTeamMember,
    Consent,
    Contact,
    Diagnosis,
    Episode,
    InstrumentResponse,
    InsurancePolicy,
    Intake,
    LevelOfCareChange,
    Patient,
    PatientAlert,
    SubstanceUse,
)

# --- Patient and its inlines -----------------------------------------------------------------


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


# --- Consents and coverage -------------------------------------------------------------------


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


# --- Episodes ------------------------------------------------------------------------------


class LevelOfCareChangeInline(NoDeleteInline):
    """The record of step-ups and step-downs; a new change goes through the service (it moves the episode)."""

    model = LevelOfCareChange
    fields = ("effective_on", "from_level", "to_level", "reason", "recorded_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Episode)
class EpisodeAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "patient_name",
        "program",
        "status",
        "level_of_care",
        "admitted_on",
        "discharged_on",
        "primary_clinician",
        "entered_in_error",
    )
    list_filter = ("status", "level_of_care", "program")
    list_select_related = ("patient", "program", "primary_clinician")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "admitted_on"
    autocomplete_fields = ("patient", "program", "primary_clinician", "admitted_by")
    raw_id_fields = ("intake", "assessment")
    inlines = (LevelOfCareChangeInline,)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # Once admitted, the level moves only through a recorded level-of-care change.
        return (*readonly, "level_of_care") if obj is not None else readonly


@admin.register(LevelOfCareChange)
class LevelOfCareChangeAdmin(ChartAdmin):
    list_display = ("patient_name", "from_level", "to_level", "direction", "effective_on", "recorded_by")
    list_filter = ("to_level", "from_level")
    list_select_related = ("episode__patient", "recorded_by")
    search_fields = ("episode__patient__mrn", "episode__patient__legal_last_name", "episode__patient__legal_first_name")
    date_hierarchy = "effective_on"
    raw_id_fields = ("episode",)
    autocomplete_fields = ("recorded_by",)

    @admin.display(description="Patient", ordering="episode__patient__legal_last_name")
    def patient_name(self, obj):
        return obj.episode.patient

    def get_readonly_fields(self, request, obj=None):
        readonly = (*super().get_readonly_fields(request, obj), "from_level")
        return (*readonly, "episode", "to_level", "recorded_by") if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        saved = services.level_of_care_change(
            episode=obj.episode,
            to_level=obj.to_level,
            reason=obj.reason,
            recorded_by=obj.recorded_by,
            effective_on=obj.effective_on,
        )
        adopt_saved(obj, saved)
        return None


# --- Intake, screening and assessment --------------------------------------------------------


@admin.register(Intake)
class IntakeAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "patient_name",
        "status",
        "step",
        "referral_source",
        "referral_date",
        "last_worked_by",
        "updated_at",
        "entered_in_error",
    )
    list_filter = ("status", "step", "referral_source")
    list_select_related = ("patient", "last_worked_by")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "referral_date"
    autocomplete_fields = ("patient", "started_by", "last_worked_by")


class InstrumentResponseAdminForm(forms.ModelForm):
    class Meta:
        model = InstrumentResponse
        fields = ("patient", "intake", "episode", "instrument", "items", "administered_at", "administered_by")
        help_texts = {"items": "The answers in item order, as a list, e.g. [0, 1, 2, 0, 0, 1, 0, 0, 0]."}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk or "items" not in self.fields:
            return cleaned
        items, instrument, patient = cleaned.get("items"), cleaned.get("instrument"), cleaned.get("patient")
        if items is None or not instrument:
            return cleaned
        if not isinstance(items, list):
            self.add_error("items", "Enter the answers as a list, e.g. [0, 1, 2].")
            return cleaned
        try:
            score(instrument, items, sex=patient.sex_at_birth if patient else "")
        except IncompleteInstrument as exc:
            self.add_error("items", "; ".join(f"Item {n}: {message}" for n, message in sorted(exc.errors.items())))
        return cleaned


@admin.register(InstrumentResponse)
class InstrumentResponseAdmin(PatientColumnMixin, ChartAdmin):
    form = InstrumentResponseAdminForm
    list_display = (
        "patient_name",
        "instrument",
        "score",
        "band",
        "is_positive",
        "administered_at",
        "administered_by",
        "entered_in_error",
    )
    list_filter = ("instrument", "band", "is_positive")
    list_select_related = ("patient", "administered_by")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "administered_at"
    autocomplete_fields = ("patient", "administered_by")
    raw_id_fields = ("intake", "episode")
    # Scores are computed from the answers, never typed.
    computed_fields = ("score", "band", "subscales", "is_positive", "sex_for_scoring")

    def get_readonly_fields(self, request, obj=None):
        readonly = (*super().get_readonly_fields(request, obj), *self.computed_fields)
        # Once scored, the answers and what they were scored as stay as they are; correct by marking in error.
        return (*readonly, "patient", "intake", "episode", "instrument", "items") if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        saved = services.instrument_record(
            patient=obj.patient,
            instrument=obj.instrument,
            answers=obj.items,
            administered_by=obj.administered_by,
            administered_at=obj.administered_at,
            intake=obj.intake,
            episode=obj.episode,
        )
        adopt_saved(obj, saved)
        return None


@admin.register(AsamAssessment)
class AsamAssessmentAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "patient_name",
        "assessed_at",
        *AsamAssessment.RATING_FIELDS,
        "recommended_level",
        "assessed_by",
        "entered_in_error",
    )
    list_filter = ("recommended_level",)
    list_select_related = ("patient", "assessed_by")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "assessed_at"
    autocomplete_fields = ("patient", "assessed_by")
    raw_id_fields = ("intake",)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "recommended_level")

    def save_model(self, request, obj, form, change):
        if change:
            obj.recommended_level = recommend_level_of_care(obj.ratings)
            return super().save_model(request, obj, form, change)
        fields = {name: value for name, value in form.cleaned_data.items() if name not in ("patient", "intake")}
        fields["assessed_by"] = fields.get("assessed_by") or request.user
        adopt_saved(obj, services.asam_assessment_record(patient=obj.patient, intake=obj.intake, **fields))
        return None


@admin.register(SubstanceUse)
class SubstanceUseAdmin(PatientColumnMixin, ChartAdmin):
    list_display = ("patient_name", "substance", "is_primary", "route", "frequency", "last_used_on", "entered_in_error")
    list_filter = ("substance", "is_primary", "route", "frequency")
    list_select_related = ("patient",)
    search_fields = PATIENT_SEARCH
    autocomplete_fields = ("patient", "recorded_by")


@admin.register(Diagnosis)
class DiagnosisAdmin(PatientColumnMixin, ChartAdmin):
    list_display = (
        "patient_name",
        "code",
        "description",
        "is_primary",
        "diagnosed_on",
        "resolved_on",
        "entered_in_error",
    )
    list_filter = ("is_primary", ("resolved_on", admin.EmptyFieldListFilter))
    list_select_related = ("patient",)
    search_fields = PATIENT_SEARCH
    date_hierarchy = "diagnosed_on"
    autocomplete_fields = ("patient", "diagnosed_by")


@admin.register(BreakGlassAccess)
class BreakGlassAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: the trail of emergency access, for the privacy officer."""

    list_display = ("created_at", "user", "patient", "expires_at", "reason")
    list_select_related = ("user", "patient")
    search_fields = ("user__username", "patient__mrn")
    date_hierarchy = "created_at"
