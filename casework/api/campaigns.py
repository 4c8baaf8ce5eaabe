"""REST for campaigns: the list with progress counts, and create/update through the domain
functions of ``casework/campaigns.py`` (their ``NotAllowed`` is a 403, a ``DomainError`` a 400
naming the field)."""

from rest_framework import mixins, serializers, viewsets

from casework import campaigns
from casework.api.fields import BASE_PERMISSIONS
from casework.models import Campaign
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


class CampaignViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                      viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    permission_classes = BASE_PERMISSIONS

    def get_queryset(self):
        return campaigns.campaign_rows(self.request.user)

    def perform_create(self, serializer):
        campaign = campaigns.create_campaign(actor=self.request.user,
                                             **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=campaign.pk)

    def perform_update(self, serializer):
        campaign = campaigns.update_campaign(actor=self.request.user,
                                             campaign=serializer.instance,
                                             **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=campaign.pk)
