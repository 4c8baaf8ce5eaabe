"""The Celery beat schedule, shown read-only in the admin.

The schedule lives in settings (CELERY_BEAT_SCHEDULE), reviewed and deployed with the code, so
a change to when bulletins are built or reminders are sent goes through the same review as any
other behaviour; the admin shows what is in force and when each task runs next.
"""

from dataclasses import dataclass
from datetime import datetime

from celery.schedules import crontab
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from villages import scoping


@dataclass(frozen=True)
class ScheduledTask:
    name: str
    task: str
    when: str
    next_run: datetime | None


def describe(schedule) -> str:
    if isinstance(schedule, crontab):
        return _("cron: minute %(minute)s, hour %(hour)s, day %(day)s, month %(month)s, "
                 "weekday %(weekday)s") % {
            "minute": schedule._orig_minute, "hour": schedule._orig_hour,
            "day": schedule._orig_day_of_month, "month": schedule._orig_month_of_year,
            "weekday": schedule._orig_day_of_week}
    return _("every %(seconds)s seconds") % {"seconds": schedule}


def scheduled_tasks(now: datetime | None = None) -> list[ScheduledTask]:
    now = timezone.localtime(now)
    rows = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        next_run = None
        if isinstance(schedule, crontab):
            next_run = timezone.localtime(now + schedule.remaining_estimate(now)).replace(
                second=0, microsecond=0)
        rows.append(ScheduledTask(name, entry["task"], describe(schedule), next_run))
    return sorted(rows, key=lambda row: row.name)


def beat_schedule_view(request):
    if not scoping.can_use_admin(request.user):
        raise PermissionDenied
    return render(request, "admin/beat_schedule.html", {
        **admin.site.each_context(request),
        "title": _("Scheduled tasks"),
        "tasks": scheduled_tasks(),
        "timezone": settings.CELERY_TIMEZONE,
    })
