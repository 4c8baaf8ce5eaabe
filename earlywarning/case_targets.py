"""The warning facts the rectification work asks for (``casework/targets.py``): which villages a
case may be opened for, putting an opened case's village on the roster, and what shows that a
village moved up."""

from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import CaseSource
from core.periods import HalfMonth
from earlywarning import roster
from earlywarning.models import (
    Color,
    DecisionAction,
    RatingStatus,
    RosterDecision,
    Tier,
    WarningRating,
)
from earlywarning.models.ratings import COLOR_RANK
from villages.models import AnnualGrade, Grade, Village

# Lower is better for grades too: 好 0 … 较差 3.
GRADE_RANK = {Grade.GOOD: 0, Grade.FAIRLY_GOOD: 1, Grade.AVERAGE: 2, Grade.POOR: 3}


class WarningFacts:
    def targets(self, villages: QuerySet[Village], source: str) -> QuerySet[Village]:
        if source == CaseSource.RATING:
            latest = WarningRating.objects.filter(
                village=OuterRef("pk"), status=RatingStatus.SUBMITTED).order_by("-period")
            return villages.annotate(latest_color=Subquery(latest.values("color")[:1])).filter(
                latest_color=Color.RED)
        if source == CaseSource.TIER:
            tier = roster.approved_evaluation(OuterRef("pk"), timezone.now())
            return villages.annotate(approved_tier=Subquery(tier.values("tier")[:1])).filter(
                approved_tier=Tier.THIRD)
        if source == CaseSource.ROSTER:
            return villages.filter(pk__in=RosterDecision.objects.filter(
                ended_at__isnull=True, action=DecisionAction.ADD).values("village_id"))
        return villages.none()

    def case_opened(self, case) -> None:
        roster.note_open_case(case=case)

    def moved_up_evidence(self, case) -> list[str]:
        opened = case.opened_at
        return [line for line in (_color_held(case.village_id, opened),
                                  _tier_better(case.village, opened),
                                  _grade_better(case.village_id, opened)) if line]


def _color_held(village_id: int, opened: datetime) -> str:
    """The two latest submitted half-months are consecutive and both better than the color the
    village had when the case opened."""
    since = HalfMonth.containing(timezone.localdate(opened))
    ratings = WarningRating.objects.filter(village_id=village_id, status=RatingStatus.SUBMITTED)
    before = (ratings.filter(period__lte=str(since)).order_by("-period")
              .values_list("color", flat=True).first())
    latest = list(ratings.filter(period__gt=str(since)).order_by("-period")
                  .values_list("period", "color")[:2])
    if before is None or len(latest) < 2:
        return ""
    (last, last_color), (previous, previous_color) = latest
    if str(HalfMonth.parse(last).previous()) != previous:
        return ""
    worst = max(COLOR_RANK[Color(last_color)], COLOR_RANK[Color(previous_color)])
    if worst >= COLOR_RANK[Color(before)]:
        return ""
    return _("Color %(before)s when the case opened, %(first)s in %(p1)s and %(second)s in "
             "%(p2)s") % {"before": Color(before).label, "first": Color(previous_color).label,
                          "p1": previous, "second": Color(last_color).label, "p2": last}


def _tier_at(village: Village, moment: datetime) -> tuple[str, int] | None:
    found = (roster.approved_evaluation(village.pk, moment)
             .values_list("quarter", "tier").first())
    return found if found and found[1] else None


def _tier_better(village: Village, opened: datetime) -> str:
    then, now = _tier_at(village, opened), _tier_at(village, timezone.now())
    if then is None or now is None or now[0] <= then[0] or now[1] >= then[1]:
        return ""
    return _("Tier %(then)s in %(q1)s, tier %(now)s in the approved quarter %(q2)s") % {
        "then": Tier(then[1]).label, "q1": then[0], "now": Tier(now[1]).label, "q2": now[0]}


def _grade_better(village_id: int, opened: datetime) -> str:
    grades = AnnualGrade.objects.filter(branch__village_id=village_id).order_by("-year")
    then = (grades.filter(year__lte=roster.latest_grade_year(opened) or 0)
            .values_list("year", "grade").first())
    now = grades.values_list("year", "grade").first()
    if then is None or now is None or now[0] <= then[0]:
        return ""
    if GRADE_RANK[Grade(now[1])] >= GRADE_RANK[Grade(then[1])]:
        return ""
    return _("Graded %(then)s for %(y1)s, %(now)s for %(y2)s") % {
        "then": Grade(then[1]).label, "y1": then[0], "now": Grade(now[1]).label, "y2": now[0]}
