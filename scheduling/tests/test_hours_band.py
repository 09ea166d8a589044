"""The half-open hours band (ASAM 2.1: 9 <= hours < 20) and break minutes, which are not service time."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from patients.tests.factories import AuthorizationFactory, EpisodeFactory, InsurancePolicyFactory
from scheduling.models import Session
from scheduling.selectors import ledger_weeks
from scheduling.services import (
    AttendanceEntry,
    attendance_record_many,
    band_problems,
    group_generate_occurrences,
    patient_schedule_save,
)
from scheduling.tests.factories import AttendanceFactory, EnrolmentFactory, GroupFactory, SessionFactory

pytestmark = pytest.mark.django_db


def next_monday():
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def at(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def weekly_group(program, room, day: str, minutes: int, **fields):
    group = GroupFactory(
        program=program, rrule=f"FREQ=WEEKLY;BYDAY={day}", room=room, starts_on=next_monday(), duration_minutes=minutes,
        **fields,
    )  # fmt: skip
    group_generate_occurrences(group=group)
    return group


class TestHalfOpenBand:
    """A 2.1 adult program's band is 9 to under 20: 19.9 hours is IOP, 20.0 is partial hospitalization."""

    @pytest.mark.parametrize(("extra_minutes", "flagged"), [(654, False), (660, True)])
    def test_planned_20_hours_is_above_the_band_and_19_9_is_not(
        self, episode, group, program, room, counselor, extra_minutes, flagged
    ):
        # The group gives 9 hours; three more give 9 more; one more gives the rest (1 h 54 min or 2 h).
        extras = [weekly_group(program, room, day, 180, name=f"Extra {day}") for day in ("TU", "FR", "SA")]
        extras.append(weekly_group(program, room, "SU", extra_minutes - 540, name="Extra SU"))
        EnrolmentFactory(group=group, episode=episode, starts_on=next_monday())
        for extra in extras:
            EnrolmentFactory(group=extra, episode=episode, starts_on=next_monday())
        problems = band_problems(episode, [next_monday()])
        week = ledger_weeks([episode], [next_monday()])[episode.pk][0]
        assert week.scheduled_hours == (Decimal("20.00") if flagged else Decimal("19.90"))
        assert week.planned_in_band is not flagged
        if flagged:
            assert "20 hours planned, at the band's limit: it stays under 20 hours" in problems[next_monday()]
        else:
            assert problems == {}

    def test_saving_a_20_hour_week_is_refused_without_a_reason(self, episode, group, program, room, counselor):
        extras = [weekly_group(program, room, day, 180, name=f"Extra {day}") for day in ("TU", "FR", "SA")]
        extras.append(weekly_group(program, room, "SU", 120, name="Extra SU"))
        with pytest.raises(ValidationError) as refused:
            patient_schedule_save(episode=episode, groups=[group, *extras], starts_on=next_monday(), by=counselor)
        assert "at the band's limit" in " ".join(refused.value.messages)

    @pytest.mark.parametrize(("attended_minutes", "flag"), [(1194, False), (1200, True)])
    def test_attending_20_hours_raises_the_above_the_band_flag(self, episode, this_monday, attended_minutes, flag):
        last_monday = this_monday - dt.timedelta(weeks=1)
        # Five days of 4 hours (240 minutes), the last one 6 minutes shorter for 19.9 hours.
        for offset in range(5):
            minutes = 240 - (1200 - attended_minutes if offset == 4 else 0)
            session = SessionFactory(
                episode=episode, local_start=at(last_monday + dt.timedelta(days=offset), 9), minutes=minutes
            )
            AttendanceFactory(session=session)
        week = ledger_weeks([episode], [last_monday])[episode.pk][0]
        assert week.attended.attended_minutes == attended_minutes
        assert ("Above the band" in week.flags) is flag

    @pytest.mark.parametrize(("hours", "flagged"), [(Decimal("5.9"), True), (Decimal("6.0"), False)])
    def test_an_adolescent_week_counts_from_6_hours(self, this_monday, hours, flagged):
        from programs.tests.factories import AdolescentProgramFactory

        teens = AdolescentProgramFactory()
        episode = EpisodeFactory(program=teens, admitted_on=this_monday - dt.timedelta(weeks=3))
        last_monday = this_monday - dt.timedelta(weeks=1)
        session = SessionFactory(episode=episode, local_start=at(last_monday, 9), minutes=int(hours * 60))
        AttendanceFactory(session=session)
        week = ledger_weeks([episode], [last_monday])[episode.pk][0]
        assert (week.low, week.high) == (Decimal("6"), Decimal("20"))
        assert ("Below minimum" in week.flags) is flagged

    def test_a_level_2_5_episode_is_held_to_its_own_band_in_an_iop_program(self, program, this_monday):
        episode = EpisodeFactory(
            program=program,
            level_of_care="2.5",
            target_weekly_hours=Decimal("20"),
            admitted_on=this_monday - dt.timedelta(weeks=3),
        )
        last_monday = this_monday - dt.timedelta(weeks=1)
        for offset in range(4):  # 4 × 4 h = 16 h: fine for IOP, short for partial hospitalization
            session = SessionFactory(
                episode=episode, local_start=at(last_monday + dt.timedelta(days=offset), 9), minutes=240
            )
            AttendanceFactory(session=session)
        week = ledger_weeks([episode], [last_monday])[episode.pk][0]
        assert (week.low, week.high) == (Decimal("20"), Decimal("40"))
        assert "Below minimum" in week.flags


