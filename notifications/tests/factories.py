"""Outbox factories: messages and staff tasks, and patients who consent to reminders."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import CounselorFactory, IntakeCoordinatorFactory
from notifications.constants import Channel, MessageStatus, MessageTemplate, TaskKind, TaskStatus
from notifications.models import OutboundMessage, StaffTask
from patients.constants import ConsentKind
from patients.tests.factories import ConsentFactory, PatientFactory

CONSENT_FOR = {Channel.SMS: ConsentKind.REMINDERS_SMS, Channel.EMAIL: ConsentKind.REMINDERS_EMAIL}


def consenting_patient(*, channels=(Channel.SMS, Channel.EMAIL), recorded_by=None, **patient_fields):
    """A patient with active reminder consents for ``channels``."""
    patient = PatientFactory(**patient_fields)
    recorded_by = recorded_by or IntakeCoordinatorFactory()
    for channel in channels:
        ConsentFactory(patient=patient, kind=CONSENT_FOR[channel], recorded_by=recorded_by)
    return patient


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    """A pending text due now; build it with message_enqueue when consent matters."""

    class Meta:
        model = OutboundMessage

    patient = factory.SubFactory(PatientFactory)
    channel = Channel.SMS
    template = MessageTemplate.SESSION_REMINDER
    body = "Riverside Health: reminder of your appointment on Monday, March 2 at 6:00 PM."
    dedupe_key = factory.Sequence(lambda n: f"test:{n}:reminder")
    send_after = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=1))
    next_attempt_at = factory.SelfAttribute("send_after")
    status = MessageStatus.PENDING


class StaffTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffTask

    assignee = factory.SubFactory(CounselorFactory)
    patient = None
    kind = TaskKind.MISSED_SESSION
    title = factory.Sequence(lambda n: f"Call back after a missed appointment #{n}")
    due_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    status = TaskStatus.OPEN
    dedupe_key = factory.Sequence(lambda n: f"task:{n}")
