"""The outbox: messages to patients and tasks for staff, written in the caller's transaction."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from iop.models import TimeStampedModel

from .constants import Channel, DeliveryError, MessageStatus, MessageTemplate, TaskKind, TaskSeverity, TaskStatus


class OutboundMessage(TimeStampedModel):
    """One message to one patient; ``dedupe_key`` makes the same reminder impossible to create twice."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="outbound_messages")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.CharField(max_length=40, choices=MessageTemplate.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    dedupe_key = models.CharField(
        max_length=200, unique=True, help_text='e.g. "session:12:patient:34:reminder-24h"; also the provider\'s key.'
    )
    send_after = models.DateTimeField(help_text="When the caller wants it sent (UTC).")
    status = models.CharField(max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    # When the next delivery attempt may happen: send_after moved out of quiet hours, or a retry's backoff.
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    # Renewed by the claiming run while it works (database clock); a 'sending' row whose heartbeat is
    # older than NOTIFICATIONS_STALE_CLAIM_SECONDS belongs to a dead worker and is returned to the queue.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=20, choices=DeliveryError.choices, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    recipient = models.CharField(max_length=254, blank=True, help_text="The address used at the last attempt.")
    provider_message_id = models.CharField(max_length=120, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-send_after"]
        indexes = [
            # deliver_due_messages: claim "pending and next_attempt_at <= now" oldest first (the polling query).
            models.Index(
                fields=["next_attempt_at", "id"],
                name="notif_msg_due",
                condition=models.Q(status=MessageStatus.PENDING),
            ),
            # deliver_due_messages: return 'sending' claims whose heartbeat stopped (worker killed) to pending.
            models.Index(
                fields=["heartbeat_at"],
                name="notif_msg_stale_heartbeat",
                condition=models.Q(status=MessageStatus.SENDING),
            ),
            # Failed-messages page and admin filter: failed rows, newest first.
            models.Index(fields=["status", "-updated_at"], name="notif_msg_status_updated"),
            # Chart "Messages" tab: a patient's recent messages.
            models.Index(fields=["patient", "-send_after"], name="notif_msg_patient_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=MessageStatus.SENT) | models.Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_has_time",
                violation_error_message="A sent message records when it was sent.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MessageStatus.SENDING) | models.Q(claimed_at__isnull=False),
                name="%(app_label)s_%(class)s_sending_is_claimed",
                violation_error_message="A message being sent records when it was claimed.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MessageStatus.SENDING)
                | (models.Q(heartbeat_at__isnull=False) & ~models.Q(claimed_by="")),
                name="%(app_label)s_%(class)s_sending_has_heartbeat",
                violation_error_message="A message being sent names the run holding it and its last heartbeat.",
            ),
            models.CheckConstraint(
                condition=~models.Q(dedupe_key=""),
                name="%(app_label)s_%(class)s_dedupe_key_set",
                violation_error_message="Give the message a dedupe key.",
            ),
        ]

    def __str__(self):
        return f"{self.get_template_display()} by {self.get_channel_display().lower()} ({self.get_status_display()})"


# Tasks that follow a finding about the patient's safety (patients/follow_up.py). A snooze never hides one
# that is overdue and never moves its escalation: the escalation is the clinic's promise that someone
# acts on a suicide-risk or withdrawal finding in time, and whoever snoozes it is the one who has not yet.
SAFETY_TASK_KINDS = frozenset(
    {
        TaskKind.SUICIDE_RISK_ASSESSMENT,
        TaskKind.WITHDRAWAL_EVALUATION,
        TaskKind.MEDICAL_EVALUATION,
        TaskKind.OVERDOSE_RISK,
    }
)


class StaffTaskQuerySet(models.QuerySet):
    def actionable(self, now=None):
        """Open tasks, and snoozed tasks whose snooze has run out."""
        now = now or timezone.now()
        return self.filter(
            models.Q(status=TaskStatus.OPEN) | models.Q(status=TaskStatus.SNOOZED, snoozed_until__lte=now)
        )


class StaffTask(TimeStampedModel):
    """A task on a staff member's work list; the title says no more than the assignee may see."""

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks")
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="staff_tasks"
    )
    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snooze_reason = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_reason = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    escalated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    severity = models.PositiveSmallIntegerField(choices=TaskSeverity.choices, default=TaskSeverity.NORMAL)
    # Escalation: if the task is not done by escalate_at, each of escalate_to gets a task of
    # its own (made once: escalated_at is claimed by the sweep, notifications/services/tasks.py).
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalate_to = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    escalation_title = models.CharField(max_length=200, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = StaffTaskQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # Work list: a staff member's open (or snoozed) tasks by due date.
            models.Index(fields=["assignee", "status", "due_at"], name="notif_task_worklist"),
            # The escalation sweep: tasks with an escalation still to make, by when it is due.
            models.Index(
                fields=["escalate_at"],
                name="notif_task_escalation_due",
                condition=models.Q(escalate_at__isnull=False, escalated_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=TaskStatus.SNOOZED)
                | (models.Q(snoozed_until__isnull=False) & ~models.Q(snooze_reason="")),
                name="%(app_label)s_%(class)s_snooze_explained",
                violation_error_message="A snoozed task says until when and why.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=TaskStatus.DONE)
                | (models.Q(done_at__isnull=False) & ~models.Q(done_reason="")),
                name="%(app_label)s_%(class)s_done_explained",
                violation_error_message="Say what was done.",
            ),
            models.CheckConstraint(
                condition=~models.Q(dedupe_key=""),
                name="%(app_label)s_%(class)s_dedupe_key_set",
                violation_error_message="Give the task a dedupe key.",
            ),
            models.CheckConstraint(
                condition=models.Q(escalate_at__isnull=True) | ~models.Q(escalation_title=""),
                name="%(app_label)s_%(class)s_escalation_titled",
                violation_error_message="An escalation says what the escalated task is about.",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.due_at < timezone.now()

    @property
    def is_safety(self) -> bool:
        return self.kind in SAFETY_TASK_KINDS

    @property
    def is_snoozed_now(self) -> bool:
        return (
            self.status == TaskStatus.SNOOZED and self.snoozed_until is not None and self.snoozed_until > timezone.now()
        )
