"""The rating sheet (a township's roster for one half-month), completeness, lock exceptions and
notifications. Who is on a sheet is the period's warning roster (``roster.py``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.http import errors_as_message
from core.periods import HalfMonth, open_periods
from earlywarning import locks, ratings, roster
from earlywarning.models import Color, Notification, RatingStatus, WarningRating
from villages import scoping
from villages.models import RegionLevel


def period_from(request, default: HalfMonth) -> HalfMonth:
    """The ``period`` asked for (404 for a malformed or future one), else ``default``."""
    value = request.GET.get("period") or request.POST.get("period")
    if not value:
        return default
    try:
        period = HalfMonth.parse(value)
    except DomainError:
        raise Http404 from None
    if period.is_future():
        raise Http404
    return period


def recent_periods(count: int = 6) -> list[HalfMonth]:
    """The periods a page offers: the open ones, newest first, then ``count`` closed ones."""
    current = HalfMonth.current()
    periods = [current, *[p for p in reversed(open_periods()) if p != current]]
    period = periods[-1]
    for _step in range(count):
        period = period.previous()
        periods.append(period)
    return periods


def _sheet_township(request):
    """A township official's own township; staff pick one of the townships they can see."""
    if scoping.rates_own_township_only(request.user):
        return request.user.region, None
    choices = (scoping.visible_regions(request.user).filter(level=RegionLevel.TOWNSHIP)
               .select_related("parent").order_by("code"))
    value = request.GET.get("township") or request.POST.get("township")
    if value:
        return get_object_or_404(choices, pk=value if str(value).isdigit() else 0), choices
    return None, choices


def _save_sheet(request, township, period):
    """Save (draft) or submit the posted sheet; the response, or the errors to show."""
    submit = request.POST.get("action") == "submit"
    ids = [int(v) for v in request.POST.getlist("village") if v.isascii() and v.isdigit()]
    posted = {i: (request.POST.get(f"color-{i}", ""), request.POST.get(f"reason-{i}", ""))
              for i in ids}
    entries = [ratings.RatingInput(i, color, reason) for i, (color, reason) in posted.items()
               if color or submit]
    try:
        ratings.save_ratings(actor=request.user, period=period, entries=entries, submit=submit)
    except ratings.RatingError as error:
        messages.error(request, error.message)
        return None, posted, error.errors
    messages.success(request, _("%(count)d ratings submitted.") % {"count": len(entries)}
                     if submit else _("Draft saved."))
    return redirect(_sheet_url(township, period, request.user)), posted, {}


@login_required
def rating_sheet(request):
    """One township's roster for one half-month: reasons, last color, choice, reason."""
    if not scoping.can_enter_ratings(request.user):
        raise PermissionDenied
    township, townships = _sheet_township(request)
    period = period_from(request, HalfMonth.current())
    context = {"township": township, "townships": townships, "period": period,
               "open_periods": open_periods(), "colors": Color.choices}
    if township is None:
        return render(request, "earlywarning/ratings/sheet.html", context)
    locked = locks.is_locked(period, township)
    posted, errors = {}, {}
    if request.method == "POST":
        if locked:
            messages.error(request, _("This period is closed; nothing was saved."))
            return redirect(_sheet_url(township, period, request.user))
        response, posted, errors = _save_sheet(request, township, period)
        if response is not None:
            return response
    rows = _sheet_rows(request.user, township, period, posted, errors)
    context.update({
        "rows": rows, "locked": locked, "deadline": period.deadline,
        "submitted": sum(1 for row in rows if row["status"] == RatingStatus.SUBMITTED),
    })
    return render(request, "earlywarning/ratings/sheet.html", context,
                  status=400 if errors else 200)


def _sheet_url(township, period, user) -> str:
    query = {"period": str(period)}
    if not scoping.rates_own_township_only(user):
        query["township"] = township.pk
    return f"{reverse('rating-sheet')}?{urlencode(query)}"


def _sheet_rows(user, township, period, posted, errors) -> list[dict]:
    this = WarningRating.objects.filter(village=OuterRef("village_id"),
                                        period=str(period)).order_by()
    last = WarningRating.objects.filter(village=OuterRef("village_id"),
                                        period=str(period.previous()),
                                        status=RatingStatus.SUBMITTED).order_by()
    entries = (scoping.visible_by_village(user, roster.entries(period))
               .filter(township=township)
               .select_related("village", "county_addition")
               .annotate(last_color=Subquery(last.values("color")[:1]),
                         color=Subquery(this.values("color")[:1]),
                         reason=Subquery(this.values("reason")[:1]),
                         status=Subquery(this.values("status")[:1]))
               .order_by("village__code"))
    rows = []
    for entry in entries:
        village = entry.village
        color, reason = posted.get(village.pk, (entry.color or "", entry.reason or ""))
        rows.append({"village": village, "reasons": roster.reasons(entry),
                     "last_color": entry.last_color, "color": color, "reason": reason,
                     "status": entry.status, "errors": errors.get(village.pk, {})})
    return rows


@login_required
def completeness(request):
    """Per township: expected (the roster), submitted and on-time ratings; late ones first."""
    if not scoping.can_view_completeness(request.user):
        raise PermissionDenied
    period = period_from(request, HalfMonth.current().previous())
    region = scoping.scope_region(request.user)
    regions = [region] if region else list(
        scoping.visible_regions(request.user).filter(parent__isnull=True))
    rows = [row for root in regions for row in ratings.completeness(request.user, root, period)]
    return render(request, "earlywarning/ratings/completeness.html", {
        "period": period,
        "periods": recent_periods(),
        "rows": sorted(rows, key=lambda r: (not r.late, r.township.code)),
        "late_count": sum(1 for row in rows if row.late),
        "can_grant": scoping.can_grant_lock_exceptions(request.user),
        "can_open_sheets": scoping.can_enter_ratings(request.user),
        "past_deadline": period.is_past_deadline(),
    })


@login_required
@require_POST
def grant_exception(request):
    township = get_object_or_404(scoping.visible_regions(request.user),
                                 pk=request.POST.get("township") or 0,
                                 level=RegionLevel.TOWNSHIP)
    with errors_as_message(request):
        period = HalfMonth.parse(request.POST.get("period"))
        locks.grant_lock_exception(actor=request.user, township=township, period=period,
                                   reason=request.POST.get("reason", ""))
        messages.success(request, _("%(township)s may enter ratings for %(period)s again.")
                         % {"township": township.name, "period": period})
    return redirect(f"{reverse('rating-completeness')}?period={request.POST.get('period', '')}")


@login_required
def notifications(request):
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    return render(request, "earlywarning/ratings/notifications.html",
                  {"notifications": mine[:100]})
