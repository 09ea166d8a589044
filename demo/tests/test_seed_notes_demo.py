import pytest
from django.core.management import call_command

from clinical.models import GroupNote, SessionNote, TreatmentPlan
from clinical.tests.conftest import hours_ago
from clinical.tests.test_notes import attend, group_session
from demo.stories import BY_KEY
from patients.tests.factories import DiagnosisFactory, EpisodeFactory
from scheduling.tests.factories import AttendanceFactory, SessionFactory, session_times

pytestmark = pytest.mark.django_db


def test_seeds_plans_and_notes_once_from_each_patients_story(program, counselor):
    episodes = [EpisodeFactory(program=program, primary_clinician=counselor) for _ in range(4)]
    stories = [BY_KEY["alcohol-depression"], BY_KEY["opioid-buprenorphine"]] * 2
    for episode, story in zip(episodes, stories, strict=True):
        for rank, (code, description) in enumerate(story.diagnoses):
            DiagnosisFactory(patient=episode.patient, code=code, description=description, is_primary=rank == 0)
    # A chart the demo did not write tells no story: it gets no plan and no note.
    stranger = EpisodeFactory(program=program, primary_clinician=counselor)
    for index, episode in enumerate([*episodes, stranger]):
        session = SessionFactory(episode=episode, clinician=counselor, **session_times(hours_ago(30 + index), 50))
        AttendanceFactory(session=session)
    session = group_session(program, counselor, hours_before_now=50)
    for episode in episodes:
        attend(session, episode)
    call_command("seed_notes_demo", "--if-empty")
    assert TreatmentPlan.objects.count() == 4
    assert not TreatmentPlan.objects.filter(episode=stranger).exists()
    problems = {
        plan.episode_id: [p.statement for p in plan.problems.order_by("pk")] for plan in TreatmentPlan.objects.all()
    }
    assert problems[episodes[0].pk][0].startswith("Alcohol use disorder")
    assert problems[episodes[1].pk][0].startswith("Opioid use disorder")
    notes = SessionNote.objects.filter(group_note__isnull=True)
    assert notes.count() == 4
    bodies = {" ".join((n.data, n.subjective, n.behavior, n.assessment, n.plan)) for n in notes}
    assert len(bodies) == 4
    assert GroupNote.objects.count() == 1
    counts = (TreatmentPlan.objects.count(), SessionNote.objects.count(), GroupNote.objects.count())
    call_command("seed_notes_demo", "--if-empty")
    assert (TreatmentPlan.objects.count(), SessionNote.objects.count(), GroupNote.objects.count()) == counts
