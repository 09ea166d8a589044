"""Delivery in-process: claims, outcomes, retries, consent and quiet hours at send, and the query budget."""

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications import services
from notifications.channels import ProviderResult
from notifications.channels.email import EmailChannel
from notifications.channels.sms import FileSMSBackend
from notifications.constants import Channel, DeliveryError, MessageStatus, MessageTemplate
from notifications.models import OutboundMessage
from notifications.services import delivery
from patients.constants import ConsentKind
from patients.models import Consent, Patient

from .factories import OutboundMessageFactory, consenting_patient

pytestmark = pytest.mark.django_db


def sms_log(settings) -> list[dict]:
    path = Path(settings.SMS_FILE_PATH)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def enqueue(patient, key, *, channel=Channel.SMS, send_after=None):
    return services.message_enqueue(
        patient=patient,
        channel=channel,
        template=MessageTemplate.SESSION_REMINDER,
        context={"starts_at": timezone.now() + dt.timedelta(days=1)},
        send_after=send_after or timezone.now() - dt.timedelta(seconds=1),
        dedupe_key=key,
    )


class FailingChannel:
    def __init__(self, result):
        self.result = result
        self.sent = []

    def open(self):
        pass

    def close(self):
        pass

    def find_sent(self, key):
        return None

    def send(self, message):
        self.sent.append(message.dedupe_key)
        return self.result


def test_sends_due_sms_and_email_and_records_the_provider_answer(recorder, settings):
    patient = consenting_patient(recorded_by=recorder)
    sms = enqueue(patient, "s")
    email = enqueue(patient, "e", channel=Channel.EMAIL)
    later = enqueue(patient, "later", send_after=timezone.now() + dt.timedelta(hours=1))
    stats = delivery.deliver_due_messages()
    assert (stats.sent, stats.claimed) == (2, 2)
    sms.refresh_from_db()
    email.refresh_from_db()
    later.refresh_from_db()
    assert sms.status == MessageStatus.SENT and sms.provider_message_id.startswith("file-") and sms.sent_at
    assert sms.recipient == patient.phone and sms.attempts == 1
    assert email.status == MessageStatus.SENT and email.provider_message_id.startswith("<")
    assert later.status == MessageStatus.PENDING
    [line] = sms_log(settings)
    assert line["idempotency_key"] == "s" and line["body"] == sms.body
    [sent_mail] = mail.outbox
    assert sent_mail.to == [patient.email] and sent_mail.subject == email.subject


def test_a_second_run_finds_nothing_to_do(recorder, settings):
    patient = consenting_patient(recorded_by=recorder)
    enqueue(patient, "once")
    assert delivery.deliver_due_messages().sent == 1
    assert delivery.deliver_due_messages().claimed == 0
    assert len(sms_log(settings)) == 1


def test_consent_revoked_after_enqueue_fails_at_send(recorder, settings):
    patient = consenting_patient(recorded_by=recorder)
    message = enqueue(patient, "k")
    Consent.objects.filter(patient=patient, kind=ConsentKind.REMINDERS_SMS).update(
        revoked_at=timezone.now(), revocation_reason="Phoned in"
    )
    delivery.deliver_due_messages()
    message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, DeliveryError.NO_CONSENT)
    assert sms_log(settings) == []


def test_opt_out_after_claiming_is_respected_at_send(recorder, settings):
    patient = consenting_patient(recorded_by=recorder)
    message = enqueue(patient, "k")
    # The opt-out lands after enqueue but bypassing the service (a race with the webhook).
    Patient.objects.filter(pk=patient.pk).update(sms_opted_out_at=timezone.now())
    delivery.deliver_due_messages()
    message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, DeliveryError.OPTED_OUT)
    assert sms_log(settings) == []


def test_missing_and_invalid_numbers_fail_permanently(recorder, settings):
    no_phone = consenting_patient(recorded_by=recorder, phone="")
    bad_phone = consenting_patient(recorded_by=recorder)
    Patient.objects.filter(pk=bad_phone.pk).update(phone="+1555")
    first, second = enqueue(no_phone, "a"), enqueue(bad_phone, "b")
    delivery.deliver_due_messages()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.error_code) == (MessageStatus.FAILED, DeliveryError.NO_ADDRESS)
    assert (second.status, second.error_code) == (MessageStatus.FAILED, DeliveryError.INVALID_ADDRESS)


