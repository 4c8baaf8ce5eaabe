"""``/api/v1/villages/``: the registry's villages with their warning columns (current color and
tier), so it lives in the layer that combines the apps. Writes go to the registry."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.renderers import BrowsableAPIRenderer

from core.filters import ALWAYS_ALLOWED
from core.renderers import FastJSONRenderer
from rectify.filters import VillageFilter
from rectify.villages import village_rows
from villages import registry
from villages.api import MasterDataPermission
from villages.models import Village
from villages.serializers import LIST_COLUMNS, VillageSerializer, list_rows


class _CountedRows:
    """A page's rows from one queryset and the count from another: the rows' names join the
    township, county and branch, which the count does not need (it was twice as slow)."""

    def __init__(self, rows, counted):
        self.rows, self.counted, self.ordered = rows, counted, rows.ordered

    def count(self) -> int:
        return self.counted.count()

    def __getitem__(self, index):
        return self.rows[index]


@extend_schema(description="Villages in the caller's region. `?region=` matches a whole subtree.")
class VillageViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                     viewsets.ReadOnlyModelViewSet):
    """Villages are merged away or deactivated, never deleted: there is no DELETE."""

    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    permission_classes = [permissions.IsAuthenticated, MasterDataPermission]
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]

    def get_queryset(self):
        return village_rows(self.request.user)

    def filter_queryset(self, queryset):
        # With nothing but pagination in the query the FilterSet changes nothing, and building
        # it (its form, the scoped region choices) cost a sixth of a small page's time. Any
        # other parameter goes through the backend, which refuses the ones it does not know.
        if self.request.query_params.keys() - ALWAYS_ALLOWED:
            return super().filter_queryset(queryset)
        return queryset

    def list(self, request, *args, **kwargs):
        # Up to 500 rows a page: plain tuples and orjson, not a model and a serializer per row
        # (villages/serializers.py, LIST_COLUMNS). Same keys and formats as the serializer.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(_CountedRows(queryset.values_list(*LIST_COLUMNS), queryset))
        return self.get_paginated_response(list_rows(page))

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer):
        village = serializer.instance or Village()
        for field, value in serializer.validated_data.items():
            setattr(village, field, value)
        serializer.instance = registry.save_village(actor=self.request.user, village=village)
        # Re-read so the response carries the same annotated columns as a GET.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)
