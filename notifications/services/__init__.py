"""Writes to the outbox and the work list; every app calls these to message a patient or give staff a task."""

from .consent import CONSENT_FOR_CHANNEL, channel_refusal, consented_kinds_by_patient
from .delivery import (
    DeliveryStats,
    QueryCounter,
    asynchronous_commit,
    claim_due_messages,
    deliver_batch,
    deliver_due_messages,
    deliver_message,
    logger,
    new_claim_token,
    release_stale_claims,
    retry_delay,
)
from .messages import MessageRequest, message_cancel, message_enqueue, message_retry, messages_enqueue_many
from .rendering import forbidden_words_in, render_message, template_context
from .session_messages import PATIENT_CHANNELS, session_change_notify, session_message_prefix, session_reminders_enqueue
from .sms_preferences import patient_sms_opt_in, patient_sms_opt_out, sms_inbound, sms_opt_in, sms_opt_out
from .tasks import ESCALATION_DUE_WITHIN, task_complete, task_create, task_snooze, tasks_close_for, tasks_escalate_due
from .work_list import end_of_day, register_daily_producer, work_list_run

__all__ = [
    "CONSENT_FOR_CHANNEL",
    "ESCALATION_DUE_WITHIN",
    "PATIENT_CHANNELS",
    "DeliveryStats",
    "MessageRequest",
    "QueryCounter",
    "asynchronous_commit",
    "channel_refusal",
    "claim_due_messages",
    "consented_kinds_by_patient",
    "deliver_batch",
    "deliver_due_messages",
    "deliver_message",
    "end_of_day",
    "forbidden_words_in",
    "logger",
    "message_cancel",
    "message_enqueue",
    "message_retry",
    "messages_enqueue_many",
    "new_claim_token",
    "patient_sms_opt_in",
    "patient_sms_opt_out",
    "register_daily_producer",
    "release_stale_claims",
    "render_message",
    "retry_delay",
    "session_change_notify",
    "session_message_prefix",
    "session_reminders_enqueue",
    "sms_inbound",
    "sms_opt_in",
    "sms_opt_out",
    "task_complete",
    "task_create",
    "task_snooze",
    "tasks_close_for",
    "tasks_escalate_due",
    "template_context",
    "work_list_run",
]
