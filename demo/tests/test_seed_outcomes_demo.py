"""The demo clinic's outcomes: measures through the services, TEDS identifiers, facts counted, a page with figures."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from outcomes.constants import MeasurePoint, PeriodKind
from outcomes.models import AdmissionProfile, EpisodeFact, OutcomeMeasures, ProgramReporting
from outcomes.selectors.cohorts import Scope
from outcomes.selectors.figures import outcomes_for
from outcomes.selectors.periods import Period
from outcomes.selectors.teds import teds_report
from patients.models import Episode
from programs.models import Program

pytestmark = pytest.mark.django_db


def test_the_demo_clinic_has_outcomes_to_show_and_teds_records_to_fix():
    call_command("seed_demo", seed=7, stdout=StringIO())
    out = StringIO()
    call_command("seed_outcomes_demo", stdout=out)
    assert "Outcomes demo: measures for" in out.getvalue()

    episodes = Episode.objects.valid().filter(patient__entered_in_error_at__isnull=True)
    assert EpisodeFact.objects.count() == episodes.count()
    assert ProgramReporting.objects.count() == Program.objects.count()
    at_admission = OutcomeMeasures.objects.filter(point=MeasurePoint.ADMISSION).count()
    assert 0 < at_admission < episodes.count()  # a few left for the TEDS report to flag
    assert AdmissionProfile.objects.count() == at_admission
    assert OutcomeMeasures.objects.filter(point=MeasurePoint.DISCHARGE).exists()

    today = timezone.localdate()
    period = Period(PeriodKind.CUSTOM, today - dt.timedelta(days=365), today)
    programs = tuple(Program.objects.values_list("pk", flat=True))
    outcomes = outcomes_for(Scope(programs, period, period.previous(), today))
    for key in ("admissions", "discharges", "retention_30", "working_discharge", "phq9_first"):
        assert outcomes.figure(key).current.value, key
    report = teds_report(programs, period)
    assert report.valid and report.invalid

    # A second run (make run on an existing demo) adds nothing, and counts the facts again.
    call_command("seed_outcomes_demo", "--if-empty", stdout=StringIO())
    assert OutcomeMeasures.objects.filter(point=MeasurePoint.ADMISSION).count() == at_admission
