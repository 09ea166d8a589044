import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinical import selectors, services
from clinical.constants import NoteFormat, NoteKind
from clinical.models import GroupNote, NoteAddendum, SessionNote
from patients.tests.factories import CareTeamMemberFactory, EpisodeFactory, PatientFactory
from scheduling.constants import AttendanceStatus, SessionKind
from scheduling.models import Session
from scheduling.tests.factories import (
    AttendanceFactory,
    CurriculumTopicFactory,
    GroupFactory,
    RoomFactory,
    SessionFactory,
    session_times,
)

from .conftest import hours_ago
from .factories import plan_goal, signed_plan

pytestmark = pytest.mark.django_db


def fill_dap(note, goal):
    return services.session_note_update(
        note=note,
        by=note.author,
        data="Reports 5 days sober.",
        assessment="Engaged; cravings lower.",
        plan="Continue weekly; practice urge surfing.",
        goal=goal,
    )


@pytest.fixture
def individual_note(individual_session, episode, counselor):
    AttendanceFactory(session=individual_session)
    return services.session_note_create(session=individual_session, author=counselor, format=NoteFormat.DAP)


class TestIndividualNotes:
    def test_note_ties_to_session_and_attendance_with_times(self, individual_note, individual_session):
        assert individual_note.kind == NoteKind.INDIVIDUAL
        assert individual_note.attendance.session == individual_session
        assert (individual_note.started_at, individual_note.ended_at) == (
            individual_session.start,
            individual_session.end,
        )

    def test_no_note_without_attendance_or_for_an_absence(self, individual_session, counselor):
        with pytest.raises(ValidationError, match="attendance"):
            services.session_note_create(session=individual_session, author=counselor, format=NoteFormat.SOAP)
        AttendanceFactory(session=individual_session, status=AttendanceStatus.UNEXCUSED, minutes_attended=0)
        with pytest.raises(ValidationError, match="did not attend"):
            services.session_note_create(session=individual_session, author=counselor, format=NoteFormat.SOAP)

    def test_only_the_sessions_clinician_writes_the_note(self, individual_session, other_counselor):
        AttendanceFactory(session=individual_session)
        with pytest.raises(ValidationError, match="ran the session"):
            services.session_note_create(session=individual_session, author=other_counselor, format=NoteFormat.DAP)

    @pytest.mark.parametrize(
        ("note_format", "fields"),
        [
            (NoteFormat.DAP, {"data", "assessment", "plan"}),
            (NoteFormat.SOAP, {"subjective", "objective", "assessment", "plan"}),
            (NoteFormat.BIRP, {"behavior", "intervention", "response", "plan"}),
        ],
    )
    def test_signing_needs_every_field_of_the_format_and_a_goal(
        self, individual_session, counselor, note_format, fields
    ):
        AttendanceFactory(session=individual_session)
        note = services.session_note_create(session=individual_session, author=counselor, format=note_format)
        with pytest.raises(ValidationError) as error:
            services.session_note_sign(note=note, by=counselor)
        assert set(error.value.message_dict) == fields | {"goal"}

    def test_signed_note_is_locked_and_changes_are_addenda(self, individual_note, episode, counselor):
        note = fill_dap(individual_note, plan_goal(signed_plan(episode)))
        note = services.session_note_sign(note=note, by=counselor)
        assert note.is_signed and note.signed_by == counselor and not note.is_late_entry
        with pytest.raises(ValidationError, match="locked"):
            services.session_note_update(note=note, by=counselor, data="changed")
        with pytest.raises(ValidationError, match="locked"):
            services.session_note_sign(note=note, by=counselor)
        addendum = services.note_addendum_add(note=note, author=counselor, text="Patient called: 6 days sober.")
        assert addendum.signed_at is not None and addendum.author == counselor
        note.refresh_from_db()
        assert note.data == "Reports 5 days sober."

    def test_addenda_are_for_signed_notes_only(self, individual_note, counselor):
        with pytest.raises(ValidationError, match="addenda are for signed"):
            services.note_addendum_add(note=individual_note, author=counselor, text="x")
        assert not NoteAddendum.objects.exists()

    def test_only_the_author_changes_a_draft(self, individual_note, other_counselor):
        with pytest.raises(ValidationError, match="author"):
            services.session_note_update(note=individual_note, by=other_counselor, data="x")

    def test_goal_must_come_from_the_patients_current_plan(self, individual_note):
        stranger_goal = plan_goal(signed_plan(EpisodeFactory()))
        with pytest.raises(ValidationError) as error:
            fill_dap(individual_note, stranger_goal)
        assert "goal" in error.value.message_dict

    def test_stop_time_after_start(self, individual_note):
        with pytest.raises(ValidationError) as error:
            services.session_note_update(
                note=individual_note, by=individual_note.author, ended_at=individual_note.started_at
            )
        assert "ended_at" in error.value.message_dict

    @pytest.mark.parametrize(("hours_after_limit", "late"), [(-0.1, False), (0.1, True)])
    def test_late_entry_past_the_programs_limit(self, individual_note, episode, counselor, hours_after_limit, late):
        note = fill_dap(individual_note, plan_goal(signed_plan(episode)))
        limit = dt.timedelta(hours=episode.program.note_signing_limit_hours + hours_after_limit)
        note = services.session_note_sign(note=note, by=counselor, now=note.session.end + limit)
        assert note.is_late_entry is late

    def test_trainee_notes_need_the_supervisors_cosignature(self, episode, trainee, supervisor, counselor):
        session = SessionFactory(episode=episode, clinician=trainee, **session_times(hours_ago(3), 60))
        AttendanceFactory(session=session)
        note = services.session_note_create(session=session, author=trainee, format=NoteFormat.DAP)
        note = services.session_note_sign(note=fill_dap(note, plan_goal(signed_plan(episode))), by=trainee)
        assert note.awaits_cosign
        assert selectors.notes_awaiting_cosign(supervisor)["notes"] == [note]
        with pytest.raises(ValidationError, match="supervisor"):
            services.note_cosign(note=note, by=counselor)
        with pytest.raises(ValidationError, match="someone other"):
            services.note_cosign(note=note, by=trainee)
        note = services.note_cosign(note=note, by=supervisor)
        assert note.cosigned_by == supervisor and not note.awaits_cosign


