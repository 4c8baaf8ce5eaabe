"""Celery tasks of the rectification work: thin wrappers around the domain functions."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from casework import ledger, points_posting
from core.periods import Month


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5, soft_time_limit=240, time_limit=300)
def flag_overdue_ledger_items() -> dict:
    """Daily: flag open ledger items past their due date (and clear stale flags). Idempotent,
    so a redelivered or retried run changes nothing more."""
    flagged, cleared = ledger.flag_overdue()
    return {"flagged": flagged, "cleared": cleared}


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_backoff_max=600, max_retries=5, soft_time_limit=240, time_limit=300)
def post_monthly_points(month: str | None = None) -> dict:
    """Monthly: post the points that derive from data for ``month`` (default: the month just
    ended). Idempotent: a redelivered or retried run posts nothing twice."""
    chosen = Month.parse(month) if month else Month.containing(timezone.localdate()).previous()
    return {"month": str(chosen), **points_posting.post_month(month=chosen)}
