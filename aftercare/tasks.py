"""Celery task of alumni follow-up: thin and idempotent, scheduled by a django-celery-beat row."""

from celery import shared_task

from .services import checkins


@shared_task(
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
)
def alumni_checkins_make_due() -> int:
    """Put the check-ins due today on the clinicians' work lists; a second run finds each one claimed."""
    return checkins.alumni_checkins_make_due()
