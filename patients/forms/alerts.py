"""Closing an alert: with an assessment for safety, withdrawal and overdose alerts; acknowledging one for discharge."""

from django import forms

from iop.text import says_something

from ..constants import AlertAction, RiskLevel
from ..services.alerts import NOTE_NEEDED


class NoteThatSaysSomething(forms.CharField):
    """A note refused as soon as it is typed if it says nothing (the service checks again)."""

    def validate(self, value):
        super().validate(value)
        if value and not says_something(value):
            raise forms.ValidationError(NOTE_NEEDED)


class AlertResolveForm(forms.Form):
    risk_level = forms.ChoiceField(
        label="Risk level after assessment",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    action = forms.ChoiceField(label="Action taken", choices=[("", "Choose…"), *AlertAction.choices], required=False)
    note = NoteThatSaysSomething(
        label="What was assessed and decided",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="In a sentence or two: who assessed the patient, what they found, what happens next.",
    )

    def __init__(self, *args, alert, **kwargs):
        super().__init__(*args, **kwargs)
        if alert.needs_assessment:
            self.fields["risk_level"].required = True
            self.fields["action"].required = True
        else:
            del self.fields["risk_level"]
            del self.fields["action"]


class AlertAcknowledgeForm(forms.Form):
    note = NoteThatSaysSomething(
        label="Why discharge can go ahead with this alert open",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="e.g. the patient leaves against advice; crisis plan and 988 given; outreach arranged.",
    )
