"""The patient and the chart's simple records in the admin; emergency-access grants read-only; chart merge."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from audit.constants import DataCategory
from audit.services import access_log_record
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
    DuplicateOverride,
    InsurancePolicy,
    Patient,
    PatientAlert,
    PatientMerge,
)
from ..services.merge import MERGE_PERMISSION


class PatientMergeForm(forms.Form):
    survivor_mrn = forms.CharField(
        label="MRN of the chart to keep",
        max_length=12,
        help_text="Every record of this chart moves onto that one; this chart is then closed as merged.",
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why these are one person: what you checked (ID, date of birth, address, phone).",
    )

    def clean_survivor_mrn(self):
        mrn = "".join(self.cleaned_data["survivor_mrn"].split())
        survivor = Patient.objects.valid().filter(mrn=mrn).first()
        if survivor is None:
            raise ValidationError("No chart in use has this MRN.")
        self.survivor = survivor
        return mrn


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
    change_form_template = "admin/patients/patient/change_form.html"
    actions = [*ChartAdmin.actions, "merge_two_charts"]
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
        return (*super().get_readonly_fields(request, obj), "mrn", "sms_opted_out_at", "merged_into")

    def has_merge_permission(self, request, obj=None):
        return request.user.has_perm(MERGE_PERMISSION)

    def get_urls(self):
        merge = path(
            "<path:object_id>/merge/",
            self.admin_site.admin_view(self.merge_view),
            name="patients_patient_merge",
        )
        return [merge, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_merge": self.has_merge_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Merge two charts of one person", permissions=["merge"])
    def merge_two_charts(self, request, queryset):
        charts = list(queryset.valid().order_by("created_at", "pk")[:3])
        if len(charts) != 2:
            self.message_user(request, "Select exactly two charts in use to merge.", messages.ERROR)
            return None
        # The later chart is usually the duplicate; the merge page lets the admin swap them.
        kept, duplicate = charts
        return redirect(f"{reverse('admin:patients_patient_merge', args=[duplicate.pk])}?survivor_mrn={kept.mrn}")

    def merge_view(self, request, object_id):
        """Choose the chart to keep, see what will move, confirm with a reason: services.patient_merge."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        duplicate = get_object_or_404(Patient.objects.valid(), pk=object_id)
        data = request.POST if request.method == "POST" else (request.GET if "survivor_mrn" in request.GET else None)
        form = PatientMergeForm(data)
        plan = None
        if form.is_bound and form.is_valid():
            survivor = form.survivor
            try:
                plan = services.merge_plan(duplicate=duplicate, survivor=survivor)
            except ValidationError as error:
                form.add_error("survivor_mrn", error)
            else:
                for chart in (duplicate, survivor):
                    access_log_record(
                        request=request, category=DataCategory.DEMOGRAPHICS, action="merge preview", patient=chart
                    )
                # Confirmed only for the chart whose summary was on screen, never one typed after it.
                confirmed = "confirm" in request.POST and request.POST.get("previewed_mrn") == survivor.mrn
                if request.method == "POST" and confirmed and not plan.conflicts:
                    try:
                        services.patient_merge(
                            duplicate=duplicate, survivor=survivor, by=request.user, reason=form.cleaned_data["reason"]
                        )
                    except ValidationError as error:
                        form.add_error(None, error)  # a dict names its field, a list goes on top
                    else:
                        self.message_user(
                            request,
                            f"MRN {duplicate.mrn} merged into MRN {survivor.mrn}: {plan.total_moving} records moved.",
                            messages.SUCCESS,
                        )
                        return redirect("admin:patients_patient_change", survivor.pk)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge chart MRN {duplicate.mrn} into another",
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "original": duplicate,
            "duplicate": duplicate,
            "form": form,
            "plan": plan,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/patients/patient/merge.html", context)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.is_entered_in_error:
            fieldsets = (*fieldsets, ("Entered in error", {"fields": ENTERED_IN_ERROR_FIELDS}))
        if obj is not None and obj.merged_into_id:
            fieldsets = (*fieldsets, ("Merged", {"fields": ("merged_into",)}))
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


@admin.register(DuplicateOverride)
class DuplicateOverrideAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: charts registered although the near-duplicate check listed matches, with the reason given."""

    list_display = ("created_at", "patient", "registered_by", "reason")
    list_select_related = ("patient", "registered_by")
    search_fields = ("patient__mrn", "registered_by__username")
    date_hierarchy = "created_at"
    fields = ("created_at", "patient", "registered_by", "reason", "candidates")
    readonly_fields = fields


@admin.register(PatientMerge)
class PatientMergeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: which chart went into which, who merged them and why, and the ids of the rows moved."""

    list_display = ("created_at", "merged", "survivor", "merged_by", "reason")
    list_select_related = ("merged", "survivor", "merged_by")
    search_fields = ("merged__mrn", "survivor__mrn")
    date_hierarchy = "created_at"
    fields = ("created_at", "merged", "survivor", "merged_by", "reason", "moved", "kept")
    readonly_fields = fields
