"""Registering a patient, and break-the-glass."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.constants import CLINICAL_ROLES
from iop.forms import DateInput
from iop.phones import normalize_phone

from ..models import (
    Patient,
)


def clinicians():
    User = get_user_model()
    return User.objects.filter(is_active=True, groups__name__in=CLINICAL_ROLES).distinct().order_by("last_name")


class PhoneCleaningMixin:
    phone_fields = ("phone",)

    def _clean_phone_field(self, name):
        value = self.cleaned_data.get(name, "")
        if value:
            try:
                return normalize_phone(value)
            except forms.ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return value


class PatientForm(PhoneCleaningMixin, forms.ModelForm):
    # Asked only when the near-duplicate check lists charts; the service requires it then and keeps it.
    not_duplicate_reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Why this is a different person",
        help_text=(
            "You checked the possible matches above. Say what tells them apart (for example: "
            "“different mother’s name and address; she brought her ID”). An admin reviews these reasons."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Patient
        fields = [
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "sex_at_birth",
            "gender_identity",
            "phone",
            "email",
            "preferred_contact_channel",
            "language",
            "needs_interpreter",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "emergency_contact_name",
            "emergency_contact_phone",
            "emergency_contact_relationship",
        ]
        widgets = {"date_of_birth": DateInput()}

    def clean_phone(self):
        return self._clean_phone_field("phone")

    def clean_emergency_contact_phone(self):
        return self._clean_phone_field("emergency_contact_phone")

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("Date of birth cannot be in the future.")
        if born.year < 1900:
            raise forms.ValidationError("Date of birth must be after 1900.")
        return born

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_contact_channel") == "sms" and not cleaned.get("phone"):
            self.add_error("phone", "Add a mobile number to send text messages.")
        if cleaned.get("preferred_contact_channel") == "email" and not cleaned.get("email"):
            self.add_error("email", "Add an email address to use email.")
        return cleaned


class BreakGlassForm(forms.Form):
    mrn = forms.CharField(label="Patient's MRN", max_length=12, help_text="The nine digits on the patient's record.")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What the emergency is and why you need this chart now.",
    )