def group_session(program, facilitator, *, hours_before_now: float = 4) -> Session:
    group = GroupFactory(program=program, facilitator=facilitator)
    topic = CurriculumTopicFactory(group=group, title="Managing cravings and triggers")
    start = hours_ago(hours_before_now)
    return Session.objects.create(
        program=program,
        kind=SessionKind.GROUP_THERAPY,
        group=group,
        original_start=start,
        topic=topic,
        clinician=facilitator,
        room=RoomFactory(),
        **session_times(start, 180),
    )


def attend(session, episode, status=AttendanceStatus.PRESENT, minutes=180):
    if status in (AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED):
        minutes = 0
    return AttendanceFactory(
        session=session, episode=episode, patient=episode.patient, status=status, minutes_attended=minutes
    )


@pytest.fixture
def group_setup(program, counselor):
    """A group session three patients were enrolled in: present, late (150 min) and absent."""
    session = group_session(program, counselor)
    episodes = []
    for name, surname in (("Ana", "Adams"), ("Ben", "Brown"), ("Cara", "Clark")):
        episode = EpisodeFactory(
            program=program,
            primary_clinician=counselor,
            patient=PatientFactory(preferred_name=name, legal_last_name=surname),
        )
        CareTeamMemberFactory(patient=episode.patient, user=counselor)
        signed_plan(episode)
        episodes.append(episode)
    attend(session, episodes[0])
    attend(session, episodes[1], AttendanceStatus.LATE, 150)
    attend(session, episodes[2], AttendanceStatus.UNEXCUSED)
    return session, episodes