def test_transient_failures_back_off_exponentially_then_give_up(recorder, settings, monkeypatch):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    channel = FailingChannel(ProviderResult(ok=False, error="HTTP 503: busy"))
    monkeypatch.setattr(delivery, "channel_for", lambda name: channel)
    message = enqueue(consenting_patient(recorded_by=recorder), "k")
    delays = []
    for _ in range(3):
        before = timezone.now()
        delivery.deliver_due_messages()
        message.refresh_from_db()
        if message.status == MessageStatus.PENDING:
            delays.append(round((message.next_attempt_at - before).total_seconds() / 60))
            assert message.error_code == DeliveryError.TRANSIENT and "503" in message.last_error
            OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert delays == [1, 2]
    assert (message.status, message.error_code, message.attempts) == (MessageStatus.FAILED, DeliveryError.GAVE_UP, 3)
    assert len(channel.sent) == 3


def test_backoff_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS, settings.NOTIFICATIONS_RETRY_CAP_SECONDS = 60, 600
    assert delivery.retry_delay(1) == dt.timedelta(minutes=1)
    assert delivery.retry_delay(4) == dt.timedelta(minutes=8)
    assert delivery.retry_delay(12) == dt.timedelta(minutes=10)


def test_permanent_provider_rejection_fails_at_once(recorder, monkeypatch):
    channel = FailingChannel(ProviderResult(ok=False, permanent=True, error="HTTP 400: not a mobile number"))
    monkeypatch.setattr(delivery, "channel_for", lambda name: channel)
    message = enqueue(consenting_patient(recorded_by=recorder), "k")
    delivery.deliver_due_messages()
    message.refresh_from_db()
    assert (message.status, message.error_code, message.attempts) == (MessageStatus.FAILED, DeliveryError.REJECTED, 1)


def test_a_crashing_backend_is_retried_not_lost(recorder, monkeypatch):
    class Broken(FailingChannel):
        def send(self, message):
            raise RuntimeError("bug")

    monkeypatch.setattr(delivery, "channel_for", lambda name: Broken(None))
    message = enqueue(consenting_patient(recorded_by=recorder), "k")
    delivery.deliver_due_messages()
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and "RuntimeError" in message.last_error


def test_stale_claims_return_to_the_queue_and_a_send_that_got_through_is_not_repeated(recorder, settings):
    """A worker died after the provider accepted the text but before recording it."""
    settings.NOTIFICATIONS_STALE_CLAIM_SECONDS = 60
    patient = consenting_patient(recorded_by=recorder)
    accepted, not_sent = enqueue(patient, "accepted"), enqueue(patient, "not-sent")
    claimed = delivery.claim_due_messages(token="dead-worker", now=timezone.now(), limit=10)
    assert {m.pk for m in claimed} == {accepted.pk, not_sent.pk}
    accepted_copy = next(m for m in claimed if m.pk == accepted.pk)
    accepted_copy.recipient = patient.phone
    provider_id = FileSMSBackend().send(accepted_copy).provider_id
    # Not stale yet: nothing is claimed again.
    assert delivery.deliver_due_messages().claimed == 0
    OutboundMessage.objects.update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    stats = delivery.deliver_due_messages()
    assert (stats.released, stats.already_sent, stats.sent) == (2, 1, 1)
    accepted.refresh_from_db()
    assert accepted.status == MessageStatus.SENT and accepted.provider_message_id == provider_id
    keys = [line["idempotency_key"] for line in sms_log(settings)]
    assert sorted(keys) == ["accepted", "not-sent"]


