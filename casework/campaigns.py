"""Campaigns (e.g. 余姚市's 百日集中整转): running one, and its progress — cases moved up against
the target share."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from casework import visibility
from casework.models import Campaign, Outcome
from core.errors import DomainError, NotAllowed
from villages import scoping
from villages.models import Region, RegionLevel

EDITABLE = ("region", "name", "start", "end", "target_share")


def _require_rights(actor, region: Region) -> None:
    if not scoping.can_manage_campaigns(actor, region):
        raise NotAllowed(_("Only the organization department of the region runs its "
                           "campaigns."))


def _save(actor, campaign: Campaign) -> Campaign:
    """Validate the campaign's meaning and store it; the history records ``actor``."""
    if campaign.region.level == RegionLevel.TOWNSHIP:
        raise DomainError(_("A campaign belongs to a county or a city."), field="region")
    if campaign.start and campaign.end and campaign.end <= campaign.start:
        raise DomainError(_("A campaign ends after it starts."), field="end")
    campaign.name = (campaign.name or "").strip()
    try:
        campaign.full_clean(exclude=["region"], validate_unique=False,
                            validate_constraints=False)
    except ValidationError as error:
        field = next(iter(error.message_dict))
        raise DomainError(" ".join(error.message_dict[field]), field=field) from None
    campaign._history_user = actor
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise DomainError(_("The region already has a campaign of this name starting that "
                            "day."), field="name") from None
    return campaign


@transaction.atomic
def create_campaign(*, actor, region: Region, name: str, start: date, end: date,
                    target_share: Decimal = Decimal("0.80")) -> Campaign:
    """A campaign of ``region`` (a county or city), run by the staff over it."""
    _require_rights(actor, region)
    return _save(actor, Campaign(region=region, name=name, start=start, end=end,
                                 target_share=target_share))


@transaction.atomic
def update_campaign(*, actor, campaign: Campaign, **changes) -> Campaign:
    """Change a campaign's region, name, dates or target; the staff over both the old and the
    new region may."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(fields)s.")
                          % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    _require_rights(actor, campaign.region)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    for name, value in changes.items():
        setattr(campaign, name, value)
    _require_rights(actor, campaign.region)
    return _save(actor, campaign)


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


def campaign_rows(user) -> QuerySet[Campaign]:
    """The campaigns a user may see, each with its cases and the cases moved up among the
    villages the user may see (the progress page and the API count them alike)."""
    visible = scoping.visible_villages(user)
    return (visibility.campaigns(user).select_related("region")
            .annotate(case_count=Count("cases", filter=Q(cases__village__in=visible)),
                      moved_up=Count("cases", filter=Q(cases__village__in=visible,
                                                       cases__outcome=Outcome.MOVED_UP)))
            .order_by("-start", "pk"))


def campaign_progress(user, today: date) -> list[CampaignProgress]:
    campaigns = campaign_rows(user)
    result = []
    for campaign in campaigns:
        days = max((campaign.end - campaign.start).days, 1)
        elapsed = Decimal(max(min((today - campaign.start).days, days), 0)) / days
        result.append(CampaignProgress(campaign, campaign.case_count, campaign.moved_up,
                                       elapsed))
    return result
