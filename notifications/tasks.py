"""Celery tasks: thin, idempotent, polled by beat (schedules in django-celery-beat rows)."""

from dataclasses import asdict

from celery import shared_task

from .services import delivery, tasks_escalate_due, work_list_run


@shared_task(ignore_result=True)
def deliver_due_messages() -> dict:
    """Send every due outbox row; a second concurrent run finds nothing to do (claims skip locked rows)."""
    stats = delivery.deliver_due_messages()
    return {key: value for key, value in asdict(stats).items() if key != "errors"}


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=60, retry_backoff_max=900, max_retries=5)
def work_list_daily() -> dict:
    """Every app's daily follow-up tasks (authorizations, plan reviews, unsigned notes, pending results, …)."""
    return work_list_run()


@shared_task(ignore_result=True, autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=300, max_retries=5)
def escalate_overdue_tasks() -> int:
    """Tasks not done by their escalation time reach the supervisor or director (each claimed once)."""
    return tasks_escalate_due()
