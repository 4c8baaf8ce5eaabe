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


def backward_villages(user) -> QuerySet[Village]:
    """后进村: villages whose latest annual grade is 较差 (poor), with the list row's columns —
    the village list's ``?annual_grade=poor`` is this same filter, so the counts agree."""
    return with_register_columns(scoping.visible_villages(user)).filter(annual_grade=Grade.POOR)


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
    latest = AnnualGrade.objects.filter(branch__village=OuterRef("pk")).order_by("-year")
    rows = (scoping.visible_villages(user).filter(township__path__startswith=region.path)
            .annotate(annual_grade=Subquery(latest.values("grade")[:1]))
            .values(group).annotate(total=Count("id"),
                                    backward=Count("id", filter=Q(annual_grade=Grade.POOR)))
            .order_by())
    counts = {row[group]: row for row in rows}
    return [
        RegionRow(child, counts.get(child.pk, {}).get("total", 0),
                  counts.get(child.pk, {}).get("backward", 0))
        for child in scoping.visible_regions(user).filter(parent=region).order_by("code")
    ]
