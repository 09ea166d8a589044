"""The guided intake's steps: referral, instruments, ASAM assessment, the admission decision."""

from django import forms
from django.utils import timezone

from iop.forms import DateInput, DateTimeInput
from programs.constants import level_choices
from programs.models import Program

from ..constants import AsamEdition, LevelOfCare, LevelOfCareReasonCategory, WithdrawalManagement
from ..instruments import SPECS
from ..models import (
    AsamAssessment,
    Intake,
)
from .registry import clinicians


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Intake
        fields = ["referral_source", "referred_by", "referral_date", "referral_reason"]
        widgets = {"referral_date": DateInput(), "referral_reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral_source"].required = True

    def clean_referral_date(self):
        value = self.cleaned_data["referral_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("The referral date cannot be in the future.")
        return value


class InstrumentForm(forms.Form):
    """One radio group per item, built from the instrument's specification."""

    administered_at = forms.DateTimeField(
        required=False, widget=DateTimeInput(attrs={"class": "form-control"}), help_text="Leave empty for now."
    )

    def __init__(self, *args, instrument: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = SPECS[instrument]
        for item in self.spec.items:
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[(str(value), label) for value, label in item.options],
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
            )

    def clean_administered_at(self):
        value = self.cleaned_data.get("administered_at")
        if value and value > timezone.now():
            raise forms.ValidationError("The instrument cannot be given in the future.")
        return value

    def answers(self) -> list[int | None]:
        return [self.cleaned_data.get(f"item_{item.number}") for item in self.spec.items]

    def item_fields(self):
        return [self[f"item_{item.number}"] for item in self.spec.items]


RATING_CHOICES = [(str(i), str(i)) for i in range(5)]


class AsamAssessmentForm(forms.ModelForm):
    class Meta:
        model = AsamAssessment
        fields = [
            "d1_intoxication",
            "d1_notes",
            "d2_biomedical",
            "d2_notes",
            "d3_emotional",
            "d3_notes",
            "d4_readiness",
            "d4_notes",
            "d5_relapse",
            "d5_notes",
            "d6_environment",
            "d6_notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in AsamAssessment.RATING_FIELDS:
            field = self.fields[name]
            self.fields[name] = forms.TypedChoiceField(
                label=field.label,
                choices=RATING_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text="0 no risk · 1 mild · 2 moderate · 3 significant · 4 severe",
            )
            notes = name.split("_", 1)[0] + "_notes"
            self.fields[notes].widget = forms.Textarea(attrs={"rows": 2})
            self.fields[notes].label = "Notes"

    def dimensions(self):
        for name in AsamAssessment.RATING_FIELDS:
            yield self[name], self[name.split("_", 1)[0] + "_notes"]


class AdmitForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.filter(is_active=True))
    level_of_care = forms.ChoiceField(choices=LevelOfCare.choices, initial=LevelOfCare.IOP)
    withdrawal_management = forms.ChoiceField(
        choices=[("", "None"), *WithdrawalManagement.choices],
        required=False,
        help_text="Recommended alongside the level when dimension 1 (withdrawal) is rated 2 or more.",
    )
    level_of_care_reason_category = forms.ChoiceField(
        choices=[("", "—"), *LevelOfCareReasonCategory.choices],
        required=False,
        label="Why another placement than recommended",
    )
    level_of_care_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason, in a sentence",
        help_text="Below the recommended level, a supervisor co-signs within 24 hours.",
    )
    admitted_on = forms.DateField(initial=timezone.localdate, widget=DateInput())
    primary_clinician = forms.ModelChoiceField(queryset=clinicians())
    care_team = forms.ModelMultipleChoiceField(
        queryset=clinicians(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Other staff who treat the patient.",
    )
    target_weekly_hours = forms.DecimalField(
        min_value=1,
        max_value=40,
        decimal_places=1,
        initial=9,
        help_text="At least the band's minimum and under its maximum (adult IOP 9 to under 20, adolescents from 6; "
        "level 2.5 at least 20).",
    )
    expected_length_weeks = forms.IntegerField(min_value=1, max_value=52, required=False)

    def __init__(self, *args, edition: int = AsamEdition.THIRD, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_clinician"].queryset = clinicians()
        self.fields["care_team"].queryset = clinicians()
        # The levels of the edition the patient was assessed under; the 4th integrates withdrawal management.
        self.fields["level_of_care"].choices = level_choices(edition)
        if edition != AsamEdition.THIRD:
            del self.fields["withdrawal_management"]

    def clean_admitted_on(self):
        value = self.cleaned_data["admitted_on"]
        today = timezone.localdate()
        if value > today + timezone.timedelta(days=30):
            raise forms.ValidationError("Admission can be dated at most 30 days ahead.")
        if value < today - timezone.timedelta(days=30):
            raise forms.ValidationError("Admission cannot be back-dated more than 30 days.")
        return value


class CloseIntakeForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    withdrawn = forms.BooleanField(required=False, label="The patient withdrew (rather than not meeting criteria)")
