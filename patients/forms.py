"""The chart's forms: registration, the intake steps, and the chart's records. Services do the saving."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.constants import CLINICAL_ROLES
from iop.forms import DateInput, DateTimeInput
from iop.phones import normalize_phone
from programs.models import Program

from .constants import LevelOfCare
from .instruments import SPECS
from .models import (
    AsamAssessment,
    Authorization,
    Consent,
    Contact,
    Diagnosis,
    InsurancePolicy,
    Intake,
    Patient,
    SubstanceUse,
)

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
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I have checked the possible matches above: this is a different person.",
        widget=forms.CheckboxInput,
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
    level_of_care_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for a level other than recommended",
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
        help_text="Must lie in the program's band (adults 9–20 hours by default).",
    )
    expected_length_weeks = forms.IntegerField(min_value=1, max_value=52, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_clinician"].queryset = clinicians()
        self.fields["care_team"].queryset = clinicians()

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


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class LevelOfCareChangeForm(forms.Form):
    to_level = forms.ChoiceField(choices=LevelOfCare.choices, label="New level of care")
    effective_on = forms.DateField(initial=timezone.localdate, widget=DateInput())
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


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


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = [
            "kind",
            "method",
            "witness",
            "granted_on",
            "expires_on",
            "recipient",
            "purpose",
            "information_scope",
        ]
        widgets = {
            "granted_on": DateInput(),
            "expires_on": DateInput(),
            "information_scope": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "recipient": "Part 2 disclosures: the person or organisation that may receive the records.",
            "purpose": "Part 2 disclosures: why (e.g. care coordination, court reporting).",
        }

    def clean_granted_on(self):
        value = self.cleaned_data["granted_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("A consent cannot be granted in the future.")
        return value


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


class BreakGlassForm(forms.Form):
    mrn = forms.CharField(label="Patient's MRN", max_length=12, help_text="The nine digits on the patient's record.")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What the emergency is and why you need this chart now.",
    )
