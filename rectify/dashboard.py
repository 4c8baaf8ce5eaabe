"""The dashboard's reads: every figure is one aggregate statement over what the user may see,
so the page costs the same number of queries for one township or 20,000 villages.

Every figure is computed by the selector of the list it links to (the roster list for colors,
the village list for tiers, the case and ledger lists, the compliance checks, completeness,
talks), so the number shown is the number of rows the link opens.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import campaigns
from casework import visibility as casework_visibility
from casework.models import (
    OPEN_CASE_STATUSES,
    CaseStatus,
    LedgerStatus,
    Outcome,
    ProblemType,
)
from core.charts import Line, LineChart, count_chart
from core.periods import HalfMonth, Month
from earlywarning import approvals, ratings, roster
from earlywarning import visibility as earlywarning_visibility
from earlywarning.models import Color, TalkStatus
from rectify import compliance
from rectify.villages import village_rows
from villages import scoping
from villages.models import Region, RegionLevel

TREND_MONTHS = 12
COLORS = (Color.RED, Color.YELLOW, Color.GREEN)


# --- Colors, tiers, ratings -------------------------------------------------------------------


def dashboard_period(today: date) -> HalfMonth:
    """The half-month the dashboard's colors describe: the last one that has ended (its roster
    is complete; ratings may still come in until its deadline)."""
    return HalfMonth.containing(today).previous()


def colors(user, period: HalfMonth) -> dict:
    """Every village on ``period``'s roster in scope, by its color that period — ``unrated``
    included — counted over the roster list's own selector (``roster.rows``)."""
    counts = roster.color_counts(user, period)
    return {"period": period, "counts": [(c, counts[c]) for c in (*COLORS, roster.UNRATED)]}


def tiers(user) -> dict:
    """Villages in scope by their tier in their own county's latest approved quarter: the
    village list's ``current_tier``, so each figure is its ``?tier=`` list."""
    found = dict(village_rows(user).values_list("current_tier").annotate(n=Count("pk"))
                 .order_by())
    quarters = sorted(set(approvals.latest_approved().values()))
    return {"quarters": quarters, "counts": [(t, found.get(t, 0)) for t in (1, 2, 3)]}


@dataclass(frozen=True)
class LateTownship:
    township_id: int
    name: str
    county: str
    expected: int
    missing: int


def late_townships(user, period: str) -> list[LateTownship]:
    """Townships late or incomplete for ``period`` (the last closed half-month), by the same
    rule and rows as the completeness page: expected is that period's roster."""
    root = scoping.scope_region(user)
    roots = [root] if root else list(scoping.visible_regions(user).filter(parent__isnull=True))
    rows = [row for region in roots
            for row in ratings.completeness(user, region, HalfMonth.parse(period)) if row.late]
    return [LateTownship(row.township.pk, row.township.name, row.township.parent.name,
                         row.expected, row.missing)
            for row in sorted(rows, key=lambda r: (-r.missing, r.township.path))]


def talk_counts(user) -> dict[str, int]:
    found = dict(earlywarning_visibility.talks(user).values_list("status")
                 .annotate(n=Count("pk")).order_by())
    return {status: found.get(status, 0) for status in TalkStatus.values}


# --- Cases, ledger, campaigns -----------------------------------------------------------------


def cases_by_status(user) -> list[tuple[str, str, int]]:
    found = dict(casework_visibility.cases(user).values_list("status").annotate(n=Count("pk"))
                 .order_by())
    return [(status.value, status.label, found.get(status.value, 0)) for status in CaseStatus]


def cases_by_problem_type(user) -> list[ProblemType]:
    visible = scoping.visible_villages(user)
    return list(ProblemType.objects.annotate(
        open_cases=Count("cases", filter=Q(cases__village__in=visible,
                                           cases__status__in=OPEN_CASE_STATUSES)),
        all_cases=Count("cases", filter=Q(cases__village__in=visible)),
    ).order_by("group", "order"))


def overdue_items(user, limit: int = 10):
    items = casework_visibility.ledger_items(user).filter(overdue=True)
    rows = list(items.select_related("village__township", "problem_type")
                .order_by("due", "village__code", "number")[:limit])
    return rows, items.count()


def ledger_totals(user) -> dict:
    return casework_visibility.ledger_items(user).aggregate(
        listed=Count("pk", filter=Q(status=LedgerStatus.LISTED)),
        in_progress=Count("pk", filter=Q(status=LedgerStatus.IN_PROGRESS)),
        struck_off=Count("pk", filter=Q(status=LedgerStatus.STRUCK_OFF)),
    )


# --- Monthly trend (server-side SVG) ----------------------------------------------------------


def _per_month(queryset, field: str, since: datetime) -> dict[Month, int]:
    rows = (queryset.filter(**{f"{field}__gte": since})
            .annotate(m=TruncMonth(field)).values("m").annotate(n=Count("pk")).order_by())
    result = {}
    for row in rows:
        month = row["m"]
        if isinstance(month, datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        result[Month.containing(month)] = row["n"]
    return result


# The colours of the stylesheet's --red, --green and --link: listed, struck off, moved up.
RED, GREEN, BLUE = "#a4161a", "#1a7f37", "#0b4f9c"


def trend(user, today: date) -> LineChart:
    """Ledger items listed and struck off, and cases moved up, per month for a year."""
    months = Month.containing(today).back(TREND_MONTHS)
    since = timezone.make_aware(datetime.combine(months[0].start, time.min))
    items = casework_visibility.ledger_items(user)
    listed = _per_month(items, "listed_at", since)
    struck = _per_month(items.filter(status=LedgerStatus.STRUCK_OFF), "struck_off_at", since)
    moved = _per_month(casework_visibility.cases(user).filter(outcome=Outcome.MOVED_UP),
                       "outcome_at", since)
    return count_chart([str(m) for m in months], [
        Line(_("Ledger items listed"), [listed.get(m, 0) for m in months], color=RED),
        Line(_("Ledger items struck off"), [struck.get(m, 0) for m in months], color=GREEN),
        Line(_("Cases moved up"), [moved.get(m, 0) for m in months], color=BLUE),
    ], short_labels=[f"{m.month:02d}" for m in months])


# --- The whole page ---------------------------------------------------------------------------


def work_context(user, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    period = compliance.last_closed_half_month(today)
    month = compliance.last_complete_month(today)
    overdue, overdue_count = overdue_items(user)
    progress = campaigns.campaign_progress(user, today)
    checks = compliance.all_checks(user, month=month, today=today, progress=progress)
    for check in checks:
        # The dashboard shows figures only; the rows are for /compliance/.
        check.rows = None
    scope = scoping.scope_region(user)
    shown = dashboard_period(today)
    return {
        "colors": colors(user, shown),
        "tiers": tiers(user),
        "talks": talk_counts(user),
        "can_view_completeness": scoping.can_view_completeness(user),
        "trend": trend(user, today),
        "cases_by_status": cases_by_status(user),
        "problem_types": cases_by_problem_type(user),
        "campaigns": progress,
        "overdue": overdue,
        "overdue_count": overdue_count,
        "ledger_totals": ledger_totals(user),
        "checks": checks,
        "breach_total": sum(c.breaches for c in checks),
        "late_townships": late_townships(user, period),
        "rating_period": period,
        "compliance_month": month,
        "is_township_view": bool(scope and scope.level == RegionLevel.TOWNSHIP),
        "scope_region": scope if isinstance(scope, Region) else None,
    }
