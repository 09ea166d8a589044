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
