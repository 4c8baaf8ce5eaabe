"""Compliance checks from the report, computed from the data in SQL.

Each check is one aggregate statement for its figures (checked, breaches) plus, where a page
lists them, one statement for the breaching rows: a constant number of queries whatever the
number of villages. The dashboard shows the figures, ``/compliance/`` the rows.

- instructor_days: a stationed instructor spends ≥ 20 days a month in the village (posts).
- leader_visits: a paired leader visits ≥ 1 time a month (active leader pairings).
- department_projects: a paired department delivers 1–2 projects; a breach is none yet.
- reserve_cadres: 2–3 reserve cadres per village with an open case; a breach is fewer than 2.
- household_contacts: each party member contacts ≥ 10 households.
- red_count: Shangyu — a township's red-warned villages must not increase (half-month on
  half-month, submitted ratings).
- campaign_progress: a campaign's share of cases moved up reaches its target (pro rata on the
  way, in full at the end).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from earlywarning.models.ratings import Color, RatingStatus, WarningRating
from earlywarning.periods import HalfMonth, Month
from rectify.models import (
    OPEN_CASE_STATUSES,
    Case,
    HouseholdContact,
    Outcome,
    PairingKind,
    Project,
    Visit,
)
from villages import scoping
from villages.models import Post, PostAssignment, Region, RegionLevel

INSTRUCTOR_MIN_DAYS = 20
LEADER_MIN_VISITS = 1
DEPARTMENT_MIN_PROJECTS = 1
RESERVE_MIN = 2
HOUSEHOLDS_MIN = 10


@dataclass
class Check:
    code: str
    label: str
    rule: str
    checked: int
    breaches: int
    rows: QuerySet | list | None = field(default=None, repr=False)
    available: bool = True

    @property
    def ok(self) -> bool:
        return self.available and self.breaches == 0


# --- Periods ----------------------------------------------------------------------------------


def last_complete_month(today: date | None = None) -> str:
    return str(Month.containing(today or timezone.localdate()).previous())


def last_closed_half_month(today: date | None = None) -> str:
    return str(HalfMonth.containing(today or timezone.localdate()).previous())


# --- The checks -------------------------------------------------------------------------------


def _counts(queryset, breach: Q) -> tuple[int, int]:
    figures = queryset.aggregate(checked=Count("pk"), breaches=Count("pk", filter=breach))
    return figures["checked"], figures["breaches"]


def instructor_days(user, month: str) -> Check:
    bounds = Month.parse(month)
    first, last = bounds.start, bounds.end
    # A filtered LEFT JOIN rather than a subquery per post: one hash join for 13,000 posts.
    posts = (scoping.visible_posts(user).filter(post=Post.STATIONED_INSTRUCTOR)
             .filter(start__lte=last).filter(Q(end__isnull=True) | Q(end__gte=first))
             .annotate(logged=FilteredRelation(
                 "person__instructor_days",
                 condition=Q(person__instructor_days__month=month,
                             person__instructor_days__village=F("village"))))
             .annotate(days_logged=Coalesce(F("logged__days"), Value(0),
                                            output_field=IntegerField())))
    breach = Q(days_logged__lt=INSTRUCTOR_MIN_DAYS)
    checked, breaches = _counts(posts, breach)
    rows = (posts.filter(breach).select_related("person", "village__township")
            .order_by("days_logged", "village__code"))
    return Check("instructor_days", _("Stationed instructors in the village"),
                 _("at least 20 days a month"), checked, breaches, rows)


def _active_in(pairings, first: date, last: date):
    return pairings.filter(start__lte=last).filter(Q(end__isnull=True) | Q(end__gte=first))


def leader_visits(user, month: str) -> Check:
    bounds = Month.parse(month)
    first, last = bounds.start, bounds.end
    visits = (Visit.objects.filter(pairing=OuterRef("pk"), date__range=(first, last))
              .order_by().values("pairing").annotate(n=Count("pk")).values("n"))
    pairings = (_active_in(scoping.visible_pairings(user).filter(kind=PairingKind.LEADER),
                           first, last)
                .annotate(visits_in_month=Coalesce(Subquery(visits), Value(0),
                                                   output_field=IntegerField())))
    breach = Q(visits_in_month__lt=LEADER_MIN_VISITS)
    checked, breaches = _counts(pairings, breach)
    rows = (pairings.filter(breach).select_related("partner_person", "village__township")
            .order_by("village__code"))
    return Check("leader_visits", _("Paired leaders' visits"), _("at least 1 visit a month"),
                 checked, breaches, rows)


def department_projects(user, today: date) -> Check:
    projects = (Project.objects.filter(pairing=OuterRef("pk")).order_by().values("pairing")
                .annotate(n=Count("pk")).values("n"))
    pairings = (_active_in(scoping.visible_pairings(user).filter(kind=PairingKind.DEPARTMENT),
                           today, today)
                .annotate(project_count=Coalesce(Subquery(projects), Value(0),
                                                 output_field=IntegerField())))
    breach = Q(project_count__lt=DEPARTMENT_MIN_PROJECTS)
    checked, breaches = _counts(pairings, breach)
    rows = (pairings.filter(breach).select_related("village__township")
            .order_by("village__code"))
    return Check("department_projects", _("Paired departments' projects"),
                 _("1–2 welfare projects per paired department"), checked, breaches, rows)


def reserve_cadres(user, today: date) -> Check:
    reserves = (PostAssignment.objects.current(today)
                .filter(village=OuterRef("pk"),
                        post__in=[Post.RESERVE_CADRE, Post.SECRETARY_RESERVE])
                .order_by().values("village").annotate(n=Count("pk")).values("n"))
    with_open_case = Case.objects.filter(status__in=OPEN_CASE_STATUSES).values("village_id")
    targets = scoping.visible_villages(user).filter(pk__in=with_open_case).annotate(
        reserve_count=Coalesce(Subquery(reserves), Value(0), output_field=IntegerField()))
    breach = Q(reserve_count__lt=RESERVE_MIN)
    checked, breaches = _counts(targets, breach)
    rows = targets.filter(breach).select_related("township").order_by("code")
    return Check("reserve_cadres", _("Reserve cadres"),
                 _("2–3 reserve cadres per village with an open case"), checked, breaches, rows)


def household_contacts(user) -> Check:
    zones = HouseholdContact.objects.filter(village__in=scoping.visible_villages(user))
    breach = Q(households__lt=HOUSEHOLDS_MIN)
    checked, breaches = _counts(zones, breach)
    rows = zones.filter(breach).select_related("member", "village__township").order_by(
        "village__code", "member__name")
    return Check("household_contacts", _("Members' household contacts"),
                 _("each member contacts at least 10 households"), checked, breaches, rows)


@dataclass(frozen=True)
class RedCount:
    township: Region
    before: int
    now: int

    @property
    def increased(self) -> bool:
        return self.now > self.before


def red_counts(user, period: str) -> list[RedCount]:
    """Submitted red ratings per township in ``period`` and the half-month before, for every
    township in scope that had a rating in either. One grouped statement plus the township rows.

    """
    before = str(HalfMonth.parse(period).previous())
    red = Q(color=Color.RED, status=RatingStatus.SUBMITTED)
    grouped = (WarningRating.objects.filter(village__in=scoping.visible_villages(user),
                                    period__in=[period, before])
               .values("village__township")
               .annotate(now=Count("pk", filter=red & Q(period=period)),
                         before=Count("pk", filter=red & Q(period=before))))
    figures = {row["village__township"]: row for row in grouped}
    townships = Region.objects.filter(pk__in=list(figures), level=RegionLevel.TOWNSHIP)
    return sorted((RedCount(t, figures[t.pk]["before"], figures[t.pk]["now"])
                   for t in townships.select_related("parent")),
                  key=lambda row: (-(row.now - row.before), row.township.path))


def red_count_rule(user, period: str) -> Check:
    rows = red_counts(user, period)
    breaching = [row for row in rows if row.increased]
    return Check("red_count", _("Red-warned villages per township (Shangyu rule)"),
                 _("a township whose red-warned villages increase loses award eligibility"),
                 len(rows), len(breaching), breaching)


@dataclass(frozen=True)
class CampaignProgress:
    campaign: object
    cases: int
    moved_up: int
    elapsed: Decimal

    @property
    def share(self) -> Decimal:
        return (Decimal(self.moved_up) / self.cases) if self.cases else Decimal(0)

    @property
    def share_percent(self) -> int:
        return round(self.share * 100)

    @property
    def target_percent(self) -> int:
        return round(self.campaign.target_share * 100)

    @property
    def ended(self) -> bool:
        return self.elapsed >= 1

    @property
    def behind(self) -> bool:
        """Below target at the end, or below the target's pro-rata share on the way."""
        if self.ended:
            return self.share < self.campaign.target_share
        return self.share < self.campaign.target_share * self.elapsed

    @property
    def elapsed_percent(self) -> int:
        return round(min(self.elapsed, Decimal(1)) * 100)


