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
from earlywarning import ratings
from earlywarning.models.ratings import (
    Color,
    Notification,
    RatingStatus,
    WarningListAction,
    WarningListChange,
    WarningRating,
)
from villages import scoping
from villages.models import RegionLevel, Role


def _period(request, default: HalfMonth) -> HalfMonth:
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


def _sheet_township(request):
    """A township official's own township; staff pick one of the townships they can see."""
    townships = scoping.visible_regions(request.user).filter(level=RegionLevel.TOWNSHIP)
    if request.user.role == Role.TOWNSHIP_OFFICIAL:
        return request.user.region, None
    choices = townships.select_related("parent").order_by("code")
    value = request.GET.get("township") or request.POST.get("township")
    if value:
        return get_object_or_404(choices, pk=value if str(value).isdigit() else 0), choices
    return None, choices


@login_required
def rating_sheet(request):
    """One township's warning-list villages for one half-month: last color, choice, reason."""
    if not scoping.can_enter_ratings(request.user):
        raise PermissionDenied
    township, townships = _sheet_township(request)
    period = _period(request, HalfMonth.current())
    context = {"township": township, "townships": townships, "period": period,
               "open_periods": open_periods(), "colors": Color.choices}
    if township is None:
        return render(request, "earlywarning/ratings/sheet.html", context)

    locked = ratings.is_locked(period, township)
    posted, errors = {}, {}
    if request.method == "POST":
        if locked:
            messages.error(request, _("This period is closed; nothing was saved."))
            return redirect(_sheet_url(township, period, request.user))
        submit = request.POST.get("action") == "submit"
        ids = [int(v) for v in request.POST.getlist("village") if v.isdigit()]
        posted = {i: (request.POST.get(f"color-{i}", ""), request.POST.get(f"reason-{i}", ""))
                  for i in ids}
        entries = [ratings.RatingInput(i, color, reason) for i, (color, reason) in posted.items()
                   if color or submit]
        try:
            ratings.save_ratings(actor=request.user, period=period, entries=entries,
                                 submit=submit)
        except ratings.RatingError as error:
            errors = error.errors
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)d ratings submitted.") % {"count": len(entries)}
                             if submit else _("Draft saved."))
            return redirect(_sheet_url(township, period, request.user))

    rows = _sheet_rows(request.user, township, period, posted, errors)
    context.update({
        "rows": rows, "locked": locked,
        "deadline": period.deadline,
        "submitted": sum(1 for row in rows if row["status"] == RatingStatus.SUBMITTED),
    })
    return render(request, "earlywarning/ratings/sheet.html", context,
                  status=400 if errors else 200)


def _sheet_url(township, period, user) -> str:
    query = {"period": str(period)}
    if user.role != Role.TOWNSHIP_OFFICIAL:
        query["township"] = township.pk
    return f"{reverse('rating-sheet')}?{urlencode(query)}"


def _sheet_rows(user, township, period, posted, errors) -> list[dict]:
    this = WarningRating.objects.filter(village=OuterRef("pk"), period=str(period))
    last = WarningRating.objects.filter(village=OuterRef("pk"), period=str(period.previous()),
                                        status=RatingStatus.SUBMITTED)
    villages = (ratings.warning_list(scoping.visible_villages(user).filter(township=township))
                .annotate(last_color=Subquery(last.values("color")[:1]),
                          color=Subquery(this.values("color")[:1]),
                          reason=Subquery(this.values("reason")[:1]),
                          status=Subquery(this.values("status")[:1]))
                .order_by("code"))
    rows = []
    for village in villages:
        color, reason = posted.get(village.pk, (village.color or "", village.reason or ""))
        rows.append({"village": village, "last_color": village.last_color, "color": color,
                     "reason": reason, "status": village.status,
                     "errors": errors.get(village.pk, {})})
    return rows


@login_required
def completeness(request):
    """Per township: expected, submitted and on-time ratings for a period; late ones first."""
    if request.user.role not in scoping.STAFF_ROLES and not scoping.is_superuser(request.user) \
            and request.user.role != Role.AUDITOR:
        raise PermissionDenied
    current = HalfMonth.current()
    period = _period(request, current.previous())
    region = scoping.scope_region(request.user)
    regions = [region] if region else list(
        scoping.visible_regions(request.user).filter(parent__isnull=True))
    rows = [row for root in regions for row in ratings.completeness(request.user, root, period)]
    return render(request, "earlywarning/ratings/completeness.html", {
        "period": period,
        "periods": [current, *[p for p in reversed(open_periods()) if p != current]]
        + _recent(current, 6),
        "rows": sorted(rows, key=lambda r: (not r.late, r.township.code)),
        "late_count": sum(1 for row in rows if row.late),
        "can_grant": request.user.role in scoping.STAFF_ROLES or request.user.is_superuser,
        "past_deadline": period.is_past_deadline(),
    })


def _recent(current: HalfMonth, count: int) -> list[HalfMonth]:
    periods, period = [], current.previous()
    for _step in range(count):
        period = period.previous()
        periods.append(period)
    return periods


@login_required
@require_POST
def grant_exception(request):
    township = get_object_or_404(scoping.visible_regions(request.user),
                                 pk=request.POST.get("township") or 0,
                                 level=RegionLevel.TOWNSHIP)
    with errors_as_message(request):
        period = HalfMonth.parse(request.POST.get("period"))
        ratings.grant_lock_exception(actor=request.user, township=township, period=period,
                                     reason=request.POST.get("reason", ""))
        messages.success(request, _("%(township)s may enter ratings for %(period)s again.")
                         % {"township": township.name, "period": period})
    return redirect(f"{reverse('rating-completeness')}?period={request.POST.get('period', '')}")


@login_required
def warning_list_page(request):
    """The county's view of who is rated, and its manual additions and removals."""
    if not scoping.can_manage_master_data(request.user):
        raise PermissionDenied
    visible = scoping.visible_villages(request.user)
    if request.method == "POST":
        village = visible.filter(code=request.POST.get("code", "").strip()).select_related(
            "township").first()
        if village is None:
            messages.error(request, _("No village with that code in your region."))
        else:
            with errors_as_message(request):
                ratings.change_warning_list(actor=request.user, village=village,
                                            action=request.POST.get("action", ""),
                                            reason=request.POST.get("reason", ""))
                messages.success(request, _("The warning list was changed for %(village)s.")
                                 % {"village": village.name})
        return redirect("rating-warning-list")
    villages = (ratings.warning_list(visible).select_related("township__parent")
                .annotate(current_color=ratings.current_color_subquery()).order_by("code"))
    changes = (WarningListChange.objects.filter(village__in=visible, ended_at__isnull=True)
               .select_related("village__township", "made_by").order_by("-made_at"))
    return render(request, "earlywarning/ratings/warning_list.html", {
        "villages": villages, "changes": changes, "actions": WarningListAction.choices})


@login_required
def notifications(request):
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    return render(request, "earlywarning/ratings/notifications.html",
                  {"notifications": mine[:100]})
