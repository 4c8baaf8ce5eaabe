"""Celery tasks: thin, idempotent, take plain arguments and call domain functions."""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from earlywarning import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True,
             retry_kwargs={"max_retries": 5})
def send_rating_reminders(day: str | None = None) -> int:
    """Runs daily; acts on the 1st, the 16th and two days before each rating deadline."""
    today = timezone.localdate() if day is None else timezone.datetime.fromisoformat(day).date()
    return reminders.send_rating_reminders(today=today)


@shared_task(acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True,
             retry_kwargs={"max_retries": 5})
def make_roster(period: str | None = None) -> str:
    """On the 1st and the 16th: make the new half-month's warning roster. Idempotent: a period
    already made is left as it is (pages make it too, on first access, if this did not run)."""
    from core.periods import HalfMonth
    from earlywarning import roster

    made = roster.ensure(HalfMonth.containing(timezone.localdate()) if period is None
                         else HalfMonth.parse(period))
    return made.period


# --- Monthly bulletins --------------------------------------------------------------------------


@shared_task(acks_late=True)
def build_monthly_bulletins(month: str | None = None) -> int:
    """On the 1st: one task per county and the city, each building the previous month's draft.

    Separate tasks, so one region failing (and retrying) does not hold up the others.
    """
    from earlywarning import bulletins

    if month is None:
        month = str(bulletins.Month.containing(timezone.localdate()).previous())
    region_ids = list(bulletins.regions_to_build().values_list("pk", flat=True))
    for region_id in region_ids:
        build_region_bulletin.delay(region_id, month)
    return len(region_ids)


@shared_task(acks_late=True, autoretry_for=(DatabaseError, ConnectionError, OSError),
             retry_backoff=True, retry_backoff_max=600, retry_kwargs={"max_retries": 5})
def build_region_bulletin(region_id: int, month: str) -> str:
    """Build (or rebuild) one region's draft; publish it too when BULLETIN_AUTO_PUBLISH is on.

    Idempotent: a rerun updates the same draft, and a month already published is left alone.
    The whole build is one transaction, so a worker killed midway leaves nothing half-written
    and the redelivered task (``acks_late``) builds it once.
    """
    from earlywarning import bulletins
    from villages.models import Region

    region = Region.objects.get(pk=region_id)
    try:
        bulletin = bulletins.build_draft(actor=None, region=region,
                                         month=bulletins.Month.parse(month))
    except bulletins.BulletinAlreadyPublished:
        return "published"
    if settings.BULLETIN_AUTO_PUBLISH:
        bulletins.publish(actor=None, bulletin=bulletin)
        return "published"
    return "draft"
