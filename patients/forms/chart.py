"""The chart's records: contacts, consents, insurance and authorizations, diagnoses, substance use."""

from django import forms
from django.utils import timezone

from audit.constants import DisclosureSection
from iop.forms import DateInput
from programs.constants import level_choices

from ..constants import AsamEdition, LevelOfCare
from ..models import (
    Authorization,
    Consent,
    Contact,
    Diagnosis,
    InsurancePolicy,
    SubstanceUse,
)
from .registry import PhoneCleaningMixin

# Diagnoses most IOP patients carry come first in the code picker (F10–F19: substance use disorders).
COMMON_SUD_CODES = [
    ("F10.20", "Alcohol use disorder, moderate/severe"),
    ("F10.10", "Alcohol use disorder, mild"),
    ("F11.20", "Opioid use disorder, moderate/severe"),
    ("F11.10", "Opioid use disorder, mild"),
    ("F12.20", "Cannabis use disorder, moderate/severe"),
    ("F13.20", "Sedative, hypnotic or anxiolytic use disorder, moderate/severe"),
    ("F14.20", "Cocaine use disorder, moderate/severe"),
    ("F15.20", "Other stimulant use disorder, moderate/severe"),
    ("F16.20", "Hallucinogen use disorder, moderate/severe"),
    ("F18.20", "Inhalant use disorder, moderate/severe"),
    ("F19.20", "Other psychoactive substance use disorder, moderate/severe"),
    ("F32.1", "Major depressive disorder, single episode, moderate"),
    ("F41.1", "Generalized anxiety disorder"),
    ("F43.10", "Post-traumatic stress disorder"),
]


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class LevelOfCareChangeForm(forms.Form):
    to_level = forms.ChoiceField(choices=LevelOfCare.choices, label="New level of care")
    effective_on = forms.DateField(initial=timezone.localdate, widget=DateInput())
    target_weekly_hours = forms.DecimalField(
        min_value=1,
        max_value=40,
        decimal_places=1,
        required=False,
        label="New target hours a week",
        help_text="Needed when the current target does not fit the new level (2.5: at least 20; 1.0: under 9).",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, edition: int = AsamEdition.THIRD, **kwargs):
        super().__init__(*args, **kwargs)
        # The levels of the edition the episode was assessed under, whatever the clinic uses now.
        self.fields["to_level"].choices = level_choices(edition)


class ContactForm(PhoneCleaningMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "relationship",
            "phone",
            "email",
            "takes_part_in_family_sessions",
            "patient_consents_to_contact",
            "is_emergency_contact",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def clean_phone(self):
        return self._clean_phone_field("phone")


def _sections_field(*, required: bool) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Sections of the record that may be disclosed",
        choices=DisclosureSection.choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        help_text="Part 2 disclosures: tick exactly what the patient agreed to. Only these can ever be sent.",
    )


class ConsentForm(forms.ModelForm):
    """A consent as signed; a Part 2 disclosure consent with every element of 42 CFR §2.31(a)."""

    sections = _sections_field(required=False)
    signature = forms.CharField(
        label="Patient's signature",
        max_length=200,
        required=False,
        help_text="Signed on screen: the patient types their full legal name; you witness it.",
    )

    class Meta:
        model = Consent
        fields = [
            "kind",
            "method",
            "witness",
            "granted_on",
            "expires_on",
            "disclosing_program",
            "recipient",
            "purpose",
            "information_scope",
            "revocation_right_stated",
            "document",
        ]
        widgets = {
            "granted_on": DateInput(),
            "expires_on": DateInput(),
            "information_scope": forms.Textarea(attrs={"rows": 2}),
            "document": forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        }
        help_texts = {
            "recipient": "Part 2 disclosures: the person or organisation that may receive the records.",
            "purpose": "Part 2 disclosures: why (e.g. care coordination, court reporting).",
            "witness": "Verbal consent (not for Part 2 disclosures): who heard it.",
        }

    def clean_granted_on(self):
        value = self.cleaned_data["granted_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("A consent cannot be granted in the future.")
        return value


class ConsentSectionsForm(forms.Form):
    """Confirm, from the consent the patient signed, what an older Part 2 consent allows."""

    sections = _sections_field(required=True)
    disclosing_program = forms.CharField(
        label="Who may disclose",
        max_length=200,
        help_text="The program the signed consent allows to disclose.",
    )
    revocation_right_stated = forms.BooleanField(
        label="The signed consent states the patient's right to revoke it and how",
        required=False,
    )
    document = forms.FileField(
        label="Signed copy",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text="The scan of the consent the patient signed (PDF, JPEG or PNG), unless one is attached already.",
    )


class InsurancePolicyForm(forms.ModelForm):
    class Meta:
        model = InsurancePolicy
        fields = [
            "payer",
            "plan_name",
            "member_id",
            "group_number",
            "subscriber_name",
            "is_primary",
            "effective_on",
            "terminates_on",
        ]
        widgets = {"effective_on": DateInput(), "terminates_on": DateInput()}


class AuthorizationForm(forms.ModelForm):
    class Meta:
        model = Authorization
        fields = [
            "policy",
            "number",
            "level_of_care",
            "starts_on",
            "ends_on",
            "units_authorized",
            "unit",
            "next_review_on",
            "notes",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "next_review_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        # A foreign-key select only ever offers this patient's own policies.
        self.fields["policy"].queryset = patient.insurance_policies.valid()

    def clean(self):
        cleaned = super().clean()
        starts, review, ends = cleaned.get("starts_on"), cleaned.get("next_review_on"), cleaned.get("ends_on")
        if review and starts and ends and not starts <= review <= ends:
            self.add_error("next_review_on", "The utilization review should fall inside the authorized dates.")
        return cleaned


class DiagnosisForm(forms.ModelForm):
    code = forms.CharField(
        label="ICD-10-CM code",
        max_length=8,
        widget=forms.TextInput(attrs={"list": "icd10-common", "autocomplete": "off"}),
        help_text="Start typing; substance use codes (F10–F19) are offered first.",
    )

    class Meta:
        model = Diagnosis
        fields = ["code", "description", "is_primary", "diagnosed_on"]
        widgets = {"diagnosed_on": DateInput()}

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("code") and not cleaned.get("description"):
            known = dict(COMMON_SUD_CODES).get(cleaned["code"])
            if known:
                cleaned["description"] = known
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = False
        self.common_codes = COMMON_SUD_CODES


class SubstanceUseForm(forms.ModelForm):
    class Meta:
        model = SubstanceUse
        fields = ["substance", "route", "frequency", "age_of_first_use", "last_used_on", "is_primary", "notes"]
        widgets = {"last_used_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def clean_last_used_on(self):
        value = self.cleaned_data.get("last_used_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("Last use cannot be in the future.")
        return value
