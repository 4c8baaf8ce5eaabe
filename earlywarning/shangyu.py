"""The Shangyu rule (红色预警村不减反增), in one place: the bulletin, the compliance page and the
dashboard all call ``red_counts``.

The rule (domain.md): a township's red count for month M is the number of its villages on M's
warning roster (either half-month, not removed) whose rating for M is red — the submitted rating
of M's second half-month, else of its first. If the count for M is greater than for M−1, the
township loses award eligibility for the year and talks (约谈) fall due. A township with no
submitted rating in M−1 has no baseline and is never flagged; equal counts are not an increase.

Worked example: ratings Oct-H1 red, Oct-H2 red, Nov-H1 yellow, Nov-H2 red for one village →
October's count is 1 (H2 red), November's is 1 (H2 red): not an increase, nobody is flagged.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from core.periods import Month
from earlywarning import roster
from earlywarning.models import Color, RatingStatus, RosterEntry, WarningRating
from villages.models import Region


@dataclass(frozen=True)
class RedCount:
    township: Region
    month: str
    red: int
    red_before: int | None  # None: no rating at all in the month before, so no baseline

    @property
    def increased(self) -> bool:
        return self.red_before is not None and self.red > self.red_before


def month_color(month: Month, village_ref="village_id") -> Subquery:
    """A village's color for ``month``: its submitted rating of the second half, else the
    first."""
    h1, h2 = (str(half) for half in month.halves())
    return Subquery(WarningRating.objects.filter(
        village=OuterRef(village_ref), period__in=[h1, h2], status=RatingStatus.SUBMITTED)
        .order_by("-period").values("color")[:1])


def _per_township(entries: QuerySet[RosterEntry], month: Month) -> dict[int, tuple[int, int]]:
    """{township id: (red villages, rated villages)} for ``month``, one grouped statement."""
    h1, h2 = (str(half) for half in month.halves())
    rows = (entries.filter(period__in=[h1, h2], removed_at__isnull=True)
            .annotate(color=month_color(month))
            .values("township")
            .annotate(red=Count("village_id", distinct=True, filter=Q(color=Color.RED)),
                      rated=Count("village_id", distinct=True, filter=Q(color__isnull=False)))
            .order_by())
    return {row["township"]: (row["red"], row["rated"]) for row in rows}


def red_counts(entries: QuerySet[RosterEntry], month: Month) -> list[RedCount]:
    """The red counts of every township with a roster entry among ``entries`` (already narrowed
    to a region and to what the caller may see) for ``month``, with the month before as its
    baseline; the townships whose count rose first. Three statements (and the months' rosters
    made first, if nobody had asked for them yet)."""
    roster.ensure_all([*month.previous().halves(), *month.halves()])
    now = _per_township(entries, month)
    before = _per_township(entries, month.previous())
    townships = Region.objects.filter(pk__in=set(now) | set(before)).select_related("parent")
    counts = []
    for township in townships:
        red, _rated = now.get(township.pk, (0, 0))
        red_before, rated_before = before.get(township.pk, (0, 0))
        counts.append(RedCount(township, str(month), red,
                               red_before if rated_before else None))
    return sorted(counts, key=lambda c: (not c.increased, -(c.red - (c.red_before or 0)),
                                         c.township.path))


def in_region(region: Region) -> QuerySet[RosterEntry]:
    """Roster entries of the townships under ``region`` (as they were in each period)."""
    return RosterEntry.objects.filter(township__path__startswith=region.path)
