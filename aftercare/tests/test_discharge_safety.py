"""Discharge waits while a safety alert is open, unless a supervisor acknowledges each by name."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import SupervisorFactory
from aftercare.constants import DischargeType
from aftercare.models import Discharge
from aftercare.services.discharge import episode_discharge
from patients.constants import AlertKind, EpisodeStatus
from patients.services import alert_acknowledge_for_discharge, alert_resolve
from patients.tests.factories import EpisodeFactory, PatientAlertFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(program, counselor):
    return EpisodeFactory(
        program=program, primary_clinician=counselor, admitted_on=timezone.localdate() - dt.timedelta(30)
    )


def discharge(episode, by):
    return episode_discharge(
        episode=episode,
        discharged_on=timezone.localdate(),
        discharge_type=DischargeType.AGAINST_ADVICE,
        reason="Stopped attending; declined to continue",
        by=by,
    )


def test_two_open_safety_alerts_stop_the_discharge_and_nothing_is_saved(episode, counselor):
    PatientAlertFactory(patient=episode.patient)
    PatientAlertFactory(patient=episode.patient, message="PHQ-9 item 9 answered 2 on Nov 20")
    with pytest.raises(ValidationError, match="2 open safety alerts"):
        discharge(episode, counselor)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE and not Discharge.objects.exists()


def test_other_alerts_do_not_stop_it(episode, counselor):
    PatientAlertFactory(patient=episode.patient, kind=AlertKind.ALLERGY, message="Penicillin")
    assert discharge(episode, counselor).pk


def test_a_resolved_alert_no_longer_stops_it(episode, counselor):
    alert = PatientAlertFactory(patient=episode.patient)
    alert_resolve(
        alert=alert,
        by=counselor,
        resolution="C-SSRS negative today; crisis plan and 988 given before leaving.",
        risk_level="low",
        action="safety_plan",
    )
    assert discharge(episode, counselor).pk


def test_a_supervisor_acknowledges_each_open_alert_by_name(episode, counselor, program):
    supervisor = SupervisorFactory(programs=[program])
    first, second = PatientAlertFactory(patient=episode.patient), PatientAlertFactory(patient=episode.patient)
    with pytest.raises(ValidationError, match="supervisor or director"):
        alert_acknowledge_for_discharge(alert=first, by=counselor, note="Leaving against advice, crisis plan given.")
    alert_acknowledge_for_discharge(
        alert=first, by=supervisor, note="Leaving against advice; crisis plan and 988 given."
    )
    with pytest.raises(ValidationError, match="1 open safety alert"):
        discharge(episode, counselor)
    alert_acknowledge_for_discharge(alert=second, by=supervisor, note="Same conversation; outreach call on Friday.")
    assert discharge(episode, counselor).pk
    first.refresh_from_db()
    assert first.discharge_acknowledged_by == supervisor and first.resolved_at is None


def test_the_discharge_form_lists_the_open_alerts_and_refuses_with_the_reason(login, counselor, episode):
    PatientAlertFactory(patient=episode.patient, message="PHQ-9 item 9 answered 1 on Nov 28")
    url = reverse("aftercare:episode_discharge", args=[episode.patient.pk, episode.pk])
    client = login(counselor)
    assert "PHQ-9 item 9 answered 1 on Nov 28" in client.get(url).text
    response = client.post(
        url,
        {
            "discharged_on": timezone.localdate().isoformat(),
            "discharge_type": DischargeType.AGAINST_ADVICE,
            "reason": "Stopped attending",
            "summary": "Left treatment.",
        },
    )
    assert response.status_code == 200 and "open safety alert" in response.text
    assert not Discharge.objects.exists()
