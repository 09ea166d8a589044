import pytest
from django.core.management import call_command

from clinical.models import GroupNote, SessionNote, TreatmentPlan
from clinical.tests.conftest import hours_ago
from clinical.tests.test_notes import attend, group_session
from patients.tests.factories import EpisodeFactory
from scheduling.tests.factories import AttendanceFactory, SessionFactory, session_times

pytestmark = pytest.mark.django_db


def test_seeds_plans_and_notes_once(program, counselor):
    episodes = [EpisodeFactory(program=program, primary_clinician=counselor) for _ in range(4)]
    for index, episode in enumerate(episodes):
        session = SessionFactory(episode=episode, clinician=counselor, **session_times(hours_ago(30 + index), 50))
        AttendanceFactory(session=session)
    session = group_session(program, counselor, hours_before_now=50)
    for episode in episodes:
        attend(session, episode)
    call_command("seed_notes_demo", "--if-empty")
    assert TreatmentPlan.objects.count() == 4
    assert SessionNote.objects.filter(group_note__isnull=True).count() == 4
    assert GroupNote.objects.count() == 1
    counts = (TreatmentPlan.objects.count(), SessionNote.objects.count(), GroupNote.objects.count())
    call_command("seed_notes_demo", "--if-empty")
    assert (TreatmentPlan.objects.count(), SessionNote.objects.count(), GroupNote.objects.count()) == counts
