"""Forms for plans and notes; the services do the validation that spans records."""

from django import forms
from django.utils import timezone

from iop.forms import DateInput, DateTimeInput
from patients.constants import AsamDimension
from patients.forms import clinicians

from .constants import (
    FORMAT_FIELD_LABELS,
    FORMAT_FIELDS,
    FrequencyPeriod,
    InterventionModality,
    NoteFormat,
    PatientAgreement,
    PlanReviewOutcome,
)

TEXTAREA = {"rows": 3}


class ProblemForm(forms.Form):
    statement = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), max_length=2000, label="Problem")
    asam_dimensions = forms.TypedMultipleChoiceField(
        choices=AsamDimension.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="ASAM dimensions",
        error_messages={"required": "Tag the problem with at least one ASAM dimension."},
    )


class GoalForm(forms.Form):
    statement = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), max_length=2000, label="Goal")


class ObjectiveForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
        label="Measurable objective",
        help_text="Who will do what, how often, measured how (e.g. 4 negative weekly urine tests in a row).",
    )
    target_on = forms.DateField(widget=DateInput(), label="Target date")


class InterventionForm(forms.Form):
    modality = forms.ChoiceField(choices=InterventionModality.choices)
    frequency_count = forms.IntegerField(min_value=1, max_value=14, initial=1, label="Times")
    frequency_period = forms.ChoiceField(choices=FrequencyPeriod.choices, initial=FrequencyPeriod.WEEK, label="Per")
    responsible = forms.ModelChoiceField(queryset=None, label="Responsible staff")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = clinicians()


PLAN_ITEM_FORMS = {
    "problem": ProblemForm,
    "goal": GoalForm,
    "objective": ObjectiveForm,
    "intervention": InterventionForm,
}


class PatientAgreementForm(forms.Form):
    agreement = forms.ChoiceField(
        choices=PatientAgreement.choices, widget=forms.RadioSelect, label="How the patient agreed"
    )
    agreed_on = forms.DateField(widget=DateInput(), initial=timezone.localdate, label="Date")
    witness = forms.CharField(max_length=120, required=False, help_text="Required for a verbal agreement.")


class PlanReviewForm(forms.Form):
    reviewed_on = forms.DateField(widget=DateInput(), initial=timezone.localdate, label="Review date")
    progress_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    outcome = forms.ChoiceField(choices=PlanReviewOutcome.choices, widget=forms.RadioSelect)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class NoteFormatForm(forms.Form):
    format = forms.ChoiceField(choices=NoteFormat.choices, widget=forms.RadioSelect, initial=NoteFormat.DAP)


class GoalChoiceField(forms.ChoiceField):
    """A goal of the patient's current plan, chosen from goals already fetched (no query per field)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=[("", "— choose a goal —")], **kwargs)
        self.goals_by_pk = {}

    def set_goals(self, goals) -> None:
        self.goals_by_pk = {str(goal.pk): goal for goal in goals}
        self.choices = [("", "— choose a goal —")] + [
            (str(goal.pk), f"{goal.problem.position}.{goal.position} {goal.statement[:90]}") for goal in goals
        ]

    def prepare_value(self, value):
        return str(value.pk) if hasattr(value, "pk") else value

    def clean(self, value):
        value = super().clean(value)
        return self.goals_by_pk.get(value) if value else None


class SessionNoteForm(forms.Form):
    """The fields of the note's format (DAP, SOAP or BIRP), the linked goal and the start/stop times."""

    started_at = forms.DateTimeField(widget=DateTimeInput(), label="Start time")
    ended_at = forms.DateTimeField(widget=DateTimeInput(), label="Stop time")
    goal = GoalChoiceField(required=False, label="Plan goal worked on")

    def __init__(self, *args, note_format: str, goals: list, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FORMAT_FIELDS[note_format]:
            self.fields[name] = forms.CharField(
                label=FORMAT_FIELD_LABELS[name],
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                max_length=8000,
            )
        self.fields["goal"].set_goals(goals)
        self.order_fields(["started_at", "ended_at", *FORMAT_FIELDS[note_format], "goal"])


class GroupNoteSharedForm(forms.Form):
    topic = forms.CharField(max_length=200, required=False)
    interventions = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), max_length=8000, required=False)
    group_dynamics = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), max_length=8000, required=False)
    started_at = forms.DateTimeField(widget=DateTimeInput(), label="Start time")
    ended_at = forms.DateTimeField(widget=DateTimeInput(), label="Stop time")


class GroupSectionForm(forms.Form):
    """One present patient's section; the prefix is the section's id."""

    participation = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False)
    goal = GoalChoiceField(required=False, label="Plan goal")
    progress = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False, label="Progress toward the goal"
    )
    plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False)

    def __init__(self, *args, section, goals: list, **kwargs):
        super().__init__(*args, prefix=f"section-{section.pk}", **kwargs)
        self.section = section
        self.goals = goals
        self.fields["goal"].set_goals(goals)


class AddendumForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=8000, label="Addendum")


class CounselingNoteForm(forms.Form):
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20000, label="Counseling note")
