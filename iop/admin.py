"""What every app's admin shares: clinical records are never deleted, only marked entered in error."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from .models import ClinicalRecord

# Search by MRN and names only: the admin search box must not become a lookup by birth date or phone.
PATIENT_SEARCH = ("patient__mrn", "patient__legal_last_name", "patient__legal_first_name", "patient__preferred_name")
PREVIEW_LIMIT = 20  # records named on the confirmation page; the rest are counted
ENTERED_IN_ERROR_FIELDS = ("entered_in_error_at", "entered_in_error_by", "entered_in_error_reason")


class EnteredInErrorFilter(admin.SimpleListFilter):
    title = "entered in error"
    parameter_name = "entered_in_error"

    def lookups(self, request, model_admin):
        return (("no", "No"), ("yes", "Yes"))

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(entered_in_error_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(entered_in_error_at__isnull=False)
        return queryset


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Say why these records were entered in error. The records stay in the chart, marked.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why these records were entered in error.")
        return reason


def adopt_saved(obj, saved) -> None:
    """Make the admin's unsaved object the row a service just saved (for the log and inlines)."""
    obj.__dict__.update(saved.__dict__)


class NoDeleteMixin:
    """Clinical records are never hard-deleted (see iop.models.ClinicalRecord)."""

    def has_delete_permission(self, request, obj=None):
        return False


class NoDeleteInline(NoDeleteMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class ChartAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Base for every model of the chart: history, no delete, 'Mark entered in error'."""

    actions = ["mark_entered_in_error"]
    list_per_page = 50

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if not issubclass(self.model, ClinicalRecord):
            actions.pop("mark_entered_in_error", None)
        return actions

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        if issubclass(self.model, ClinicalRecord):
            filters += (EnteredInErrorFilter,)
        return filters

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if issubclass(self.model, ClinicalRecord) and obj is not None:
            readonly += ENTERED_IN_ERROR_FIELDS
        return readonly

    @admin.display(description="Error", boolean=True)
    def entered_in_error(self, obj):
        return obj.is_entered_in_error

    @admin.action(description="Mark entered in error", permissions=["change"])
    def mark_entered_in_error(self, request, queryset):
        form = EnteredInErrorForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            marked = 0
            with transaction.atomic():
                for record in queryset.select_for_update(of=("self",)):
                    if record.is_entered_in_error:
                        continue
                    record.mark_entered_in_error(by=request.user, reason=form.cleaned_data["reason"])
                    marked += 1
            self.message_user(request, f"Marked {marked} {self._noun(marked)} entered in error.", messages.SUCCESS)
            return None
        opts = self.model._meta
        selected_pks = list(queryset.values_list("pk", flat=True))
        preview = list(queryset[:PREVIEW_LIMIT])
        context = {
            **self.admin_site.each_context(request),
            "title": "Mark entered in error",
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "selected_pks": selected_pks,
            "preview": preview,
            "preview_count_negative": -len(preview),
            "form": form,
            "action_name": "mark_entered_in_error",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/mark_entered_in_error.html", context)

    def _noun(self, count: int) -> str:
        opts = self.model._meta
        return str(opts.verbose_name if count == 1 else opts.verbose_name_plural)


class PatientColumnMixin:
    @admin.display(description="Patient", ordering="patient__legal_last_name")
    def patient_name(self, obj):
        return obj.patient


class ReadOnlyMixin:
    """Records that change only through their services (draws, results, grants): shown, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
