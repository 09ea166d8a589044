"""Attendance rules and the hours ledger against hand-computed weeks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.tests.factories import AuthorizationFactory, EpisodeFactory, InsurancePolicyFactory
from scheduling.constants import AttendanceStatus, SessionKind
from scheduling.models import Attendance, Enrolment, Session
from scheduling.selectors import ledger_weeks
from scheduling.services import AttendanceEntry, attendance_record_many
from scheduling.tests.factories import AttendanceFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


def at(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def past_group_session(group):
    return Session.objects.filter(group=group, end__lt=timezone.now()).order_by("start").first()


class TestAttendanceRules:
    def test_refused_before_the_session_starts(self, group, counselor, episode):
        EnrolmentFactory(group=group, episode=episode)
        future = Session.objects.filter(group=group, start__gt=timezone.now()).first()
        with pytest.raises(ValidationError, match="Attendance opens when the session starts"):
            attendance_record_many(
                session=future, entries=[AttendanceEntry(episode.patient_id, "present", None)], by=counselor
            )

    @pytest.mark.parametrize("minutes", [-1, 181])
    def test_minutes_outside_zero_to_length_are_refused(self, group, counselor, episode, minutes):
        EnrolmentFactory(group=group, episode=episode)
        session = past_group_session(group)
        with pytest.raises(ValidationError, match="between 0 and 180"):
            attendance_record_many(
                session=session, entries=[AttendanceEntry(episode.patient_id, "late", minutes)], by=counselor
            )

    def test_absence_records_zero_minutes_and_present_prefills_the_length(self, group, counselor, episode, program):
        other = EpisodeFactory(program=program)
        EnrolmentFactory(group=group, episode=episode)
        EnrolmentFactory(group=group, episode=other)
        session = past_group_session(group)
        attendance_record_many(
            session=session,
            entries=[
                AttendanceEntry(episode.patient_id, "present", None),
                AttendanceEntry(other.patient_id, "unexcused", 90),
            ],
            by=counselor,
        )
        rows = dict(Attendance.objects.values_list("patient_id", "minutes_attended"))
        assert rows == {episode.patient_id: 180, other.patient_id: 0}
        assert Attendance.history.count() == 2

    def test_patient_not_on_the_roster_is_refused(self, group, counselor, episode):
        session = past_group_session(group)
        with pytest.raises(ValidationError, match="not on the session's roster"):
            attendance_record_many(
                session=session, entries=[AttendanceEntry(episode.patient_id, "present", None)], by=counselor
            )

    def test_bulk_save_costs_the_same_for_3_and_30_patients(self, group, counselor, program):
        group.capacity = 40
        group.save()
        session = past_group_session(group)

        def save(size):
            episodes = [EpisodeFactory(program=program) for _ in range(size)]
            for episode in episodes:
                Enrolment.objects.create(episode=episode, group=group, starts_on=group.starts_on, enrolled_by=counselor)
            entries = [AttendanceEntry(e.patient_id, "present", None) for e in episodes]
            with CaptureQueriesContext(connection) as first:
                attendance_record_many(session=session, entries=entries, by=counselor)
            changed = [AttendanceEntry(e.patient_id, "late", 150) for e in episodes]
            with CaptureQueriesContext(connection) as second:
                attendance_record_many(session=session, entries=changed, by=counselor)
            return len(first.captured_queries), len(second.captured_queries)

        small = save(3)
        Attendance.objects.all()._raw_delete(Attendance.objects.db)
        Attendance.history.all().delete()
        Enrolment.objects.all().delete()
        assert save(30) == small


class TestLedger:
    def test_billable_day_is_exactly_three_hours(self, episode, this_monday):
        last_monday = this_monday - dt.timedelta(weeks=1)
        # Monday: 120 + 60 = 180 minutes → billable. Tuesday: 120 + 59 = 179 → not billable, a short day.
        for day, minutes in ((last_monday, (120, 60)), (last_monday + dt.timedelta(days=1), (120, 59))):
            hour = 9
            for length in minutes:
                session = SessionFactory(episode=episode, local_start=at(day, hour), minutes=length)
                AttendanceFactory(session=session)
                hour += 3
        # Wednesday: an unexcused absence, and yoga (not countable) attended.
        wednesday = last_monday + dt.timedelta(days=2)
        absent = SessionFactory(episode=episode, local_start=at(wednesday, 9), minutes=60)
        AttendanceFactory(session=absent, status=AttendanceStatus.UNEXCUSED, minutes_attended=0)
        yoga = SessionFactory(episode=episode, local_start=at(wednesday, 12), minutes=60, kind=SessionKind.ADJUNCT)
        AttendanceFactory(session=yoga)
        week = ledger_weeks([episode], [last_monday])[episode.pk][0]
        assert week.attended.attended_minutes == 120 + 60 + 120 + 59
        assert week.attended_hours == Decimal("5.98")
        assert week.attended.days_attended == 2
        assert week.attended.billable_days == 1
        assert week.attended.short_days == 1
        assert week.attended.unexcused_absences == 1
        assert week.scheduled_minutes == 120 + 60 + 120 + 59 + 60  # countable kinds only
        assert "Below minimum" in week.flags and "Days under 3 hours" in week.flags

    def test_group_hours_count_while_enrolled_and_stop_at_discharge(self, group, episode, this_monday):
        EnrolmentFactory(group=group, episode=episode, starts_on=this_monday - dt.timedelta(weeks=1))
        weeks = [this_monday - dt.timedelta(weeks=1), this_monday, this_monday + dt.timedelta(weeks=1)]
        ledger = ledger_weeks([episode], weeks)[episode.pk]
        assert [w.scheduled_minutes for w in ledger] == [540, 540, 540]
        episode.status, episode.discharged_on = "discharged", this_monday + dt.timedelta(days=1)
        episode.save()
        ledger = ledger_weeks([episode], weeks)[episode.pk]
        assert [w.scheduled_minutes for w in ledger] == [540, 180, 0]

    @pytest.mark.parametrize(("start_offset", "end_offset"), [(0, None), (-7, 30), (2, None), (0, 9), (3, 3), (-7, 0)])
    def test_group_hours_follow_the_enrolment_days_exactly(self, group, episode, this_monday, start_offset, end_offset):
        """Each enrolment counts the group's days from its start to its end, both included (first two: whole weeks)."""
        first = this_monday - dt.timedelta(weeks=1)
        starts_on = first + dt.timedelta(days=start_offset)
        ends_on = None if end_offset is None else first + dt.timedelta(days=end_offset)
        EnrolmentFactory(group=group, episode=episode, starts_on=starts_on, ends_on=ends_on)
        weeks = [first, this_monday, this_monday + dt.timedelta(weeks=1)]
        ledger = ledger_weeks([episode], weeks)[episode.pk]
        for monday, week in zip(weeks, ledger, strict=True):
            covered = Session.objects.filter(group=group, week_start=monday, day__gte=starts_on)
            if ends_on:
                covered = covered.filter(day__lte=ends_on)
            assert week.scheduled_minutes == sum(covered.values_list("duration_minutes", flat=True)), monday

    def test_attendance_counts_down_the_authorization(self, group, counselor, episode):
        EnrolmentFactory(group=group, episode=episode)
        policy = InsurancePolicyFactory(patient=episode.patient)
        authorization = AuthorizationFactory(policy=policy, starts_on=group.starts_on, units_used=0, units_authorized=3)
        sessions = Session.objects.filter(group=group, end__lt=timezone.now()).order_by("start")[:2]
        attendance_record_many(
            session=sessions[0], entries=[AttendanceEntry(episode.patient_id, "present", None)], by=counselor
        )
        attendance_record_many(
            session=sessions[1], entries=[AttendanceEntry(episode.patient_id, "left_early", 150)], by=counselor
        )
        authorization.refresh_from_db()
        assert authorization.units_used == 1  # the 150-minute day is not a billable IOP day
        from scheduling.selectors import authorization_warnings

        assert any("only 2 days left" in w.message for w in authorization_warnings(episode.patient))


def test_weeks_before_admission_and_the_partial_admission_week_raise_no_minimum_flag(program, this_monday):
    episode = EpisodeFactory(program=program, admitted_on=this_monday - dt.timedelta(days=5))  # a Wednesday
    weeks = [this_monday - dt.timedelta(weeks=2), this_monday - dt.timedelta(weeks=1)]
    before, admission = ledger_weeks([episode], weeks)[episode.pk]
    assert before.before_admission and before.flags == []
    assert admission.admission_week and "Below minimum" not in admission.flags
