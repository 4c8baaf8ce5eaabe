from django.db.models import Prefetch
from rest_framework import permissions, viewsets

from villages import scoping
from villages.models import AnnualGrade, PartyBranch
from villages.serializers import PartyBranchSerializer, RegionSerializer


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


class PartyBranchViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PartyBranchSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return (PartyBranch.objects.filter(village__in=scoping.visible_villages(self.request.user))
                .select_related("village")
                .prefetch_related(Prefetch("grades", AnnualGrade.objects.order_by("-year")))
                .order_by("village__code"))
