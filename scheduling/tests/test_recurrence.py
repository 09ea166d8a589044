"""Recurrence arithmetic: wall-clock times across daylight saving, series edits, cancellations."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.constants import SessionStatus
from scheduling.models import Session
from scheduling.recurrence import local_occurrences, to_utc, validate_rule, week_start
from scheduling.services import (
    clinic_closure_add,
    group_generate_occurrences,
    group_update_series,
    session_cancel,
    session_move,
)
from scheduling.tests.factories import GroupFactory

NEW_YORK = ZoneInfo("America/New_York")
# 2025: clocks spring forward on Sunday March 9 and fall back on Sunday November 2.
DST_WEEKS = [dt.date(2025, 3, 3), dt.date(2025, 10, 27), dt.date(2026, 3, 2), dt.date(2026, 10, 26)]


@given(
    first_monday=st.sampled_from(DST_WEEKS),
    weeks=st.integers(min_value=1, max_value=6),
    hour=st.integers(min_value=7, max_value=19),
)
def test_series_keeps_its_local_start_across_daylight_saving(first_monday, weeks, hour):
    local = list(
        local_occurrences(
            "FREQ=WEEKLY;BYDAY=MO,WE,TH",
            starts_on=first_monday,
            start_time=dt.time(hour, 0),
            window_start=first_monday,
            window_end=first_monday + dt.timedelta(weeks=weeks) - dt.timedelta(days=1),
        )
    )
    assert len(local) == 3 * weeks
    offsets = set()
    for _, naive in local:
        start = to_utc(naive, NEW_YORK)
        back = start.astimezone(NEW_YORK)
        assert (back.hour, back.minute) == (hour, 0)
        assert back.strftime("%a") in {"Mon", "Wed", "Thu"}
        offsets.add(back.utcoffset())
    if weeks >= 2:
        # The series crossed a change: the UTC hour moved so the local hour did not.
        assert len(offsets) == 2


@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_week_start_is_the_iso_monday(day):
    monday = week_start(day)
    assert monday.weekday() == 0 and 0 <= (day - monday).days < 7
    assert monday.isocalendar()[:2] == day.isocalendar()[:2]


@pytest.mark.parametrize(
    "rule", ["", "FREQ=HOURLY", "FREQ=WEEKLY;BYDAY=XX", "DTSTART:20250101T000000\nRRULE:FREQ=DAILY", "nonsense"]
)
def test_bad_rules_are_refused_in_words(rule):
    with pytest.raises(ValidationError):
        validate_rule(rule)


def test_good_rules_pass():
    validate_rule("FREQ=WEEKLY;BYDAY=MO,WE,TH")
    validate_rule("RRULE:freq=weekly;interval=2;byday=tu")


@pytest.mark.django_db
class TestGeneration:
    def test_evening_series_across_the_march_change_is_at_18_local(self, settings):
        settings.TIME_ZONE = "America/New_York"
        group = GroupFactory(starts_on=dt.date(2025, 3, 3), start_time=dt.time(18, 0))
        group_generate_occurrences(group=group, since=dt.date(2025, 3, 3), until=dt.date(2025, 3, 16))
        sessions = list(Session.objects.filter(group=group).order_by("start"))
        assert [s.start.astimezone(NEW_YORK).hour for s in sessions] == [18] * 6
        assert {s.start.hour for s in sessions} == {23, 22}  # UTC moved by an hour
        assert all(s.duration_minutes == 180 for s in sessions)
        assert sessions[3].week_start == dt.date(2025, 3, 10)

    def test_regeneration_is_idempotent_and_never_resurrects_a_cancellation(self, group):
        count = Session.objects.filter(group=group).count()
        cancelled = Session.objects.filter(group=group, start__gt=timezone.now()).first()
        session_cancel(session=cancelled, reason="Facilitator at a training", by=group.facilitator)
        assert group_generate_occurrences(group=group, since=group.starts_on) == 0
        assert Session.objects.filter(group=group).count() == count
        cancelled.refresh_from_db()
        assert cancelled.status == SessionStatus.CANCELLED

    def test_a_moved_occurrence_is_not_duplicated(self, group):
        session = Session.objects.filter(group=group, start__gt=timezone.now()).first()
        original = session.original_start
        session_move(session=session, start=session.start + dt.timedelta(hours=-3), by=group.facilitator)
        group_generate_occurrences(group=group, since=group.starts_on)
        assert Session.objects.filter(group=group, original_start=original).count() == 1
        session.refresh_from_db()
        assert session.is_moved and session.original_start == original

    def test_series_edit_leaves_the_past_alone(self, group):
        today = timezone.localdate()
        past = list(Session.objects.filter(group=group, day__lt=today).values_list("pk", "start"))
        future_cancelled = Session.objects.filter(group=group, day__gt=today + dt.timedelta(days=7)).first()
        session_cancel(session=future_cancelled, reason="Holiday week", by=group.facilitator)
        group_update_series(
            group=group,
            effective_from=today + dt.timedelta(days=1),
            changed_by=group.facilitator,
            start_time=dt.time(17, 0),
        )
        assert list(Session.objects.filter(group=group, day__lt=today).values_list("pk", "start")) == past
        later = Session.objects.filter(group=group, day__gt=today, status=SessionStatus.SCHEDULED)
        assert later.exists()
        assert {timezone.localtime(s.start).hour for s in later} == {17}
        future_cancelled.refresh_from_db()
        assert future_cancelled.status == SessionStatus.CANCELLED
        assert not Session.objects.filter(
            group=group, day=future_cancelled.day, status=SessionStatus.SCHEDULED
        ).exists()

    def test_series_edit_cannot_reach_into_the_past(self, group):
        with pytest.raises(ValidationError):
            group_update_series(
                group=group,
                effective_from=timezone.localdate() - dt.timedelta(days=1),
                changed_by=group.facilitator,
                start_time=dt.time(17, 0),
            )

    def test_closure_cancels_that_days_occurrences_and_new_ones(self, group):
        day = Session.objects.filter(group=group, day__gt=timezone.localdate()).first().day
        clinic_closure_add(date=day, reason="Independence Day")
        assert Session.objects.get(group=group, day=day).status == SessionStatus.CANCELLED
        later_day = Session.objects.filter(group=group).order_by("-day").first().day + dt.timedelta(days=7)
        clinic_closure_add(date=later_day, reason="Snow day")
        group_generate_occurrences(group=group, weeks=12)
        generated = Session.objects.filter(group=group, day=later_day).first()
        assert generated is None or generated.status == SessionStatus.CANCELLED

    def test_curriculum_topics_follow_the_series_in_order(self, group):
        from scheduling.tests.factories import CurriculumTopicFactory

        other = GroupFactory(program=group.program, starts_on=group.starts_on)
        topics = [CurriculumTopicFactory(group=other, position=i, title=f"T{i}") for i in (1, 2)]
        group_generate_occurrences(group=other, since=other.starts_on)
        titles = [s.topic.title for s in Session.objects.filter(group=other).order_by("start")[:4]]
        assert titles == [topics[0].title, topics[1].title, topics[0].title, topics[1].title]


@settings(max_examples=25, deadline=None)
@given(minutes=st.lists(st.integers(min_value=0, max_value=240), min_size=1, max_size=5))
def test_hours_rounding_never_invents_a_billable_day(minutes):
    from scheduling.constants import BILLABLE_DAY_MINUTES
    from scheduling.selectors import minutes_to_hours

    total = sum(minutes)
    assert (minutes_to_hours(total) >= 3) == (total >= BILLABLE_DAY_MINUTES) or total in (179,)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE,TH", "Mon, Wed, Thu"),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "Every 2 weeks: Tue"),
        ("FREQ=DAILY", "Every day"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=MONTHLY;BYMONTHDAY=1"),
    ],
)
def test_rules_are_described_in_plain_words(rule, words):
    from scheduling.recurrence import describe_rule

    assert describe_rule(rule) == words
