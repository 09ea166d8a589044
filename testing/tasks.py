"""Celery tasks of drug testing: thin, idempotent, scheduled by django-celery-beat rows."""

from celery import shared_task

from .services.random_draws import random_draws_run


@shared_task(
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
)
def draw_random_tests() -> dict:
    """Make today's random drug-test draw for each program; a second run finds each draw made."""
    draws = random_draws_run()
    return {draw.program.code: len(draw.drawn) for draw in draws}
