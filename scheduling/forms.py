from django import forms
from django.utils import timezone

from iop.forms import DateInput, DateTimeInput
from patients.forms import clinicians

from .constants import PATIENT_BOOKED_KINDS, AttendanceStatus, SessionKind
from .models import Group, Room


class ScheduleForm(forms.Form):
    """The groups a patient attends from a date; the service checks conflicts, capacity and the band."""

    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    starts_on = forms.DateField(widget=DateInput, initial=timezone.localdate, label="From")
    waitlist_if_full = forms.BooleanField(required=False, label="Put on the wait list if a group is full")
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason if a week falls outside the hours band",
        help_text="e.g. a step-down week before discharge to outpatient care.",
    )

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = (
            Group.objects.filter(program=episode.program, is_active=True).select_related("room").order_by("name")
        )
        self.fields["groups"].label_from_instance = lambda group: f"{group.name} — {group.schedule_text} · {group.room}"


class BookingForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(value, label) for value, label in SessionKind.choices if value in PATIENT_BOOKED_KINDS]
    )
    clinician = forms.ModelChoiceField(queryset=None)
    room = forms.ModelChoiceField(queryset=Room.objects.filter(is_active=True))
    start = forms.DateTimeField(widget=DateTimeInput, label="Starts")
    duration_minutes = forms.IntegerField(min_value=15, max_value=240, initial=60, label="Minutes")
    contacts = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Family members taking part",
        help_text="Only contacts marked as taking part in family sessions are listed.",
    )
    notes = forms.CharField(required=False, max_length=200)
    reason = forms.CharField(required=False, label="Reason if the week goes over the band")

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians()
        self.fields["contacts"].queryset = patient.contacts.valid().filter(takes_part_in_family_sessions=True)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=200)


class AttendanceRowForm(forms.Form):
    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    minutes = forms.IntegerField(min_value=0, required=False)
