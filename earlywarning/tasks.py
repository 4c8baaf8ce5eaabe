"""Celery tasks: thin, idempotent, take plain arguments and call domain functions."""

from celery import shared_task
from django.utils import timezone

from earlywarning import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True,
             retry_kwargs={"max_retries": 5})
def send_rating_reminders(day: str | None = None) -> int:
    """Runs daily; acts on the 1st, the 16th and two days before each rating deadline."""
    today = timezone.localdate() if day is None else timezone.datetime.fromisoformat(day).date()
    return reminders.send_rating_reminders(today=today)
