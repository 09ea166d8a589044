from django import forms
from django.contrib.auth import get_user_model

from iop.forms import DateInput
from iop.params import validate_day_in_range
from patients.models import Patient

from .constants import DataCategory, DisclosureSection, Outcome


class AccessLogFilterForm(forms.Form):
    """Filters of the access-log report; every field optional, bad values explained next to the field."""

    mrn = forms.CharField(label="Patient MRN", required=False, max_length=12)
    user = forms.ModelChoiceField(label="Staff member", queryset=None, required=False, empty_label="Anyone")
    date_from = forms.DateField(label="From", required=False, widget=DateInput(), validators=[validate_day_in_range])
    date_to = forms.DateField(label="To", required=False, widget=DateInput(), validators=[validate_day_in_range])
    category = forms.ChoiceField(label="Data", required=False, choices=[("", "Any data"), *DataCategory.choices])
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any outcome"), *Outcome.choices])

    def __init__(self, *args, patients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patients = patients if patients is not None else Patient.objects.all()
        self.fields["user"].queryset = get_user_model().objects.order_by("username")
        self.fields["user"].label_from_instance = lambda user: f"{user.username} ({user.get_full_name() or 'no name'})"

    def clean_mrn(self):
        mrn = self.cleaned_data["mrn"].strip()
        if not mrn:
            return None
        if not mrn.isdigit():
            raise forms.ValidationError("An MRN is digits only.")
        patient = self.patients.filter(mrn=mrn).first()
        if patient is None:
            raise forms.ValidationError("No patient you may see has this MRN.")
        return patient

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "patient": data.get("mrn"),
            "user": data.get("user"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "category": data.get("category", ""),
            "outcome": data.get("outcome", ""),
        }


class DisclosureForm(forms.Form):
    """Who receives the records, why, and which of the sections the consent allows go in the packet."""

    recipient = forms.CharField(
        max_length=200, help_text="The person or organisation receiving the records, as the consent names them."
    )
    purpose = forms.CharField(max_length=200, help_text="Why they are receiving them; the consent must cover it.")
    sections = forms.MultipleChoiceField(
        label="Sections to include", widget=forms.CheckboxSelectMultiple, choices=DisclosureSection.choices
    )

    def __init__(self, *args, allowed_sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only the sections the chosen consent allows are offered (the service checks again).
        labels = dict(DisclosureSection.choices)
        self.fields["sections"].choices = [(code, labels[code]) for code in allowed_sections]
