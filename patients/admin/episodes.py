"""Episodes of care and level-of-care changes in the admin (changes go through the service)."""

from django.contrib import admin

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
