"""Fault injection with a real redis-server and real Celery workers on the pytest test database.

The outbox promise: every due message is sent once and only once, whatever happens to
workers and the broker. Beat is not started (it polls every 30 s); the tests publish the
same task beat publishes, by name, through the broker.
"""

import datetime as dt
import json
import time
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import services
from notifications.constants import Channel, MessageStatus, MessageTemplate
from notifications.models import OutboundMessage

from .conftest import wait_for
from .factories import consenting_patient

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TASK = "notifications.tasks.deliver_due_messages"


def enqueue_reminders(count: int, recorder, *, prefix: str) -> None:
    starts_at = timezone.now() + dt.timedelta(days=1)
    for index in range(count):
        patient = consenting_patient(channels=[Channel.SMS], recorded_by=recorder)
        services.message_enqueue(
            patient=patient,
            channel=Channel.SMS,
            template=MessageTemplate.SESSION_REMINDER,
            context={"starts_at": starts_at},
            send_after=timezone.now() - dt.timedelta(seconds=1),
            dedupe_key=f"{prefix}:session:1:patient:{index}:reminder-24h",
        )


def sent_keys(settings) -> Counter:
    path = Path(settings.SMS_FILE_PATH)
    if not path.exists():
        return Counter()
    keys = Counter()
    for line in path.read_text().splitlines():
        try:
            keys[json.loads(line)["idempotency_key"]] += 1
        except ValueError:
            continue
    return keys


def all_sent(count: int):
    return lambda: OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == count


def assert_each_sent_exactly_once(settings, count: int) -> None:
    keys = sent_keys(settings)
    assert len(keys) == count, f"{len(keys)} distinct messages in the provider log, expected {count}"
    assert max(keys.values()) == 1, f"sent twice: {[key for key, n in keys.items() if n > 1]}"
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == count
    assert not OutboundMessage.objects.exclude(status=MessageStatus.SENT).exists()


def test_two_workers_running_the_task_at_the_same_time_send_each_reminder_once(
    recorder, settings, broker, start_worker
):
    enqueue_reminders(60, recorder, prefix="concurrent")
    slow = {"SMS_FILE_DELAY_SECONDS": 0.02, "NOTIFICATIONS_BATCH_SIZE": 5}
    first, second = start_worker("first", **slow), start_worker("second", **slow)
    for _ in range(4):
        broker.send_task(TASK)
    wait_for(all_sent(60), timeout=30, message="60 reminders sent")
    assert_each_sent_exactly_once(settings, 60)
    # Both workers really took part: the claims carry the worker's process id.
    claimers = {claimed_by.split(":")[1] for claimed_by in OutboundMessage.objects.values_list("claimed_by", flat=True)}
    assert len(claimers) == 2, (claimers, first.log[-2000:], second.log[-2000:])


def test_a_worker_killed_mid_batch_and_restarted_sends_each_reminder_once(recorder, settings, broker, start_worker):
    enqueue_reminders(30, recorder, prefix="killed")
    doomed = start_worker("doomed", SMS_FILE_DELAY_SECONDS=0.1, NOTIFICATIONS_BATCH_SIZE=10)
    broker.send_task(TASK)
    wait_for(lambda: sum(sent_keys(settings).values()) >= 4, timeout=20, message="the first texts to go out")
    doomed.kill()  # SIGKILL: no cleanup, the claimed batch stays 'sending'
    sent_before_restart = sum(sent_keys(settings).values())
    assert 4 <= sent_before_restart < 30
    assert OutboundMessage.objects.filter(status=MessageStatus.SENDING).exists()
    # The restarted worker treats claims older than 1 s as abandoned.
    start_worker("restarted", NOTIFICATIONS_STALE_CLAIM_SECONDS=1)
    time.sleep(1.1)
    broker.send_task(TASK)
    broker.send_task(TASK)
    wait_for(all_sent(30), timeout=30, message="30 reminders sent after the restart")
    assert_each_sent_exactly_once(settings, 30)


def test_nothing_is_lost_while_redis_is_down_and_the_backlog_drains_when_it_returns(
    recorder, settings, broker, start_worker, redis_server
):
    start_worker("survivor")
    redis_server.stop()
    # The web request's work still saves: the outbox is in PostgreSQL, not in the broker.
    enqueue_reminders(20, recorder, prefix="outage")
    assert OutboundMessage.objects.filter(status=MessageStatus.PENDING).count() == 20
    # Beat's poll during the outage fails to publish; the rows simply wait.
    with pytest.raises(OperationalError):
        broker.send_task(TASK, retry=False)
    redis_server.start()
    broker.send_task(TASK)
    wait_for(all_sent(20), timeout=40, message="the backlog to drain after Redis returned")
    assert_each_sent_exactly_once(settings, 20)
