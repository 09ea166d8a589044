"""Forms for discharge, the aftercare plan and alumni check-ins; the services do the validating that matters."""

from django import forms
from django.utils import timezone

from iop.forms import DateInput
from patients.constants import LevelOfCare

from .constants import DischargeType
from .models import AftercarePlan
from .services.aftercare_plans import AFTERCARE_FIELDS

YES_NO_UNKNOWN = [("", "Not asked / unknown"), ("yes", "Yes"), ("no", "No")]


class DischargeForm(forms.Form):
    discharged_on = forms.DateField(label="Discharge date", widget=DateInput(), initial=timezone.localdate)
    discharge_type = forms.ChoiceField(label="Type of discharge", choices=[("", "—"), *DischargeType.choices])
    next_level_of_care = forms.ChoiceField(
        label="Next level of care",
        choices=[("", "—"), *LevelOfCare.choices],
        required=False,
        help_text="Step-down or step-up only. If the patient stays with this clinic at the new level, "
        "record a level-of-care change on the episode instead of discharging.",
    )
    referred_to = forms.CharField(
        label="Receiving provider", max_length=200, required=False, help_text="Required for a transfer."
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    summary = forms.CharField(
        label="Discharge summary",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Pre-filled from the attendance ledger, drug tests and PHQ-9/GAD-7 scores; complete it.",
    )
    completion_override_reason = forms.CharField(
        label="Supervisor's override: why this counts as completed",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Only for a completed discharge with fewer attended days than the program asks for.",
    )
    sign = forms.BooleanField(
        label="Sign the summary now (it cannot be changed after signing)", required=False, initial=False
    )

    def __init__(self, *args, may_override_completion: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override_completion:
            del self.fields["completion_override_reason"]


class DischargeEditForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    referred_to = forms.CharField(label="Receiving provider", max_length=200, required=False)
    summary = forms.CharField(label="Discharge summary", widget=forms.Textarea(attrs={"rows": 14}))


class AftercarePlanForm(forms.ModelForm):
    class Meta:
        model = AftercarePlan
        fields = list(AFTERCARE_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "medication_plan",
                "support_groups",
                "vocational_support",
                "family_support",
                "relapse_warning_signs",
                "coping_strategies",
                "emergency_plan",
                "emergency_contacts",
                "staff_notes",
            )
        }


def _tri_state(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CheckinOutcomeForm(forms.Form):
    reached = forms.TypedChoiceField(
        label="Did you reach the patient?",
        choices=[("yes", "Yes, we spoke"), ("no", "No, not reached")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    using = forms.ChoiceField(label="Using alcohol or drugs", choices=YES_NO_UNKNOWN, required=False)
    attending_support_groups = forms.ChoiceField(
        label="Attending support groups", choices=YES_NO_UNKNOWN, required=False
    )
    employed_or_in_school = forms.ChoiceField(label="Employed or in school", choices=YES_NO_UNKNOWN, required=False)
    readmitted_elsewhere = forms.ChoiceField(
        label="Admitted to treatment elsewhere", choices=YES_NO_UNKNOWN, required=False
    )
    readmission_needed = forms.BooleanField(label="Re-admission needed (opens a referral in intake)", required=False)
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="If not reached: how you tried (calls, messages, times).",
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "reached": data["reached"],
            "using": _tri_state(data["using"]),
            "attending_support_groups": _tri_state(data["attending_support_groups"]),
            "employed_or_in_school": _tri_state(data["employed_or_in_school"]),
            "readmitted_elsewhere": _tri_state(data["readmitted_elsewhere"]),
            "readmission_needed": data["readmission_needed"],
            "notes": data["notes"],
        }
