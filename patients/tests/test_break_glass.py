"""Break-the-glass: emergency access outside the care team, limited in time, logged, reviewed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import DirectorFactory
from audit.models import AccessLog
from notifications.models import StaffTask
from patients.models import BreakGlassAccess
from patients.selectors import patients_visible_to

from .factories import EpisodeFactory

pytestmark = pytest.mark.django_db

REASON = "Patient in crisis in the evening group; covering for the primary clinician."


@pytest.fixture
def stranger_episode(other_counselor):
    return EpisodeFactory(primary_clinician=other_counselor)


def test_reason_opens_the_chart_for_a_limited_time_and_the_director_is_told(login, counselor, stranger_episode):
    patient = stranger_episode.patient
    director = DirectorFactory(programs=[stranger_episode.program])
    client = login(counselor)
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 404

    response = client.post(reverse("patients:break_glass"), {"mrn": patient.mrn, "reason": REASON})

    assert response.url == reverse("patients:chart", args=[patient.pk])
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 200
    grant = BreakGlassAccess.objects.get()
    assert grant.user == counselor and grant.reason == REASON
    assert timedelta(minutes=59) < grant.expires_at - timezone.now() <= timedelta(minutes=60)
    assert AccessLog.objects.filter(user=counselor, patient=patient, action="break the glass").exists()
    task = StaffTask.objects.get(assignee=director)
    assert task.patient == patient and counselor.get_full_name() in task.title


def test_access_ends_when_the_grant_expires(counselor, stranger_episode):
    BreakGlassAccess.objects.create(
        user=counselor,
        patient=stranger_episode.patient,
        reason=REASON,
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert not patients_visible_to(counselor).filter(pk=stranger_episode.patient.pk).exists()


def test_a_grant_is_for_its_user_only(counselor, other_counselor, stranger_episode):
    from accounts.tests.factories import CounselorFactory

    BreakGlassAccess.objects.create(
        user=counselor, patient=stranger_episode.patient, reason=REASON, expires_at=timezone.now() + timedelta(hours=1)
    )
    assert not patients_visible_to(CounselorFactory()).filter(pk=stranger_episode.patient.pk).exists()


@pytest.mark.parametrize(
    ("mrn", "reason", "message"),
    [("000000000", REASON, "No patient has this MRN"), (None, "urgent", "Describe the emergency")],
)
def test_unknown_mrn_or_a_thin_reason_is_refused(login, counselor, stranger_episode, mrn, reason, message):
    response = login(counselor).post(
        reverse("patients:break_glass"), {"mrn": mrn or stranger_episode.patient.mrn, "reason": reason}
    )
    assert response.status_code == 200
    assert message in response.text
    assert not BreakGlassAccess.objects.exists()


def test_intake_staff_have_no_need_for_it(login, intake_worker):
    assert login(intake_worker).get(reverse("patients:break_glass")).status_code == 403