class TestBreakMinutes:
    """Breaks and meals are not service time (HCPCS H0015 / S9480): not in hours, the billable day or attendance."""

    def test_a_group_passes_its_breaks_to_every_occurrence_and_hours_leave_them_out(
        self, episode, program, room, this_monday
    ):
        group = GroupFactory(program=program, room=room, starts_on=this_monday, break_minutes=15)
        group_generate_occurrences(group=group, since=this_monday)
        EnrolmentFactory(group=group, episode=episode, starts_on=this_monday)
        sessions = Session.objects.filter(group=group, week_start=this_monday)
        assert {(s.duration_minutes, s.break_minutes, s.countable_minutes) for s in sessions} == {(180, 15, 165)}
        week = ledger_weeks([episode], [this_monday])[episode.pk][0]
        assert week.scheduled_minutes == 3 * 165  # 8.25 hours: below the 9-hour minimum

    @pytest.mark.parametrize(("minutes", "ok"), [(165, True), (166, False)])
    def test_attendance_is_capped_at_the_countable_length(self, episode, counselor, minutes, ok):
        session = SessionFactory(episode=episode, minutes=180, break_minutes=15)
        entry = AttendanceEntry(episode.patient_id, "present", minutes)
        if ok:
            (row,) = attendance_record_many(session=session, entries=[entry], by=counselor)
            assert row.minutes_attended == 165
        else:
            with pytest.raises(ValidationError, match=r"between 0 and 165 \(180 less 15 of breaks\)"):
                attendance_record_many(session=session, entries=[entry], by=counselor)

    def test_present_with_no_minutes_means_the_countable_length(self, episode, counselor):
        session = SessionFactory(episode=episode, minutes=180, break_minutes=30)
        (row,) = attendance_record_many(
            session=session, entries=[AttendanceEntry(episode.patient_id, "present", None)], by=counselor
        )
        assert row.minutes_attended == 150

    @pytest.mark.parametrize(("break_minutes", "billable"), [(0, True), (15, False)])
    def test_a_3_hour_day_with_a_break_is_not_a_billable_day(self, episode, counselor, break_minutes, billable):
        policy = InsurancePolicyFactory(patient=episode.patient)
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        authorization = AuthorizationFactory(
            policy=policy, starts_on=yesterday - dt.timedelta(days=3), units_used=0, units_authorized=10
        )
        start = at(yesterday, 9)
        session = SessionFactory(episode=episode, local_start=start, minutes=180, break_minutes=break_minutes)
        attendance_record_many(
            session=session, entries=[AttendanceEntry(episode.patient_id, "present", None)], by=counselor
        )
        week = ledger_weeks([episode], [session.week_start])[episode.pk][0]
        assert week.attended.billable_days == (1 if billable else 0)
        assert week.attended.short_days == (0 if billable else 1)
        authorization.refresh_from_db()
        assert authorization.units_used == (1 if billable else 0)

    def test_the_database_keeps_breaks_inside_the_session(self, episode):
        with pytest.raises(IntegrityError, match="scheduling_session_break_inside"), transaction.atomic():
            SessionFactory(episode=episode, minutes=60, break_minutes=60)