def write_sections(group_note, texts: dict, goals=True):
    sections = {}
    for section in group_note.sections.select_related("episode"):
        participation, progress = texts[section.patient_id]
        goal = plan_goal(section.episode.treatment_plans.get()) if goals else None
        sections[section.pk] = {
            "participation": participation,
            "progress": progress,
            "plan": "Continue IOP",
            "goal": goal,
        }
    return services.group_note_update(
        group_note=group_note,
        by=group_note.author,
        topic=group_note.topic,
        interventions="CBT craving log; role play of refusal skills.",
        group_dynamics="Cohesive; Ben quieter at first.",
        started_at=group_note.started_at,
        ended_at=group_note.ended_at,
        sections=sections,
    )


class TestGroupNotes:
    def test_start_prefills_topic_and_a_section_per_present_patient(self, group_setup, counselor):
        session, (ana, ben, _cara) = group_setup
        group_note = services.group_note_start(session=session, author=counselor)
        assert group_note.topic == "Managing cravings and triggers"
        sections = {s.patient_id: s for s in group_note.sections.all()}
        assert set(sections) == {ana.patient_id, ben.patient_id}  # absent Cara gets no section
        assert (sections[ben.patient_id].attendance_status, sections[ben.patient_id].minutes_attended) == ("late", 150)

    def test_signing_refused_for_empty_sections_naming_the_patient(self, group_setup, counselor):
        session, (ana, ben, _) = group_setup
        group_note = services.group_note_start(session=session, author=counselor)
        write_sections(
            group_note, {ana.patient_id: ("Shared a trigger.", "Named 3 coping skills."), ben.patient_id: ("", "")}
        )
        with pytest.raises(ValidationError) as error:
            services.group_note_sign(group_note=group_note, by=counselor)
        message = " ".join(error.value.messages)
        assert "empty for Ben" in message and "Ana" not in message
        assert not SessionNote.objects.exists()

    def test_signing_refused_for_sections_copied_word_for_word(self, group_setup, counselor):
        session, (ana, ben, _) = group_setup
        group_note = services.group_note_start(session=session, author=counselor)
        write_sections(
            group_note,
            {
                ana.patient_id: ("Participated actively and shared.", "Identified triggers at work."),
                ben.patient_id: ("  participated ACTIVELY\n and shared. ", "Practised refusal with a peer."),
            },
        )
        with pytest.raises(ValidationError, match=r"copied word for word between Ana Adams, Ben Brown"):
            services.group_note_sign(group_note=group_note, by=counselor)

    def test_signing_refused_without_a_plan_goal(self, group_setup, counselor):
        session, (ana, ben, _) = group_setup
        group_note = services.group_note_start(session=session, author=counselor)
        write_sections(group_note, {ana.patient_id: ("a", "b"), ben.patient_id: ("c", "d")}, goals=False)
        with pytest.raises(ValidationError, match="No plan goal is linked for Ana Adams, Ben Brown"):
            services.group_note_sign(group_note=group_note, by=counselor)

    def test_signing_files_a_note_in_each_attendees_chart_and_locks(self, group_setup, counselor):
        session, (ana, ben, cara) = group_setup
        group_note = services.group_note_start(session=session, author=counselor)
        write_sections(
            group_note,
            {
                ana.patient_id: ("Shared a trigger.", "3 coping skills."),
                ben.patient_id: ("Quiet, then role-played.", "Refused an offer in role play."),
            },
        )
        group_note = services.group_note_sign(group_note=group_note, by=counselor)
        filed = SessionNote.objects.filter(group_note=group_note)
        assert {note.patient_id for note in filed} == {ana.patient_id, ben.patient_id}
        assert all(note.is_signed and note.kind == NoteKind.GROUP and note.goal_id for note in filed)
        assert not SessionNote.objects.filter(patient=cara.patient).exists()
        with pytest.raises(ValidationError, match="locked"):
            write_sections(group_note, {ana.patient_id: ("x", "y"), ben.patient_id: ("z", "w")})

    def test_attendance_corrected_after_the_draft_began_is_followed_at_signing(self, group_setup, counselor):
        session, (ana, ben, cara) = group_setup
        group_note = services.group_note_start(session=session, author=counselor)
        write_sections(group_note, {ana.patient_id: ("a1", "a2"), ben.patient_id: ("b1", "b2")})
        cara_attendance = session.attendance.get(patient=cara.patient)
        cara_attendance.status, cara_attendance.minutes_attended = AttendanceStatus.LEFT_EARLY, 90
        cara_attendance.save()
        with pytest.raises(ValidationError, match="empty for Cara"):
            services.group_note_sign(group_note=group_note, by=counselor)

    def test_trainee_group_note_cosigned_with_its_filed_copies(self, program, trainee, supervisor):
        session = group_session(program, trainee)
        episode = EpisodeFactory(program=program, primary_clinician=trainee)
        signed_plan(episode)
        attend(session, episode)
        group_note = services.group_note_start(session=session, author=trainee)
        write_sections(group_note, {episode.patient_id: ("p", "q")})
        group_note = services.group_note_sign(group_note=group_note, by=trainee)
        assert group_note.awaits_cosign and SessionNote.objects.get(group_note=group_note).awaits_cosign
        services.note_cosign(note=group_note, by=supervisor)
        assert SessionNote.objects.get(group_note=group_note).cosigned_by == supervisor

    def test_no_group_note_before_attendance_or_twice(self, program, counselor):
        session = group_session(program, counselor)
        with pytest.raises(ValidationError, match="Take attendance"):
            services.group_note_start(session=session, author=counselor)
        attend(session, EpisodeFactory(program=program))
        services.group_note_start(session=session, author=counselor)
        with pytest.raises(ValidationError, match="already has a note"):
            services.group_note_start(session=session, author=counselor)
        assert GroupNote.objects.count() == 1


