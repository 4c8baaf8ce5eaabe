"""The village list's rows: the registry's columns plus the warning columns (current color and
tier), in one SQL statement. A page of the list, its export and ``/api/v1/villages/`` all read
here, so the filters and the figures that link to them agree."""

from django.db.models import QuerySet

from earlywarning.evaluations import current_tier_subquery
from earlywarning.ratings import current_color_subquery
from villages import listing, scoping
from villages.models import Village


def with_warning_columns(villages: QuerySet[Village]) -> QuerySet[Village]:
    return listing.with_register_columns(villages).annotate(
        current_color=current_color_subquery(), current_tier=current_tier_subquery())


def village_rows(user) -> QuerySet[Village]:
    return with_warning_columns(scoping.visible_villages(user)).order_by("code")
