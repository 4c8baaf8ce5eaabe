"""Reminders to township officials whose warning ratings are still missing.

Sent on the 1st and the 16th (a period has just ended) and two days before each deadline, in
the app and by e-mail. Each (user, period, occasion) is notified once, however often the task
runs or is retried.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.periods import HalfMonth
from earlywarning import roster
from earlywarning.models.ratings import Notification, RatingStatus, WarningRating
from villages.models import Role, User


def due_reminders(today: date) -> list[tuple[HalfMonth, str]]:
    """Which periods to remind about today, and on what occasion."""
    due = []
    if today.day in (1, 16):
        due.append((HalfMonth.containing(today - timedelta(days=1)), "ended"))
    period = HalfMonth.containing(today)
    for _step in range(3):
        # With the default three days, "two days before" falls on the 1st or 16th: one is enough.
        if period.deadline - timedelta(days=2) == today and (period, "ended") not in due:
            due.append((period, "deadline"))
        period = period.previous()
    return due


def send_rating_reminders(*, today: date) -> int:
    """Notify every township official of a township with missing ratings; return how many."""
    sent = 0
    for period, occasion in due_reminders(today):
        sent += remind(period=period, occasion=occasion)
    return sent


def remind(*, period: HalfMonth, occasion: str) -> int:
    rated = WarningRating.objects.filter(village=OuterRef("village_id"), period=str(period),
                                         status=RatingStatus.SUBMITTED)
    missing = dict(roster.entries(period).filter(~Exists(rated))
                   .values("township").annotate(n=Count("pk")).order_by()
                   .values_list("township", "n"))
    officials = list(User.objects.filter(role=Role.TOWNSHIP_OFFICIAL, is_active=True,
                                         region__in=missing).select_related("region"))
    link = reverse("rating-sheet") + f"?period={period}"
    notifications, mails = [], []
    with override(settings.LANGUAGE_CODE):
        for user in officials:
            message = _("%(township)s: %(count)d warning ratings for %(period)s are missing; "
                        "the deadline is %(deadline)s.") % {
                "township": user.region.name, "count": missing[user.region_id],
                "period": period, "deadline": period.deadline.isoformat()}
            notifications.append(Notification(user=user, key=f"rating:{period}:{occasion}",
                                              message=message, link=link))
    existing = set(Notification.objects.filter(
        key__in={n.key for n in notifications}, user__in=officials).values_list("user", "key"))
    fresh = [n for n in notifications if (n.user_id, n.key) not in existing]
    # ignore_conflicts: a concurrent run of the same reminder inserts each row once.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    for notification in fresh:
        if notification.user.email:
            mails.append((_("Warning ratings missing"), notification.message,
                          settings.DEFAULT_FROM_EMAIL, [notification.user.email]))
    if mails:
        send_mass_mail(mails, fail_silently=False)
    return len(fresh)
