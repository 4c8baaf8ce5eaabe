from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import PermissionDenied

from villages import listing, registry, scoping
from villages.filters import VillageFilter
from villages.models import AnnualGrade, PartyBranch, Village
from villages.serializers import PartyBranchSerializer, RegionSerializer, VillageSerializer


class MasterDataPermission(permissions.BasePermission):
    """Anyone signed in reads what scoping shows them; only staff write, inside their scope."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return scoping.can_manage_master_data(request.user)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    filterset_fields = ["level", "parent", "code"]

    def get_queryset(self):
        return scoping.visible_regions(self.request.user)


@extend_schema(description="Villages in the caller's region. `?region=` matches a whole subtree.")
class VillageViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                     viewsets.ReadOnlyModelViewSet):
    """Villages are merged away or deactivated, never deleted: there is no DELETE."""

    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    permission_classes = [permissions.IsAuthenticated, MasterDataPermission]

    def get_queryset(self):
        return listing.village_rows(self.request.user)

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer):
        village = serializer.instance or Village()
        for field, value in serializer.validated_data.items():
            setattr(village, field, value)
        try:
            serializer.instance = registry.save_village(actor=self.request.user, village=village)
        except registry.NotAllowed as error:
            raise PermissionDenied(error.message) from None
        # Re-read so the response carries the same annotated columns as a GET.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class PartyBranchViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PartyBranchSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return (PartyBranch.objects.filter(village__in=scoping.visible_villages(self.request.user))
                .select_related("village")
                .prefetch_related(Prefetch("grades", AnnualGrade.objects.order_by("-year")))
                .order_by("village__code"))
