"""Intake, instruments (scored by the service), ASAM assessments, substance use and diagnoses in the admin."""

from django import forms
from django.contrib import admin

from iop.admin import (
    PATIENT_SEARCH,
    ChartAdmin,
    PatientColumnMixin,
    adopt_saved,
)

from .. import services
from ..asam import recommend_level_of_care
from ..instruments import IncompleteInstrument, score
from ..models import (
    AsamAssessment,
    Diagnosis,
    InstrumentResponse,
    Intake,
    SubstanceUse,
)


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
        "edition",
        "recommended_level",
        "recommended_withdrawal_management",
        "assessed_by",
        "entered_in_error",
    )
    list_filter = ("edition", "recommended_level", "recommended_withdrawal_management")
    list_select_related = ("patient", "assessed_by")
    search_fields = PATIENT_SEARCH
    date_hierarchy = "assessed_at"
    autocomplete_fields = ("patient", "assessed_by")
    raw_id_fields = ("intake",)

    def get_readonly_fields(self, request, obj=None):
        # The edition is the clinic's when the assessment is recorded (settings.ASAM_EDITION).
        computed = ("edition", "recommended_level", "recommended_withdrawal_management", "recommendation_rule")
        return (*super().get_readonly_fields(request, obj), *computed)

    def save_model(self, request, obj, form, change):
        if change:
            recommendation = recommend_level_of_care(obj.ratings, obj.edition)
            obj.recommended_level = recommendation.level
            obj.recommended_withdrawal_management = recommendation.withdrawal_management
            obj.recommendation_rule = recommendation.rule.key
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
