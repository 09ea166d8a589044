import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.instruments import Instrument
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory, InstrumentResponseFactory
from testing.constants import DueStatus
from testing.selectors.measurement import due_status, instruments_due
from testing.tests.factories import ProgramClinicalPolicyFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 16)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 30)))


def test_due_status_window():
    due_on = dt.date(2026, 3, 10)
    assert due_status(due_on, dt.date(2026, 3, 9)) == DueStatus.NOT_DUE
    assert due_status(due_on, due_on) == DueStatus.DUE
    assert due_status(due_on, dt.date(2026, 3, 13)) == DueStatus.DUE
    assert due_status(due_on, dt.date(2026, 3, 14)) == DueStatus.OVERDUE


def test_cadence_comes_from_the_program_policy(program):
    ProgramClinicalPolicyFactory(program=program, phq9_every_days=14, gad7_every_days=28, bam_every_days=7)
    episode = EpisodeFactory(program=program, admitted_on=TODAY - dt.timedelta(days=30))
    InstrumentResponseFactory(
        patient=episode.patient, instrument=Instrument.PHQ9, administered_at=at(TODAY - dt.timedelta(days=14))
    )
    InstrumentResponseFactory(
        patient=episode.patient, instrument=Instrument.GAD7, administered_at=at(TODAY - dt.timedelta(days=14))
    )
    InstrumentResponseFactory(
        patient=episode.patient, instrument=Instrument.BAM, administered_at=at(TODAY - dt.timedelta(days=20))
    )
    rows = {row.instrument: row for row in instruments_due([episode.patient], on=TODAY)[episode.patient.pk]}
    assert rows[Instrument.PHQ9].status == DueStatus.DUE and rows[Instrument.PHQ9].due_on == TODAY
    assert rows[Instrument.GAD7].status == DueStatus.NOT_DUE
    assert rows[Instrument.BAM].status == DueStatus.OVERDUE
    assert rows[Instrument.BAM].due_on == TODAY - dt.timedelta(days=13)


def test_never_given_is_due_from_admission_with_default_cadence(program):
    episode = EpisodeFactory(program=program, admitted_on=TODAY - dt.timedelta(days=1))
    rows = instruments_due(program=program, on=TODAY)[episode.patient.pk]
    assert {row.status for row in rows} == {DueStatus.DUE}
    assert {row.every_days for row in rows} == {14, 7}


def test_discharged_patients_are_not_listed(program):
    episode = EpisodeFactory(discharged=True, program=program)
    assert instruments_due([episode.patient], on=TODAY) == {}


def test_two_queries_whatever_the_number_of_patients(program, django_assert_num_queries):
    ProgramClinicalPolicyFactory(program=program)
    for _ in range(6):
        episode = EpisodeFactory(program=program)
        InstrumentResponseFactory(patient=episode.patient, instrument=Instrument.PHQ9)
        InstrumentResponseFactory(patient=episode.patient, instrument=Instrument.BAM)
    with django_assert_num_queries(2):
        due = instruments_due(program=program, on=TODAY)
    assert len(due) == 6


def test_assessments_section_shows_due_badges(login, counselor, program):
    episode = EpisodeFactory(program=program, primary_clinician=counselor, admitted_on=timezone.localdate())
    CareTeamMemberFactory(patient=episode.patient, user=counselor, role="primary")
    response = login(counselor).get(reverse("patients:chart_assessments", args=[episode.patient.pk]))
    assert response.status_code == 200
    assert "Due now:" in response.text and "BAM due" in response.text
