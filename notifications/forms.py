from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

SNOOZE_CHOICES = [("2h", "In 2 hours"), ("tomorrow", "Tomorrow morning"), ("3d", "In 3 days"), ("week", "Next week")]


def _morning_in(days: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(8, 0)))


def snooze_until(choice: str) -> datetime:
    """The moment a snooze choice means, in the clinic's time zone (mornings at 08:00)."""
    if choice == "2h":
        return timezone.now() + timedelta(hours=2)
    return _morning_in({"tomorrow": 1, "3d": 3, "week": 7}[choice])


class TaskDoneForm(forms.Form):
    reason = forms.CharField(label="What was done", max_length=300)


class TaskSnoozeForm(forms.Form):
    snooze_for = forms.ChoiceField(label="Until", choices=SNOOZE_CHOICES, initial="tomorrow")
    reason = forms.CharField(label="Why it waits", max_length=300)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("snooze_for"):
            cleaned["until"] = snooze_until(cleaned["snooze_for"])
        return cleaned


BULK_SNOOZE_CHOICES = [*SNOOZE_CHOICES, ("at", "A date and time…")]


class TasksBulkForm(forms.Form):
    """Done or snooze for the chosen rows of the work list, with one reason for them all."""

    action = forms.ChoiceField(choices=[("done", "Mark done"), ("snooze", "Snooze")])
    reason = forms.CharField(label="Reason", max_length=300)
    snooze_for = forms.ChoiceField(label="Until", choices=BULK_SNOOZE_CHOICES, initial="tomorrow", required=False)
    snooze_at = forms.DateTimeField(
        label="Date and time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") != "snooze":
            return cleaned
        choice = cleaned.get("snooze_for") or "tomorrow"
        if choice == "at":
            if cleaned.get("snooze_at") is None and "snooze_at" not in self.errors:
                self.add_error("snooze_at", "Give the date and time the tasks come back.")
            cleaned["until"] = cleaned.get("snooze_at")
        else:
            cleaned["until"] = snooze_until(choice)
        return cleaned
