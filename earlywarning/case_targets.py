"""The warning facts a case may be opened from (``casework/targets.py`` asks for them): a red
submitted rating, or class 3 in the village's latest tiered quarter."""

from django.db.models import OuterRef, QuerySet, Subquery

from casework.models import CaseSource
from earlywarning.models import Color, Evaluation, RatingStatus, Tier, WarningRating
from villages.models import Village


class WarningFacts:
    def targets(self, villages: QuerySet[Village], source: str) -> QuerySet[Village]:
        if source == CaseSource.RATING:
            latest = WarningRating.objects.filter(
                village=OuterRef("pk"), status=RatingStatus.SUBMITTED).order_by("-period")
            return villages.annotate(latest_color=Subquery(latest.values("color")[:1])).filter(
                latest_color=Color.RED)
        if source == CaseSource.TIER:
            latest = Evaluation.objects.filter(village=OuterRef("pk"), tier__isnull=False
                                               ).order_by("-quarter")
            return villages.annotate(latest_tier=Subquery(latest.values("tier")[:1])).filter(
                latest_tier=Tier.THIRD)
        return villages.none()
