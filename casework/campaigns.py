"""Campaigns (e.g. 余姚市's 百日集中整转): their progress, cases moved up against the target."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from casework import visibility
from casework.models import Outcome
from villages import scoping


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
    campaigns = (visibility.campaigns(user).select_related("region")
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
