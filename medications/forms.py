"""Forms for the medication list. Services do the saving."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.constants import Role
from iop.forms import DateInput
from testing.models import Analyte

from .constants import MEDICATION_CATALOGUE, MedicationSource
from .models import Medication


class MedicationForm(forms.ModelForm):
    expected_analytes = forms.ModelMultipleChoiceField(
        queryset=Analyte.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What a drug screen should show. Left empty for a medication from the list, the list's own are used.",
    )

    class Meta:
        model = Medication
        fields = (
            "catalogue_code",
            "name",
            "category",
            "dose",
            "route",
            "frequency",
            "source",
            "prescriber",
            "outside_prescriber",
            "start_date",
            "notes",
            "expected_analytes",
        )
        widgets = {"start_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = "Type the name when it is not in the list."
        self.fields["prescriber"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.PRESCRIBER)
            .order_by("last_name", "first_name")
        )

    def clean(self):
        cleaned = super().clean()
        catalogue_code = cleaned.get("catalogue_code")
        if not (cleaned.get("name") or "").strip():
            if catalogue_code:
                cleaned["name"] = MEDICATION_CATALOGUE[catalogue_code].name
            else:
                self.add_error("name", "Choose a medication from the list or type its name.")
        source = cleaned.get("source")
        if source == MedicationSource.OURS and not cleaned.get("prescriber"):
            self.add_error("prescriber", "Choose which of our prescribers prescribed it.")
        if source and source != MedicationSource.OURS and not (cleaned.get("outside_prescriber") or "").strip():
            self.add_error("outside_prescriber", "Name the outside prescriber or program.")
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "expected_analytes"}


class MedicationStopForm(forms.Form):
    stop_date = forms.DateField(widget=DateInput(), initial=timezone.localdate)
    stop_reason = forms.CharField(max_length=200, label="Reason")
