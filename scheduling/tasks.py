"""Periodic scheduling work: thin tasks that call a service; each run is safe to repeat."""

from celery import shared_task

from .constants import GENERATE_AHEAD_WEEKS
from .services import hours_shortfall_tasks, occurrences_generate_all, session_reminders_plan

RETRY = {
    "ignore_result": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 60,
    "retry_backoff_max": 900,
    "max_retries": 5,
}


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def generate_occurrences_ahead(weeks: int = GENERATE_AHEAD_WEEKS) -> int:
    """Keep every group's occurrences generated 8 weeks ahead; a second run creates nothing (unique key)."""
    return occurrences_generate_all(weeks=weeks)


@shared_task(**RETRY)
def plan_session_reminders() -> int:
    """Reminders for every session of the next 48 hours; existing ones are found by their dedupe keys."""
    return session_reminders_plan()


@shared_task(**RETRY)
def hours_shortfall_check() -> int:
    """Patients projected below their weekly minimum: one task per patient and week."""
    return hours_shortfall_tasks()
