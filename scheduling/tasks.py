"""Periodic scheduling work: thin tasks that call a service."""

from celery import shared_task

from .constants import GENERATE_AHEAD_WEEKS
from .services import occurrences_generate_all


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def generate_occurrences_ahead(weeks: int = GENERATE_AHEAD_WEEKS) -> int:
    """Keep every group's occurrences generated 8 weeks ahead; a second run creates nothing (unique key)."""
    return occurrences_generate_all(weeks=weeks)
