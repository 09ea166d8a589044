"""Celery tasks: the access-log sequencer and its signed checkpoints (beat's rows: migration 0007)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def access_log_chain() -> int:
    """Chain the access-log rows committed since the last run; a run that overlaps another chains nothing twice."""
    return services.access_log_chain()


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=10, retry_backoff_max=60, max_retries=3)
def access_log_checkpoint() -> int:
    """Sign the chain's head into the log stream and the checkpoint file; returns the rows it counts."""
    return services.access_log_checkpoint().count
