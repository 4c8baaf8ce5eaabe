"""Filters for the case, ledger and points lists, shared by the HTML pages, the exports and the
API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from casework import visibility
from casework.models import (
    CaseStatus,
    LedgerStatus,
    PairingKind,
    ProblemType,
)
from core.filters import SinceFilter
from core.periods import MAX_YEAR, MIN_YEAR
from villages import scoping
from villages.models import RegionLevel


def _townships(request):
    return scoping.visible_regions(request.user if request else None).filter(
        level=RegionLevel.TOWNSHIP)


def _regions(request):
    return scoping.visible_regions(request.user if request else None)


def _campaigns(request):
    return visibility.campaigns(request.user if request else None)


@extend_schema_field(OpenApiTypes.INT)
class RegionFilter(django_filters.ModelChoiceFilter):
    """A region id; matches every village in its subtree."""


class _ScopedFilter(django_filters.FilterSet):
    region = RegionFilter(
        label=_("Region"), queryset=_regions, method="in_subtree",
        help_text=_("Any region: matches every village in its subtree."))
    township = django_filters.ModelChoiceFilter(label=_("Township"), queryset=_townships,
                                                field_name="village__township")
    search = django_filters.CharFilter(label=_("Village"), method="by_village",
                                       help_text=_("Part of the name, or the start of the code."))

    def in_subtree(self, queryset, name, region):
        return queryset.filter(village__township__path__startswith=region.path)

    def by_village(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(village__name__icontains=value)
                               | Q(village__code__startswith=value))


class CaseFilter(_ScopedFilter):
    since = SinceFilter("updated_at")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CaseStatus.choices)
    problem_type = django_filters.ModelChoiceFilter(
        label=_("Problem type"), queryset=ProblemType.objects.all(), to_field_name="code",
        field_name="problem_types")
    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"), queryset=_campaigns)
    open = django_filters.BooleanFilter(label=_("Open"), method="only_open")

    def only_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (queryset.exclude(status=CaseStatus.CLOSED) if value
                else queryset.filter(status=CaseStatus.CLOSED))


class LedgerFilter(_ScopedFilter):
    since = SinceFilter("updated_at")
    problem_type = django_filters.ModelChoiceFilter(
        label=_("Type"), queryset=ProblemType.objects.all(), to_field_name="code")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LedgerStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"))
    case = django_filters.NumberFilter(label=_("Case"), field_name="case")


class PairingFilter(_ScopedFilter):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PairingKind.choices)


# --- Points (积分制) ------------------------------------------------------------------------------


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PointsFilter(django_filters.FilterSet):
    """The yearly points summary (HTML and Excel): a year, a region, part of a name."""

    year = YearFilter(label=_("Year"), method="in_year", min_value=MIN_YEAR, max_value=MAX_YEAR)
    region = RegionFilter(
        label=_("Region"), queryset=_regions, method="in_subtree",
        help_text=_("Any region: matches every village in its subtree."))
    search = django_filters.CharFilter(label=_("Name"), field_name="person__name",
                                       lookup_expr="icontains")

    def in_year(self, queryset, name, value):
        return queryset.filter(period__startswith=f"{value:04d}-")

    def in_subtree(self, queryset, name, region):
        return queryset.filter(village__township__path__startswith=region.path)


class PointsEntryFilter(PointsFilter):
    """``/api/v1/points-entries/``: the summary's filters, a person and a change time."""

    person = django_filters.NumberFilter(label=_("Person"), field_name="person")
    since = django_filters.IsoDateTimeFilter(
        label=_("Recorded since"), field_name="recorded_at", lookup_expr="gte",
        help_text=_("ISO time: entries recorded at or after it."))