def test_a_message_taken_over_from_a_stalled_worker_is_not_sent_again_when_it_wakes(recorder, settings):
    """The worker is alive but went silent past the limit (a long pause): the message is the other run's now."""
    message = enqueue(consenting_patient(recorded_by=recorder), "stalled")
    claimed = delivery.claim_due_messages(token="stalled", now=timezone.now(), limit=1)
    stalled = delivery.Claim(token="stalled", ids=[message.pk], confirmed_at=time.monotonic() - 60)
    OutboundMessage.objects.filter(pk=message.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    assert delivery.deliver_due_messages().sent == 1
    stats = delivery.DeliveryStats()
    delivery.deliver_batch(claimed, claim=stalled, stats=stats)
    assert (stats.sent, stats.lost, stats.heartbeats) == (0, 1, 1)
    assert [line["idempotency_key"] for line in sms_log(settings)] == ["stalled"]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2


def test_a_worker_slower_than_the_stale_limit_keeps_its_batch_by_renewing_the_heartbeat(
    recorder, settings, monkeypatch
):
    """Each send takes 0.2 s, the batch 1.2 s, the stale limit is 0.5 s: another run polling meanwhile finds nothing."""
    settings.NOTIFICATIONS_STALE_CLAIM_SECONDS = 0.5
    settings.NOTIFICATIONS_CLAIM_HEARTBEAT_SECONDS = 0.1
    patient = consenting_patient(recorded_by=recorder)
    for index in range(6):
        enqueue(patient, f"slow-{index}")
    released_by_other_runs = []

    class SlowProvider(FileSMSBackend):
        def send(self, message):
            time.sleep(0.2)
            released_by_other_runs.append(delivery.release_stale_claims(now=timezone.now()))
            return super().send(message)

    claimed = delivery.claim_due_messages(token="slow", now=timezone.now(), limit=10)
    claim = delivery.Claim(token="slow", ids=[m.pk for m in claimed], confirmed_at=time.monotonic())
    stats = delivery.DeliveryStats()
    monkeypatch.setattr(delivery, "channel_for", lambda name: SlowProvider())
    delivery.deliver_batch(claimed, claim=claim, stats=stats)
    assert released_by_other_runs == [0] * 6
    assert (stats.sent, stats.lost) == (6, 0) and stats.heartbeats >= 4
    assert sorted(line["idempotency_key"] for line in sms_log(settings)) == [f"slow-{i}" for i in range(6)]


def test_by_default_a_killed_workers_batch_is_due_again_within_a_minute(recorder, settings):
    """Stale limit plus beat's polling interval: the longest a killed worker's message waits."""
    poll = PeriodicTask.objects.get(task="notifications.tasks.deliver_due_messages").interval
    stale = dt.timedelta(seconds=settings.NOTIFICATIONS_STALE_CLAIM_SECONDS)
    assert stale + dt.timedelta(**{poll.period: poll.every}) < dt.timedelta(minutes=1)
    patient = consenting_patient(recorded_by=recorder)
    dead, alive = enqueue(patient, "dead"), enqueue(patient, "alive")
    delivery.claim_due_messages(token="killed", now=timezone.now(), limit=10)
    now = timezone.now()
    OutboundMessage.objects.filter(pk=dead.pk).update(heartbeat_at=now - stale - dt.timedelta(seconds=1))
    OutboundMessage.objects.filter(pk=alive.pk).update(heartbeat_at=now - stale + dt.timedelta(seconds=5))
    assert delivery.release_stale_claims(now=now) == 1
    assert OutboundMessage.objects.get(pk=dead.pk).status == MessageStatus.PENDING
    assert OutboundMessage.objects.get(pk=alive.pk).status == MessageStatus.SENDING


def test_an_email_accepted_before_a_crash_is_not_sent_again_and_keeps_its_message_id(recorder):
    patient = consenting_patient(recorded_by=recorder)
    message = enqueue(patient, "session:1:patient:2:reminder-24h", channel=Channel.EMAIL)
    [claimed] = delivery.claim_due_messages(token="dead-worker", now=timezone.now(), limit=1)
    claimed.recipient = patient.email
    channel = EmailChannel()
    channel.open()
    first = channel.send(claimed)
    channel.close()
    OutboundMessage.objects.filter(pk=message.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    stats = delivery.deliver_due_messages()
    assert (stats.released, stats.already_sent, stats.sent) == (1, 1, 0)
    [sent_mail] = mail.outbox
    assert sent_mail.message()["Message-ID"] == first.provider_id
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.provider_message_id == first.provider_id


def test_a_late_result_from_a_superseded_claim_is_not_written(recorder):
    message = enqueue(consenting_patient(recorded_by=recorder), "k")
    [claimed] = delivery.claim_due_messages(token="first", now=timezone.now(), limit=1)
    OutboundMessage.objects.filter(pk=message.pk).update(claimed_by="second")
    assert not delivery._record_sent(claimed, "first", "id-1")
    assert OutboundMessage.objects.get(pk=message.pk).status == MessageStatus.SENDING


def test_texts_wait_out_quiet_hours_but_email_goes(recorder, settings):
    local_now = timezone.localtime()
    settings.QUIET_HOURS_START = (local_now - dt.timedelta(hours=1)).strftime("%H:%M")
    settings.QUIET_HOURS_END = (local_now + dt.timedelta(hours=1)).strftime("%H:%M")
    patient = consenting_patient(recorded_by=recorder)
    # Enqueued before quiet hours began (next_attempt_at due now): the send-time check still holds it back.
    sms = OutboundMessageFactory(patient=patient, dedupe_key="sms")
    email = enqueue(patient, "email", channel=Channel.EMAIL)
    stats = delivery.deliver_due_messages()
    assert stats.sent == 1
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.status == MessageStatus.PENDING and email.status == MessageStatus.SENT


def test_batch_of_fifty_costs_at_most_three_queries_per_message(recorder, settings, django_assert_max_num_queries):
    settings.NOTIFICATIONS_BATCH_SIZE = 50
    for index in range(25):
        patient = consenting_patient(recorded_by=recorder)
        enqueue(patient, f"sms-{index}")
        enqueue(patient, f"email-{index}", channel=Channel.EMAIL)
    with django_assert_max_num_queries(3 * 50) as captured:
        stats = delivery.deliver_due_messages()
    assert stats.sent == 50
    # In fact one UPDATE per message plus a handful per run: well under the budget.
    assert len(captured) <= 50 + 6
    assert stats.queries == len(captured)
