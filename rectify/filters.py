"""Filters for the village list, shared by the HTML page, the export and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from earlywarning.models.evaluations import Tier
from earlywarning.models.ratings import Color
from villages import scoping
from villages.models import Grade, RegionLevel, Terrain, Village


def _regions(level=None):
    def queryset(request):
        regions = scoping.visible_regions(request.user if request else None)
        return regions.filter(level=level) if level else regions

    return queryset


class VillageFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=_regions(), method="in_subtree",
        help_text=_("Any region: matches every village in its subtree."))
    county = django_filters.ModelChoiceFilter(
        label=_("County"), queryset=_regions(RegionLevel.COUNTY), method="in_subtree")
    township = django_filters.ModelChoiceFilter(
        label=_("Township"), queryset=_regions(RegionLevel.TOWNSHIP))
    annual_grade = django_filters.ChoiceFilter(label=_("Annual grade"), choices=Grade.choices)
    terrain = django_filters.ChoiceFilter(label=_("Terrain"), choices=Terrain.choices)
    color = django_filters.ChoiceFilter(label=_("Warning color"), choices=Color.choices,
                                        field_name="current_color")
    is_active = django_filters.BooleanFilter(label=_("Active"))
    tier = django_filters.TypedChoiceFilter(
        label=_("Tier"), choices=Tier.choices, coerce=int, field_name="current_tier",
        help_text=_("The tier of the village's latest quarterly evaluation."))
    search = django_filters.CharFilter(label=_("Search"), method="by_name_or_code",
                                       help_text=_("Part of the name, or the start of the code."))

    class Meta:
        model = Village
        fields = ["region", "county", "township", "annual_grade", "color", "terrain", "is_active",
                  "tier", "search"]

    # The schema cannot tell a region id from a filter method; without this it says "string".
    @extend_schema_field(OpenApiTypes.INT)
    def in_subtree(self, queryset, name, region):
        return queryset.filter(township__path__startswith=region.path)

    def by_name_or_code(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))
