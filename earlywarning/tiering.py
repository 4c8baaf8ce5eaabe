"""Tiering (分类定档): rank a county's villages for a quarter and put them in class 1, 2 or 3."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from core.periods import Quarter, parse_quarter
from earlywarning.models.evaluations import Evaluation, Tier, TrackingAssignment
from villages.models import Region

# Integer arithmetic on purpose: (3N + 5) / 10 is 30% of N rounded half up, the same on every
# database, with no float or banker's rounding in between.
_TIER_SQL = """
WITH ranked AS (
    SELECT id,
           RANK() OVER (ORDER BY total DESC) AS place,
           COUNT(*) OVER (ORDER BY total ASC) AS at_or_below,
           COUNT(*) OVER () AS cohort,
           PERCENT_RANK() OVER (ORDER BY total ASC) AS share_below
    FROM {table}
    WHERE county_id = %s AND quarter = %s
)
UPDATE {table}
SET {rank} = ranked.place,
    percentile = ranked.share_below,
    tier = CASE
        WHEN ranked.place <= (3 * ranked.cohort + 5) / 10 THEN 1
        WHEN ranked.at_or_below <= (2 * ranked.cohort + 5) / 10 THEN 3
        ELSE 2
    END
FROM ranked
WHERE {table}.id = ranked.id
"""


@dataclass(frozen=True)
class TieringResult:
    county: Region
    quarter: Quarter
    villages: int
    tiers: dict[int, int]
    tracking_opened: int
    tracking_closed: int


def class_sizes(villages: int) -> tuple[int, int]:
    """How many places class 1 and class 3 have among ``villages`` before ties are resolved."""
    return (3 * villages + 5) // 10, (2 * villages + 5) // 10


@transaction.atomic
def tier_county(*, county: Region, quarter: Quarter | str) -> TieringResult:
    """Rank the county's evaluations of ``quarter`` by total and give each its tier.

    The rule (and its test, tests/earlywarning/test_tiering.py):

    - The cohort is every evaluation of the county for the quarter; N is its size.
    - Rank is the competition rank by total, highest first: 1, 2, 2, 4 — equal totals share a
      rank, and the next rank skips.
    - Class 1 has round(30% × N) places and class 3 round(20% × N), rounding halves up
      (97 villages: 29.1 → 29 and 19.4 → 19; 45 villages: 13.5 → 14 and 9).
    - Equal totals are never split across tiers. A tie straddling a line goes to the better
      class: a village is class 1 when its rank is within the class-1 places (so a tie at the
      30% line makes class 1 larger), and class 3 only when it and every village with an equal
      or lower total fit within the class-3 places (so a tie at the 20% line keeps all of them
      out of the warning zone). Everyone else is class 2.
    - Percentile is the share of the other villages with a strictly lower total (1 = best).

    Re-tiering is idempotent: it recomputes everything from the totals. If the quarter is the
    county's latest, tracking assignments follow: a class-3 village without an open one gets
    one, and an open one of a village now out of class 3 is closed.
    """
    quarter = parse_quarter(quarter)
    meta = Evaluation._meta
    sql = _TIER_SQL.format(table=connection.ops.quote_name(meta.db_table),
                           rank=connection.ops.quote_name(meta.get_field("rank").column))
    with connection.cursor() as cursor:
        cursor.execute(sql, [county.pk, str(quarter)])

    cohort = Evaluation.objects.filter(county=county, quarter=str(quarter))
    tiers = {row["tier"]: row["n"] for row in cohort.values("tier").annotate(n=Count("id"))}
    opened = closed = 0
    latest = Evaluation.objects.filter(county=county).aggregate(q=Max("quarter"))["q"]
    if latest == str(quarter):
        opened, closed = _follow_warning_zone(cohort, quarter)
    return TieringResult(county=county, quarter=quarter, villages=sum(tiers.values()),
                         tiers={tier: tiers.get(tier, 0) for tier in Tier.values},
                         tracking_opened=opened, tracking_closed=closed)


def _follow_warning_zone(cohort, quarter: Quarter) -> tuple[int, int]:
    open_assignments = TrackingAssignment.objects.filter(closed_at__isnull=True)
    closed = open_assignments.filter(
        village__in=cohort.exclude(tier=Tier.THIRD).values("village_id")
    ).update(closed_at=timezone.now(), closed_quarter=str(quarter))
    entering = cohort.filter(tier=Tier.THIRD).exclude(
        village__in=open_assignments.values("village_id")).values_list("village_id", flat=True)
    created = TrackingAssignment.objects.bulk_create(
        [TrackingAssignment(village_id=village_id, quarter=str(quarter))
         for village_id in entering])
    return len(created), closed


def tier_counties(*, quarter: Quarter | str, counties=None) -> list[TieringResult]:
    """Tier every county that has evaluations for ``quarter`` (or the given ones)."""
    quarter = parse_quarter(quarter)
    if counties is None:
        counties = Region.objects.filter(pk__in=Evaluation.objects.filter(
            quarter=str(quarter)).values("county_id")).order_by("code")
    return [tier_county(county=county, quarter=quarter) for county in counties]
