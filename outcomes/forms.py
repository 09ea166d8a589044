"""The outcomes page's query parameters, the outcome-measure forms in plain words, and the TEDS export form."""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from iop.forms import DateInput
from iop.params import EARLIEST_DAY, LATEST_DAY, validate_day_in_range
from patients.constants import Route, Substance

from .constants import (
    ARRESTS_MAX,
    DAYS_IN_30,
    MAX_PERIOD_DAYS,
    PRIOR_EPISODES_MAX,
    SELF_HELP_TIMES_MAX,
    Education,
    Employment,
    Ethnicity,
    HealthInsurance,
    LivingArrangement,
    MaritalStatus,
    NotInLaborForce,
    PeriodKind,
    PrimaryPayer,
    Race,
    TedsFormat,
)
from .selectors.periods import Period, month_period, quarter_period
from .services.measures import SubstanceAnswer

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]


def _year_in_range(year: int) -> bool:
    # A period's neighbours (the one before, the one after) must stay inside the calendar too.
    return EARLIEST_DAY.year < year < LATEST_DAY.year


class PeriodForm(forms.Form):
    """The query string of the outcomes pages, parsed typed: a bad value is a 400, never a guess."""

    program = forms.IntegerField(required=False, min_value=1)
    period = forms.ChoiceField(choices=PeriodKind.choices, required=False)
    month = forms.CharField(required=False, max_length=7)
    quarter = forms.CharField(required=False, max_length=7)
    start = forms.DateField(required=False, validators=[validate_day_in_range])
    end = forms.DateField(required=False, validators=[validate_day_in_range])
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_month(self):
        value = self.cleaned_data["month"]
        if value:
            match = MONTH.match(value)
            if not match or not 1 <= int(match.group(2)) <= 12 or not _year_in_range(int(match.group(1))):
                raise forms.ValidationError("Give the month as YYYY-MM, e.g. 2026-03.")
        return value

    def clean_quarter(self):
        value = self.cleaned_data["quarter"]
        if value and (not QUARTER.match(value) or not _year_in_range(int(value[:4]))):
            raise forms.ValidationError("Give the quarter as YYYY-Qn, e.g. 2026-Q1.")
        return value

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        kind = cleaned.get("period") or (
            PeriodKind.CUSTOM
            if cleaned.get("start") or cleaned.get("end")
            else PeriodKind.MONTH
            if cleaned.get("month")
            else PeriodKind.QUARTER
        )
        if kind == PeriodKind.MONTH:
            match = MONTH.match(cleaned.get("month") or f"{self.today:%Y-%m}")
            cleaned["the_period"] = month_period(dt.date(int(match.group(1)), int(match.group(2)), 1))
        elif kind == PeriodKind.QUARTER:
            match = QUARTER.match(cleaned.get("quarter") or f"{self.today.year}-Q{(self.today.month - 1) // 3 + 1}")
            cleaned["the_period"] = quarter_period(dt.date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1))
        else:
            start, end = cleaned.get("start"), cleaned.get("end")
            if start is None or end is None:
                raise forms.ValidationError("A custom period needs a start and an end date.")
            if end < start:
                raise forms.ValidationError("The period ends before it starts.")
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(f"A custom period spans at most {MAX_PERIOD_DAYS} days.")
            cleaned["the_period"] = Period(PeriodKind.CUSTOM, start, end)
        cleaned["the_period_kind"] = kind
        return cleaned


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class MeasuresForm(forms.Form):
    """The National Outcome Measures, asked in plain words about the past 30 days."""

    employment = forms.ChoiceField(
        label="In the past 30 days, was the patient working?", choices=[("", "—"), *Employment.choices]
    )
    not_in_labor_force = forms.ChoiceField(
        label="If not working and not looking: why?",
        choices=[("", "—"), *NotInLaborForce.choices],
        required=False,
    )
    in_school = forms.BooleanField(label="In school or job training", required=False)
    living_arrangement = forms.ChoiceField(
        label="Where did the patient live?", choices=[("", "—"), *LivingArrangement.choices]
    )
    arrests = forms.IntegerField(
        label="How many times was the patient arrested in the past 30 days?", min_value=0, max_value=ARRESTS_MAX
    )
    self_help_times = forms.IntegerField(
        label="How many self-help or peer-support meetings (AA, NA, SMART Recovery, others) did the patient attend "
        "in the past 30 days?",
        min_value=0,
        max_value=SELF_HELP_TIMES_MAX,
    )

    def __init__(self, *args, substances: list[dict], at_admission: bool, **kwargs):
        """``substances``: [{"substance", "days", "rank", "route", "first_use_age"}] to ask about, prefilled."""
        super().__init__(*args, **kwargs)
        self.substances = substances
        self.at_admission = at_admission
        labels = dict(Substance.choices)
        for row in substances:
            code = row["substance"]
            self.fields[f"days_{code}"] = forms.IntegerField(
                label=f"{labels.get(code, code)}: on how many of the past 30 days?",
                min_value=0,
                max_value=DAYS_IN_30,
                initial=row.get("days"),
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )
            if at_admission:
                self.fields[f"rank_{code}"] = forms.TypedChoiceField(
                    label="For TEDS",
                    choices=[("", "not reported"), ("1", "primary"), ("2", "secondary"), ("3", "tertiary")],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=row.get("rank"),
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
                self.fields[f"route_{code}"] = forms.ChoiceField(
                    label="Usual route",
                    choices=[("", "—"), *Route.choices],
                    required=False,
                    initial=row.get("route"),
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
                self.fields[f"age_{code}"] = forms.IntegerField(
                    label="Age at first use",
                    min_value=1,
                    max_value=110,
                    required=False,
                    initial=row.get("first_use_age"),
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("employment") == Employment.NOT_IN_LABOR_FORCE and not cleaned.get("not_in_labor_force"):
            self.add_error("not_in_labor_force", "Say why the patient is not looking for work.")
        if self.at_admission:
            ranks = [cleaned.get(f"rank_{row['substance']}") for row in self.substances]
            ranks = [rank for rank in ranks if rank]
            if len(ranks) != len(set(ranks)):
                raise forms.ValidationError("Give each TEDS rank (primary, secondary, tertiary) to one substance.")
        return cleaned

    def substance_rows(self):
        """(label, days field, rank field, route field, age field) for the template's table."""
        labels = dict(Substance.choices)
        for row in self.substances:
            code = row["substance"]
            yield (
                labels.get(code, code),
                self[f"days_{code}"],
                self[f"rank_{code}"] if self.at_admission else None,
                self[f"route_{code}"] if self.at_admission else None,
                self[f"age_{code}"] if self.at_admission else None,
            )

    def measures(self) -> dict:
        data = self.cleaned_data
        return {
            "employment": data["employment"],
            "not_in_labor_force": data.get("not_in_labor_force") or "",
            "in_school": data.get("in_school", False),
            "living_arrangement": data["living_arrangement"],
            "arrests": data["arrests"],
            "self_help_times": data["self_help_times"],
        }

    def answers(self) -> list[SubstanceAnswer]:
        data = self.cleaned_data
        answers = []
        for row in self.substances:
            code = row["substance"]
            answers.append(
                SubstanceAnswer(
                    substance=code,
                    days=data[f"days_{code}"],
                    rank=data.get(f"rank_{code}") if self.at_admission else None,
                    route=(data.get(f"route_{code}") or "") if self.at_admission else "",
                    first_use_age=data.get(f"age_{code}") if self.at_admission else None,
                )
            )
        return answers


class AdmissionProfileForm(forms.Form):
    """What TEDS asks once at admission, in plain words."""

    race = forms.ChoiceField(label="Race (as the patient describes it)", choices=[("", "—"), *Race.choices])
    ethnicity = forms.ChoiceField(label="Hispanic or Latino origin", choices=[("", "—"), *Ethnicity.choices])
    marital_status = forms.ChoiceField(choices=[("", "—"), *MaritalStatus.choices])
    education = forms.ChoiceField(label="Highest school finished", choices=[("", "—"), *Education.choices])
    veteran = forms.ChoiceField(label="Has the patient served in the US armed forces?", choices=YES_NO)
    pregnant = forms.ChoiceField(label="Is she pregnant?", choices=YES_NO, required=False)
    prior_episodes = forms.IntegerField(
        label="How many times has the patient been in substance use treatment before, anywhere?",
        min_value=0,
        max_value=PRIOR_EPISODES_MAX,
        help_text="5 means five or more. Prefilled with the earlier episodes at this clinic.",
    )
    medication_planned = forms.ChoiceField(
        label="Is medication for opioid use disorder planned (methadone, buprenorphine, naltrexone)?", choices=YES_NO
    )
    co_occurring = forms.ChoiceField(
        label="Does the patient have a mental health problem besides substance use?",
        choices=YES_NO,
        help_text="Prefilled from the chart's diagnoses.",
    )
    health_insurance = forms.ChoiceField(
        label="Health insurance the patient has", choices=[("", "—"), *HealthInsurance.choices]
    )
    primary_payer = forms.ChoiceField(
        label="Who is expected to pay most of this treatment?", choices=[("", "—"), *PrimaryPayer.choices]
    )

    def __init__(self, *args, asks_pregnancy: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if asks_pregnancy:
            self.fields["pregnant"].required = True
        else:
            del self.fields["pregnant"]

    def profile(self) -> dict:
        data = self.cleaned_data
        return {
            "race": data["race"],
            "ethnicity": data["ethnicity"],
            "marital_status": data["marital_status"],
            "education": data["education"],
            "veteran": _yes_no(data["veteran"]),
            "pregnant": _yes_no(data.get("pregnant", "")),
            "prior_episodes": data["prior_episodes"],
            "medication_planned": _yes_no(data["medication_planned"]),
            "co_occurring": _yes_no(data["co_occurring"]),
            "health_insurance": data["health_insurance"],
            "primary_payer": data["primary_payer"],
        }


def yes_no_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class TedsExportForm(forms.Form):
    file_format = forms.ChoiceField(label="File", choices=TedsFormat.choices, widget=forms.RadioSelect)
    exclude_invalid = forms.BooleanField(
        label="Leave out the records with missing or inconsistent fields", required=False
    )


class TedsPeriodForm(forms.Form):
    """The TEDS page's dates (typed; a bad value is a 400)."""

    start = forms.DateField(widget=DateInput(), validators=[validate_day_in_range])
    end = forms.DateField(widget=DateInput(), validators=[validate_day_in_range])
    program = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("The period ends before it starts.")
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(f"A TEDS period spans at most {MAX_PERIOD_DAYS} days.")
            if start > timezone.localdate():
                raise forms.ValidationError("The period starts in the future.")
        return cleaned
