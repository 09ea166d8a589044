"""The daily work-list run: each app registers the follow-up tasks it makes, and one beat entry runs them all.

An app registers its producers in its ``AppConfig.ready`` (``register_daily_producer``), so
the notifications app never imports the apps that use it, and a new kind of follow-up needs
no new schedule. Each producer runs in its own transaction: one failing leaves the others'
tasks made, and a repeated run writes nothing twice (every task has a dedupe key).
"""

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

# name → producer(today=..., now=...) returning how many tasks it made (or found made).
DAILY_PRODUCERS: dict[str, Callable[..., int]] = {}


def register_daily_producer(name: str, producer: Callable[..., int]) -> None:
    """Add a producer to the daily run; ``producer(today=date, now=datetime)`` returns a count."""
    DAILY_PRODUCERS[name] = producer


def end_of_day(day: dt.date) -> dt.datetime:
    """A task due "today" is due by 23:59 clinic time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def work_list_run(*, today: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily run: every registered kind of follow-up task, each kind in its own transaction."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    results = {}
    for name, producer in sorted(DAILY_PRODUCERS.items()):
        with transaction.atomic():
            results[name] = producer(today=today, now=now)
    return results
