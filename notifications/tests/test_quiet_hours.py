import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from notifications.quiet_hours import end_of_quiet_hours, outside_quiet_hours

CLINIC = ZoneInfo("America/New_York")


@pytest.fixture
def quiet_night(settings):
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = "21:00", "08:00"
    settings.TIME_ZONE = "America/New_York"


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (dt.datetime(2030, 3, 4, 20, 59), None),
        (dt.datetime(2030, 3, 4, 21, 0), dt.datetime(2030, 3, 5, 8, 0)),
        (dt.datetime(2030, 3, 4, 23, 30), dt.datetime(2030, 3, 5, 8, 0)),
        (dt.datetime(2030, 3, 5, 2, 0), dt.datetime(2030, 3, 5, 8, 0)),
        (dt.datetime(2030, 3, 5, 8, 0), None),
        # Spring forward (Mar 10, 2030): the night is an hour shorter, the wake-up still 08:00 local.
        (dt.datetime(2030, 3, 9, 22, 0), dt.datetime(2030, 3, 10, 8, 0)),
    ],
)
def test_end_of_quiet_hours(quiet_night, local, expected):
    result = end_of_quiet_hours(local.replace(tzinfo=CLINIC))
    assert result == (expected.replace(tzinfo=CLINIC) if expected else None)


def test_a_daytime_window_and_a_disabled_one(settings):
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = "12:00", "13:00"
    assert end_of_quiet_hours(dt.datetime(2030, 3, 4, 12, 30, tzinfo=CLINIC)) == dt.datetime(
        2030, 3, 4, 13, 0, tzinfo=CLINIC
    )
    assert end_of_quiet_hours(dt.datetime(2030, 3, 4, 13, 30, tzinfo=CLINIC)) is None
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = "00:00"
    assert end_of_quiet_hours(dt.datetime(2030, 3, 4, 3, 0, tzinfo=CLINIC)) is None


@hypothesis_settings(deadline=None, max_examples=300)
@given(
    moment=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC))
)
def test_the_deferred_time_is_never_earlier_never_quiet_and_at_most_a_night_later(moment):
    from django.conf import settings

    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = "21:00", "08:00"
    deferred = outside_quiet_hours(moment)
    assert deferred >= moment
    assert end_of_quiet_hours(deferred) is None
    assert deferred - moment <= dt.timedelta(hours=12)
    local = deferred.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert deferred == moment or (local.hour, local.minute) == (8, 0)