def campaign_progress(user, today: date) -> list[CampaignProgress]:
    visible = scoping.visible_villages(user)
    campaigns = (scoping.visible_campaigns(user).select_related("region")
                 .annotate(case_count=Count("cases", filter=Q(cases__village__in=visible)),
                           moved_up=Count("cases", filter=Q(cases__village__in=visible,
                                                            cases__outcome=Outcome.MOVED_UP)))
                 .order_by("-start"))
    result = []
    for campaign in campaigns:
        days = max((campaign.end - campaign.start).days, 1)
        elapsed = Decimal(max(min((today - campaign.start).days, days), 0)) / days
        result.append(CampaignProgress(campaign, campaign.case_count, campaign.moved_up,
                                       elapsed))
    return result


def campaign_check(user, today: date) -> Check:
    rows = campaign_progress(user, today)
    behind = [row for row in rows if row.behind]
    return Check("campaign_progress", _("Campaign progress"),
                 _("share of cases moved up reaches the campaign's target"), len(rows),
                 len(behind), rows)


def all_checks(user, *, month: str | None = None, period: str | None = None,
               today: date | None = None) -> list[Check]:
    today = today or timezone.localdate()
    month = month or last_complete_month(today)
    period = period or last_closed_half_month(today)
    return [
        instructor_days(user, month),
        leader_visits(user, month),
        department_projects(user, today),
        reserve_cadres(user, today),
        household_contacts(user),
        red_count_rule(user, period),
        campaign_check(user, today),
    ]
