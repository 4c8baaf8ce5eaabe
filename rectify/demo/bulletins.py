"""Demo bulletins: 上虞市, 诸暨市 and 绍兴市 published for 2025-12 … 2026-10, each built and
published as the department would have on the 1st of the following month, and a draft of the
latest month. Regions and months that already have a bulletin are left alone, so a second
``load_demo`` adds nothing."""

from datetime import datetime, time

from django.utils import timezone

from earlywarning import bulletins
from earlywarning.models.bulletins import Bulletin
from villages.models import Region

REGIONS = ("上虞市", "诸暨市", "绍兴市")
FIRST, LAST_PUBLISHED = bulletins.Month(2025, 12), bulletins.Month(2026, 10)


def _months():
    month, months = LAST_PUBLISHED, []
    while month >= FIRST:
        months.insert(0, month)
        month = month.previous()
    return months


def build_bulletins(builder) -> None:
    regions = Region.objects.filter(name__in=REGIONS, level__in=bulletins.BULLETIN_LEVELS)
    done = set(Bulletin.objects.filter(region__in=regions).values_list("region_id", "month"))
    today = timezone.localdate()
    for region in regions:
        for month in _months():
            if (region.pk, str(month)) in done or month.is_future(today):
                continue
            following = month.next_start()
            now = timezone.make_aware(datetime.combine(following, time(6, 0)))
            draft = bulletins.build_draft(actor=None, region=region, month=month, now=now)
            bulletins.publish(actor=None, bulletin=draft, now=now)
        latest = bulletins.Month.containing(today)
        if (region.pk, str(latest)) not in done:
            bulletins.build_draft(actor=None, region=region, month=latest)
