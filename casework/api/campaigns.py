"""REST for the rectification work: cases, pairings, ledger items, campaigns, help teams.

Querysets come from ``villages/scoping.py``; writes go through the domain functions, whose
``NotAllowed`` becomes 403 and whose ``DomainError`` becomes 400 with the field named. Ledger
items are never deleted: there is no DELETE route (405).
"""
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from casework import visibility
from casework.api.fields import (
    BASE_PERMISSIONS,
)
from casework.models import (
    Campaign,
    Outcome,
)
from villages import scoping
from villages.models import RegionLevel


class CampaignSerializer(serializers.ModelSerializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())
    case_count = serializers.IntegerField(read_only=True)
    moved_up = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "region", "name", "start", "end", "target_share", "case_count",
                  "moved_up"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["region"].queryset = scoping.visible_regions(request.user).exclude(
                level=RegionLevel.TOWNSHIP)
        return fields

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"end": [_("A campaign ends after it starts.")]})
        region = attrs.get("region", getattr(self.instance, "region", None))
        if not scoping.can_manage_campaigns(self.context["request"].user, region):
            raise PermissionDenied(_("Only the organization department of the region runs "
                                     "its campaigns."))
        return attrs


class CampaignViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                      viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    permission_classes = BASE_PERMISSIONS

    def get_queryset(self):
        visible = scoping.visible_villages(self.request.user)
        return (visibility.campaigns(self.request.user)
                .annotate(case_count=Count("cases", filter=Q(cases__village__in=visible)),
                          moved_up=Count("cases", filter=Q(cases__village__in=visible,
                                                           cases__outcome=Outcome.MOVED_UP)))
                .order_by("-start", "pk"))

    def perform_update(self, serializer):
        if not scoping.can_manage_campaigns(self.request.user, serializer.instance.region):
            raise PermissionDenied(_("Only the organization department of the region runs "
                                     "its campaigns."))
        serializer.save()
