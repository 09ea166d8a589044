"""Episodes of care and level-of-care changes in the admin (changes go through the service)."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from iop.admin import (
    PATIENT_SEARCH,
    ChartAdmin,
    NoDeleteInline,
    PatientColumnMixin,
    adopt_saved,
)

from .. import services
from ..models import (
    Episode,
    LevelOfCareChange,
)


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


class EpisodeAdminForm(forms.ModelForm):
    """The target must fit the band the episode's level allows in its program (half-open: 9 <= hours < 20)."""

    def clean(self):
        cleaned = super().clean()
        program = cleaned.get("program") if "program" in self.fields else self.instance.program
        level = cleaned.get("level_of_care") if "level_of_care" in self.fields else self.instance.level_of_care
        target = cleaned.get("target_weekly_hours")
        if program is not None and level and target is not None:
            try:
                services.check_weekly_hours_in_band(program, Decimal(target), level)
            except ValidationError as error:
                self.add_error("target_weekly_hours", error.message_dict["target_weekly_hours"])
        return cleaned


@admin.register(Episode)
class EpisodeAdmin(PatientColumnMixin, ChartAdmin):
    form = EpisodeAdminForm
    list_display = (
        "patient_name",
        "program",
        "status",
        "level_of_care",
        "withdrawal_management",
        "admitted_on",
        "discharged_on",
        "primary_clinician",
        "cosigned_by",
        "entered_in_error",
    )
    list_filter = ("status", "level_of_care", "edition", "admitted_below_recommendation", "program")
    list_select_related = ("patient", "program", "primary_clinician")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "admitted_on"
    autocomplete_fields = ("patient", "program", "primary_clinician", "admitted_by")
    raw_id_fields = ("intake", "assessment")
    inlines = (LevelOfCareChangeInline,)

    def get_readonly_fields(self, request, obj=None):
        readonly = (
            *super().get_readonly_fields(request, obj),
            "admitted_below_recommendation",
            "cosigned_by",
            "cosigned_at",
        )
        # Once admitted, the level moves only through a recorded level-of-care change, in the edition assessed.
        return (*readonly, "level_of_care", "withdrawal_management", "edition") if obj is not None else readonly


class LevelOfCareChangeAdminForm(forms.ModelForm):
    """A new change is checked as the chart checks it: a level of the episode's edition, a target that fits it."""

    target_weekly_hours = forms.DecimalField(
        min_value=1,
        max_value=40,
        decimal_places=1,
        required=False,
        label="New target hours a week",
        help_text="Needed when the current target does not fit the new level (2.5: at least 20; 1.0: under 9).",
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        episode, to_level = cleaned.get("episode"), cleaned.get("to_level")
        if episode is not None and to_level:
            try:
                services.level_of_care_change_check(
                    episode=episode, to_level=to_level, target_weekly_hours=cleaned.get("target_weekly_hours")
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(LevelOfCareChange)
class LevelOfCareChangeAdmin(ChartAdmin):
    form = LevelOfCareChangeAdminForm
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
            target_weekly_hours=form.cleaned_data.get("target_weekly_hours"),
        )
        adopt_saved(obj, saved)
        return None
