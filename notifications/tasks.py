"""Celery tasks: thin, idempotent, polled by beat (schedules in django-celery-beat rows)."""

from dataclasses import asdict

from celery import shared_task

from . import delivery


@shared_task(name="notifications.tasks.deliver_due_messages", ignore_result=True)
def deliver_due_messages() -> dict:
    """Send every due outbox row; a second concurrent run finds nothing to do (claims skip locked rows)."""
    stats = delivery.deliver_due_messages()
    return {key: value for key, value in asdict(stats).items() if key != "errors"}
