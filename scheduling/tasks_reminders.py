"""Celery tasks that turn the schedule into reminders and work-list tasks; each run is safe to repeat."""

from celery import shared_task

from . import reminders

RETRY = {
    "ignore_result": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "max_retries": 5,
}


@shared_task(name="scheduling.tasks_reminders.plan_session_reminders", **RETRY)
def plan_session_reminders() -> int:
    """Reminders for every session of the next 48 hours; existing ones are found by their dedupe keys."""
    return reminders.session_reminders_plan()


@shared_task(name="scheduling.tasks_reminders.hours_shortfall_check", **RETRY)
def hours_shortfall_check() -> int:
    """Patients projected below their weekly minimum: one task per patient and week."""
    return reminders.hours_shortfall_tasks()


@shared_task(name="scheduling.tasks_reminders.work_list_daily", **RETRY)
def work_list_daily() -> dict:
    """Authorizations, plan reviews, unsigned notes, pending drug tests and instruments due."""
    return reminders.work_list_run()
