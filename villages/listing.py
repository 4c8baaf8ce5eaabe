"""Reads of the village register, built once for every screen and the API.

Each function returns a queryset that a page can slice without further queries: the township,
county, party branch, the branch's latest annual grade and the current secretary are joined or
annotated in the same SQL statement.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from villages import scoping
from villages.models import (
    AnnualGrade,
    Grade,
    Post,
    PostAssignment,
    Region,
    RegionLevel,
    Village,
)


def latest_grade_year() -> int | None:
    return AnnualGrade.objects.latest_year()


def with_register_columns(villages: QuerySet[Village]) -> QuerySet[Village]:
    """Add the registry's part of a list row: places, branch, latest grade (and its year),
    secretary. The warning columns are added above (``rectify/villages.py``)."""
    latest = AnnualGrade.objects.filter(branch__village=OuterRef("pk")).order_by("-year")
    secretary = PostAssignment.objects.current(timezone.localdate()).filter(
        village=OuterRef("pk"), post=Post.SECRETARY).order_by("-start")
    return villages.select_related("township__parent", "party_branch").annotate(
        annual_grade=Subquery(latest.values("grade")[:1]),
        annual_grade_year=Subquery(latest.values("year")[:1]),
        secretary_name=Subquery(secretary.values("person__name")[:1]),
    )


def backward_villages(user, year: int | None = None) -> QuerySet[Village]:
    """后进村: villages whose branch is graded 较差 (poor) for the latest graded year."""
    year = year or latest_grade_year()
    return scoping.visible_villages(user).filter(
        party_branch__grades__year=year, party_branch__grades__grade=Grade.POOR)


@dataclass(frozen=True)
class RegionRow:
    region: Region
    villages: int
    backward: int


def region_summary(user, region: Region) -> list[RegionRow]:
    """Village and backward-village counts for each child of ``region``, in one grouped query."""
    group = {RegionLevel.CITY: "township__parent", RegionLevel.COUNTY: "township"}.get(
        region.level)
    if group is None:
        return []
    year = latest_grade_year()
    poor = Q(party_branch__grades__year=year, party_branch__grades__grade=Grade.POOR)
    rows = (scoping.visible_villages(user).filter(township__path__startswith=region.path)
            .values(group).annotate(total=Count("id", distinct=True),
                                    backward=Count("id", filter=poor, distinct=True)))
    counts = {row[group]: row for row in rows}
    return [
        RegionRow(child, counts.get(child.pk, {}).get("total", 0),
                  counts.get(child.pk, {}).get("backward", 0))
        for child in scoping.visible_regions(user).filter(parent=region).order_by("code")
    ]
