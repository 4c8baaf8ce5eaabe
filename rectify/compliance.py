"""Compliance checks from the report, computed from the data in SQL.

Each check is one aggregate statement for its figures (checked, breaches) plus, where a page
lists them, one statement for the breaching rows: a constant number of queries whatever the
number of villages. The dashboard shows the figures, ``/compliance/`` the rows.

- instructor_days: a stationed instructor spends ≥ 20 days a month in the village (posts).
- leader_visits: a paired leader visits ≥ 1 time a month (active leader pairings).
- department_projects: a paired department delivers 1–2 projects; a breach is none yet.
- reserve_cadres: 2–3 reserve cadres per village with an open case; a breach is fewer than 2.
- household_contacts: each party member contacts ≥ 10 households.
- red_count: Shangyu — a township's red-warned villages must not increase from one month to the
  next (``earlywarning/shangyu.py``, the rule's one home).
- campaign_progress: a campaign's share of cases moved up reaches its target (pro rata on the
  way, in full at the end).
"""

from dataclasses import dataclass, field
from datetime import date

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

from casework import campaigns
from casework import visibility as casework_visibility
from casework.models import (
    OPEN_CASE_STATUSES,
    Case,
    HouseholdContact,
    PairingKind,
    Project,
    Visit,
)
from casework.standards import (
    DEPARTMENT_MIN_PROJECTS,
    HOUSEHOLDS_MIN,
    INSTRUCTOR_MIN_DAYS,
    LEADER_MIN_VISITS,
    RESERVE_MIN,
)
from core.periods import HalfMonth, Month
from earlywarning import shangyu
from earlywarning import visibility as earlywarning_visibility
from villages import scoping
from villages.models import Post, PostAssignment


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
    pairings = (_active_in(casework_visibility.pairings(user).filter(kind=PairingKind.LEADER),
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
    pairings = (_active_in(casework_visibility.pairings(user).filter(kind=PairingKind.DEPARTMENT),
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


def red_count_rule(user, month: str) -> Check:
    """The Shangyu rule for ``month`` over the townships the user can see (``shangyu.py``: the
    one definition the bulletin and the dashboard use too). Rows: the townships whose count
    rose."""
    rows = shangyu.red_counts(earlywarning_visibility.roster_entries(user), Month.parse(month))
    breaching = [row for row in rows if row.increased]
    return Check("red_count", _("Red-warned villages per township (Shangyu rule)"),
                 _("a township whose red-warned villages increase loses award eligibility"),
                 len(rows), len(breaching), breaching)


def campaign_check(progress: list[campaigns.CampaignProgress]) -> Check:
    behind = [row for row in progress if row.behind]
    return Check("campaign_progress", _("Campaign progress"),
                 _("share of cases moved up reaches the campaign's target"), len(progress),
                 len(behind), progress)


def all_checks(user, *, month: str | None = None, today: date | None = None,
               progress: list[campaigns.CampaignProgress] | None = None) -> list[Check]:
    """Every check, for ``/compliance/`` (with rows) and the dashboard (figures only). Pass
    ``progress`` when the page already has the campaigns' progress."""
    today = today or timezone.localdate()
    month = month or last_complete_month(today)
    if progress is None:
        progress = campaigns.campaign_progress(user, today)
    return [
        instructor_days(user, month),
        leader_visits(user, month),
        department_projects(user, today),
        reserve_cadres(user, today),
        household_contacts(user),
        red_count_rule(user, month),
        campaign_check(progress),
    ]