class TestWorkLists:
    def test_unsigned_notes_overdue_for_author_and_supervisor(self, episode, trainee, supervisor, counselor):
        limit = episode.program.note_signing_limit_hours
        overdue_session = SessionFactory(episode=episode, clinician=trainee, **session_times(hours_ago(limit + 3), 60))
        recent_session = SessionFactory(episode=episode, clinician=trainee, **session_times(hours_ago(3), 60))
        for session in (overdue_session, recent_session):
            AttendanceFactory(session=session)
            services.session_note_create(session=session, author=trainee, format=NoteFormat.BIRP)
        assert [row.session for row in selectors.unsigned_notes_overdue(trainee)] == [overdue_session]
        assert [row.session for row in selectors.unsigned_notes_overdue(supervisor)] == [overdue_session]
        assert selectors.unsigned_notes_overdue(counselor) == []
        assert len(selectors.draft_notes(trainee)) == 2

    def test_unsigned_group_note_overdue(self, program, counselor):
        session = group_session(program, counselor, hours_before_now=40)
        attend(session, EpisodeFactory(program=program))
        services.group_note_start(session=session, author=counselor)
        rows = selectors.unsigned_notes_overdue(counselor)
        assert len(rows) == 1 and rows[0].is_group

    def test_sessions_needing_notes(self, episode, counselor, individual_session, program):
        AttendanceFactory(session=individual_session)
        no_show = SessionFactory(episode=episode, clinician=counselor, **session_times(hours_ago(30), 60))
        AttendanceFactory(session=no_show, status=AttendanceStatus.UNEXCUSED, minutes_attended=0)
        old = SessionFactory(episode=episode, clinician=counselor, **session_times(hours_ago(24 * 15), 60))
        AttendanceFactory(session=old)
        assert list(selectors.sessions_needing_notes(counselor)) == [individual_session]
        note = services.session_note_create(session=individual_session, author=counselor, format=NoteFormat.DAP)
        assert list(selectors.sessions_needing_notes(counselor)) == [individual_session]  # a draft is not enough
        services.session_note_sign(note=fill_dap(note, plan_goal(signed_plan(episode))), by=counselor)
        assert list(selectors.sessions_needing_notes(counselor)) == []
        assert timezone.now() > individual_session.end
