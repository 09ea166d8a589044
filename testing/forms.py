"""Forms for drug tests and the sobriety date. Services do the saving."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from iop.forms import DateInput, DateTimeInput

from .constants import AnalyteOutcome, ResultMethod, Specimen, TestingMethod, TestReason
from .models import Analyte, DrugTest, Panel
from .validity import SpecimenChecks


class SobrietyDateForm(forms.Form):
    sober_since = forms.DateField(widget=DateInput(), label="Sober since")
    reason = forms.CharField(
        max_length=200, help_text="Why it is set or reset, e.g. “patient reports alcohol use on 3/2”."
    )


class DrugTestOrderForm(forms.Form):
    panel = forms.ModelChoiceField(queryset=Panel.objects.filter(is_active=True))
    reason = forms.ChoiceField(choices=TestReason.choices)
    specimen = forms.ChoiceField(choices=[("", "The panel's specimen"), *Specimen.choices], required=False)
    method = forms.ChoiceField(label="Testing", choices=[("", "The panel's"), *TestingMethod.choices], required=False)
    observed = forms.BooleanField(label="Observed collection", required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DrugTestCollectForm(forms.Form):
    collected_at = forms.DateTimeField(widget=DateTimeInput(), initial=timezone.now, label="Collected at")
    observed = forms.BooleanField(label="Observed collection", required=False)
    temperature_c = forms.DecimalField(
        label="Temperature (°C)",
        required=False,
        max_digits=3,
        decimal_places=1,
        help_text="Urine, read within 4 minutes; 32–38 °C is in range. Or use the strip below.",
    )
    temperature_in_range = forms.NullBooleanField(
        label="Temperature strip in range (32–38 °C)",
        required=False,
        widget=forms.Select(choices=[("", "Not read / not urine"), ("true", "Yes"), ("false", "No")]),
    )
    creatinine_mg_dl = forms.DecimalField(label="Creatinine (mg/dL)", required=False, min_value=0, max_digits=6)
    specific_gravity = forms.DecimalField(
        required=False, min_value=Decimal("0.99"), max_value=Decimal("1.1"), max_digits=5, decimal_places=4
    )
    ph = forms.DecimalField(label="pH", required=False, min_value=0, max_value=14, max_digits=4, decimal_places=2)
    nitrite_mcg_ml = forms.DecimalField(label="Nitrite (mcg/mL)", required=False, min_value=0, max_digits=7)
    oxidant_detected = forms.NullBooleanField(
        label="Oxidizing adulterant strip",
        required=False,
        widget=forms.Select(choices=[("", "Not tested"), ("false", "Negative"), ("true", "Positive")]),
    )

    @staticmethod
    def service_kwargs(data: dict) -> dict:
        """The service's arguments from the cleaned data: validity is computed from the checks, never chosen here."""
        checks = SpecimenChecks(
            temperature_c=data["temperature_c"],
            creatinine_mg_dl=data["creatinine_mg_dl"],
            specific_gravity=data["specific_gravity"],
            ph=data["ph"],
            nitrite_mcg_ml=data["nitrite_mcg_ml"],
            oxidant_detected=data["oxidant_detected"],
        )
        return {
            "collected_at": data["collected_at"],
            "observed": data["observed"],
            "temperature_in_range": data["temperature_in_range"],
            "checks": checks,
        }


class DrugTestNotCollectedForm(forms.Form):
    reason = forms.CharField(max_length=200, help_text="e.g. absent, refused, unable to provide.")


class DrugTestSendForm(forms.Form):
    lab_name = forms.CharField(max_length=120, label="Laboratory")


class DrugTestResultForm(forms.Form):
    """One outcome (and optional level) per analyte of the panel."""

    method = forms.ChoiceField(choices=ResultMethod.choices)
    resulted_at = forms.DateTimeField(widget=DateTimeInput(), initial=timezone.now, label="Resulted at")
    lab_name = forms.CharField(max_length=120, required=False, label="Laboratory")
    accession_number = forms.CharField(max_length=60, required=False)

    def __init__(self, *args, drug_test: DrugTest, analytes: list[Analyte], **kwargs):
        super().__init__(*args, **kwargs)
        self.drug_test = drug_test
        self.analytes = analytes
        definitive_expected = drug_test.status == "sent"
        self.fields["method"].initial = ResultMethod.DEFINITIVE if definitive_expected else ResultMethod.PRESUMPTIVE
        self.fields["lab_name"].initial = drug_test.lab_name
        outcome_choices = [("", "—"), *AnalyteOutcome.choices]
        for analyte in analytes:
            self.fields[f"outcome_{analyte.pk}"] = forms.ChoiceField(
                label=analyte.name, choices=outcome_choices, required=False
            )
            self.fields[f"level_{analyte.pk}"] = forms.DecimalField(
                label=f"{analyte.name} level ({analyte.unit})",
                required=False,
                min_value=Decimal("0"),
                max_digits=10,
                decimal_places=3,
            )

    def analyte_rows(self):
        return [(analyte, self[f"outcome_{analyte.pk}"], self[f"level_{analyte.pk}"]) for analyte in self.analytes]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == ResultMethod.PRESUMPTIVE:
            for analyte in self.analytes:
                if not cleaned.get(f"outcome_{analyte.pk}"):
                    self.add_error(f"outcome_{analyte.pk}", "Enter this analyte's result.")
        for analyte in self.analytes:
            if cleaned.get(f"level_{analyte.pk}") is not None and not cleaned.get(f"outcome_{analyte.pk}"):
                self.add_error(f"outcome_{analyte.pk}", "A level needs its outcome.")
        return cleaned

    def results(self) -> dict[Analyte, tuple[str, Decimal | None]]:
        return {
            analyte: (self.cleaned_data[f"outcome_{analyte.pk}"], self.cleaned_data.get(f"level_{analyte.pk}"))
            for analyte in self.analytes
            if self.cleaned_data.get(f"outcome_{analyte.pk}")
        }
