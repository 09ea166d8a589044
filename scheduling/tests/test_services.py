"""Enrolment, booking and the rules that refuse a schedule: conflicts, capacity, telehealth, the band."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import CounselorFactory
from patients.constants import ConsentKind
from patients.tests.factories import ConsentFactory, ContactFactory, EpisodeFactory
from scheduling.constants import EnrolmentStatus, SessionKind
from scheduling.models import Enrolment, WeekNote
from scheduling.services import (
    group_generate_occurrences,
    patient_schedule_save,
    session_book,
    session_move,
)
from scheduling.tests.factories import GroupFactory, RoomFactory, VirtualRoomFactory

pytestmark = pytest.mark.django_db


def next_monday():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def local(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def second_group(program, room, this_monday):
    """Tue 18:00–21:00: three more hours a week, in another room."""
    group = GroupFactory(
        name="Family education",
        program=program,
        room=RoomFactory(name="Group room B"),
        rrule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=this_monday - dt.timedelta(weeks=1),
    )
    group_generate_occurrences(group=group, since=group.starts_on)
    return group


class TestBand:
    def test_nine_hours_sits_in_the_band(self, episode, group, counselor):
        result = patient_schedule_save(episode=episode, groups=[group], starts_on=next_monday(), by=counselor)
        assert result.enrolled == [group]

    def test_a_week_below_the_minimum_is_refused_with_the_shortfall_named(self, episode, program, counselor):
        tuesday = GroupFactory(program=program, rrule="FREQ=WEEKLY;BYDAY=TU", starts_on=next_monday())
        group_generate_occurrences(group=tuesday)
        with pytest.raises(ValidationError) as refused:
            patient_schedule_save(episode=episode, groups=[tuesday], starts_on=next_monday(), by=counselor)
        text = " ".join(refused.value.messages)
        assert "3 hours planned, 6 short of the 9-hour minimum" in text
        assert not Enrolment.objects.filter(episode=episode).exists()  # nothing half-saved

    def test_a_documented_step_down_week_is_allowed_and_noted(self, episode, program, counselor):
        tuesday = GroupFactory(program=program, rrule="FREQ=WEEKLY;BYDAY=TU", starts_on=next_monday())
        group_generate_occurrences(group=tuesday)
        patient_schedule_save(
            episode=episode,
            groups=[tuesday],
            starts_on=next_monday(),
            by=counselor,
            reason="Step-down to outpatient: tapering week",
        )
        assert WeekNote.objects.filter(episode=episode, week_start=next_monday()).exists()

    def test_above_the_band_names_the_excess(self, episode, group, counselor, program, room):
        extra = []
        for day, name in (("TU", "A"), ("FR", "B"), ("SA", "C"), ("SU", "D")):
            extra_group = GroupFactory(
                program=program,
                name=f"Extra {name}",
                rrule=f"FREQ=WEEKLY;BYDAY={day}",
                room=room,
                starts_on=next_monday(),
            )
            group_generate_occurrences(group=extra_group)
            extra.append(extra_group)
        with pytest.raises(ValidationError) as refused:
            patient_schedule_save(episode=episode, groups=[group, *extra], starts_on=next_monday(), by=counselor)
        assert "21 hours planned, 1 over the band: it stays under 20 hours (20 or more is level 2.5 Partial" in (
            " ".join(refused.value.messages)
        )


class TestConflicts:
    def test_group_at_capacity_is_refused_then_offered_the_wait_list(self, group, counselor, program):
        group.capacity = 1
        group.save()
        patient_schedule_save(
            episode=EpisodeFactory(program=program), groups=[group], starts_on=next_monday(), by=counselor
        )
        late = EpisodeFactory(program=program)
        with pytest.raises(ValidationError) as refused:
            patient_schedule_save(episode=late, groups=[group], starts_on=next_monday(), by=counselor)
        assert "is full (1 of 1)" in " ".join(refused.value.messages)
        result = patient_schedule_save(
            episode=late,
            groups=[group],
            starts_on=next_monday(),
            by=counselor,
            waitlist_if_full=True,
            reason="Waiting for a place in the evening group",
        )
        assert result.waitlisted == [group]
        assert Enrolment.objects.get(episode=late).status == EnrolmentStatus.WAITLISTED

    def test_patient_double_booked_is_refused(self, episode, group, counselor, room):
        patient_schedule_save(episode=episode, groups=[group], starts_on=next_monday(), by=counselor)
        with pytest.raises(ValidationError) as refused:
            session_book(
                episode=episode,
                kind=SessionKind.INDIVIDUAL,
                clinician=CounselorFactory(),
                room=RoomFactory(),
                start=local(next_monday(), 19),
                duration_minutes=60,
                by=counselor,
            )
        assert "The patient is already booked" in " ".join(refused.value.messages)

    def test_clinician_and_room_double_booked_are_refused(self, episode, group, counselor, room):
        with pytest.raises(ValidationError) as refused:
            session_book(
                episode=episode,
                kind=SessionKind.INDIVIDUAL,
                clinician=counselor,
                room=room,
                start=local(next_monday(), 20),
                duration_minutes=60,
                by=counselor,
            )
        errors = refused.value.message_dict
        assert "Group room A is already booked" in errors["room"][0]
        assert "is already booked" in errors["clinician"][0]

    def test_back_to_back_is_not_a_conflict(self, episode, group, counselor, room):
        session = session_book(
            episode=episode,
            kind=SessionKind.INDIVIDUAL,
            clinician=counselor,
            room=room,
            start=local(next_monday(), 17),
            duration_minutes=60,
            by=counselor,
        )
        assert session.end == local(next_monday(), 18)

    def test_moving_onto_a_booked_room_is_refused(self, episode, group, counselor, room):
        session = session_book(
            episode=episode,
            kind=SessionKind.INDIVIDUAL,
            clinician=CounselorFactory(),
            room=room,
            start=local(next_monday(), 10),
            duration_minutes=60,
            by=counselor,
        )
        with pytest.raises(ValidationError):
            session_move(session=session, start=local(next_monday(), 18, 30), by=counselor)

    def test_group_clashing_with_the_patients_other_group_is_refused(self, episode, group, program, counselor):
        patient_schedule_save(episode=episode, groups=[group], starts_on=next_monday(), by=counselor)
        clash = GroupFactory(program=program, rrule="FREQ=WEEKLY;BYDAY=MO", starts_on=next_monday())
        group_generate_occurrences(group=clash)
        with pytest.raises(ValidationError) as refused:
            patient_schedule_save(episode=episode, groups=[group, clash], starts_on=next_monday(), by=counselor)
        assert "clashes with the patient's other sessions" in " ".join(refused.value.messages)


class TestTelehealthAndFamily:
    def test_virtual_room_needs_telehealth_consent(self, episode, counselor):
        virtual = VirtualRoomFactory()
        start = local(next_monday(), 10)
        with pytest.raises(ValidationError) as refused:
            session_book(
                episode=episode,
                kind=SessionKind.INDIVIDUAL,
                clinician=counselor,
                room=virtual,
                start=start,
                duration_minutes=60,
                by=counselor,
            )
        assert "telehealth consent" in refused.value.message_dict["room"][0]
        ConsentFactory(patient=episode.patient, kind=ConsentKind.TELEHEALTH)
        session = session_book(
            episode=episode,
            kind=SessionKind.INDIVIDUAL,
            clinician=counselor,
            room=virtual,
            start=start,
            duration_minutes=60,
            by=counselor,
        )
        assert session.join_url == virtual.join_url

    def test_family_session_lists_only_family_session_contacts(self, episode, counselor, room):
        joins = ContactFactory(patient=episode.patient, takes_part_in_family_sessions=True)
        stays_out = ContactFactory(patient=episode.patient, takes_part_in_family_sessions=False)
        kwargs = {
            "episode": episode,
            "kind": SessionKind.FAMILY,
            "clinician": counselor,
            "room": room,
            "start": local(next_monday(), 10),
            "duration_minutes": 90,
            "by": counselor,
        }
        with pytest.raises(ValidationError):
            session_book(**kwargs, contacts=[joins, stays_out])
        session = session_book(**kwargs, contacts=[joins])
        assert list(session.family_contacts.all()) == [joins]
