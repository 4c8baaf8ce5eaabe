"""``/api/v1/villages/``: the registry's villages with their warning columns (current color and
tier), so it lives in the layer that combines the apps. Writes go to the registry."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets

from rectify.filters import VillageFilter
from rectify.villages import village_rows
from villages import registry
from villages.api import MasterDataPermission
from villages.models import Village
from villages.serializers import VillageSerializer


@extend_schema(description="Villages in the caller's region. `?region=` matches a whole subtree.")
class VillageViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                     viewsets.ReadOnlyModelViewSet):
    """Villages are merged away or deactivated, never deleted: there is no DELETE."""

    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    permission_classes = [permissions.IsAuthenticated, MasterDataPermission]

    def get_queryset(self):
        return village_rows(self.request.user)

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
