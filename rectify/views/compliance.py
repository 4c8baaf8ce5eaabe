"""``/compliance/``: every compliance check with its breaching rows, and the cadre points of a
county. The checks combine the rectification work with the ratings, so the page is here."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from casework import points, points_summary
from core.errors import DomainError
from core.periods import Month
from rectify import compliance
from villages import scoping
from villages.models import RegionLevel

COMPLIANCE_ROWS = 100


def _month(request, today) -> str:
    try:
        return str(Month.parse(request.GET["month"]))
    except (KeyError, DomainError):
        return compliance.last_complete_month(today)


def _points_county(request):
    """The county whose points are shown: the one asked for, else the user's own county, else
    the first county the user can see."""
    counties = scoping.visible_regions(request.user).filter(level=RegionLevel.COUNTY)
    wanted = request.GET.get("points_region", "")
    chosen = counties.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    own = scoping.scope_region(request.user)
    return chosen or (own.county if own and own.county else None) or counties.order_by(
        "code").first()


@login_required
def compliance_page(request):
    today = timezone.localdate()
    month = _month(request, today)
    checks = compliance.all_checks(request.user, month=month, today=today)
    for check in checks:
        if check.rows is not None and not isinstance(check.rows, list):
            check.rows = list(check.rows[:COMPLIANCE_ROWS])
    region = _points_county(request)
    return render(request, "rectify/compliance.html", {
        "checks": checks, "month": month,
        "period": compliance.last_closed_half_month(today),
        # The points ledger of this year, as posted (rules of past months stay as they were).
        "points": points_summary.points_table(
            request.user, region=region, year=today.year)[:200] if region else [],
        "points_region": region,
        "points_year": today.year,
        "rules": points.rules_in_effect(region) if region else [],
        "counties": scoping.visible_regions(request.user).filter(
            level=RegionLevel.COUNTY).order_by("code"),
        "row_limit": COMPLIANCE_ROWS,
    })
