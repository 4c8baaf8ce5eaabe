"""Whether a half-month is open: for ratings, and for changes to its roster.

A period opens on its first day and closes at the end of its deadline day (``RATING_DEADLINE_DAYS``
after it ends, DHIS2's "expiry days"). The county may reopen a closed period for one township
with a lock exception, for ``RATING_EXCEPTION_DAYS``; that township's part of the period — its
ratings and its part of the roster — is open again until then.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from core.periods import HalfMonth
from earlywarning.models import LockException
from villages import scoping
from villages.models import Region


def check_open(period: HalfMonth, *, today: date | None = None,
               exception: LockException | None = None) -> None:
    """Raise a DomainError naming the period unless it accepts ratings and roster changes
    today (``exception``: the township's lock exception for it, if any)."""
    today = today or timezone.localdate()
    if period.is_future(today):
        raise DomainError(_("The period %(period)s has not begun yet.") % {"period": period},
                          field="period")
    if not period.is_past_deadline(today):
        return
    if exception is not None and exception.open_until >= today:
        return
    raise DomainError(
        _("The period %(period)s closed on %(deadline)s; ask the county for a lock exception.")
        % {"period": period, "deadline": period.deadline.isoformat()}, field="period")


def exceptions_for(period: HalfMonth, township_ids) -> dict[int, LockException]:
    return {e.township_id: e for e in LockException.objects.filter(
        period=str(period), township__in=set(township_ids))}


def is_locked(period: HalfMonth, township: Region, *, today: date | None = None) -> bool:
    try:
        check_open(period, today=today,
                   exception=exceptions_for(period, [township.pk]).get(township.pk))
    except DomainError:
        return True
    return False


@transaction.atomic
def grant_lock_exception(*, actor, township: Region, period: HalfMonth, reason: str,
                         today: date | None = None) -> LockException:
    if not scoping.can_grant_lock_exception(actor, township):
        raise NotAllowed(_("Only the county may grant a lock exception."))
    if not (reason or "").strip():
        raise DomainError(_("Give a reason for the exception."), field="reason")
    if period.is_future(today):
        raise DomainError(_("The period %(period)s has not begun yet.") % {"period": period},
                          field="period")
    open_until = (today or timezone.localdate()) + timedelta(days=settings.RATING_EXCEPTION_DAYS)
    exception, _created = LockException.objects.update_or_create(
        township=township, period=str(period),
        defaults={"reason": reason.strip(), "open_until": open_until, "granted_by": actor})
    return exception
