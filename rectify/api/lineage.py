"""``GET|POST /api/v1/lineage-events/``: mergers, splits and township mergers (撤乡并镇).

GET lists the events naming a village the caller sees (filters ``region``, ``village``,
``kind``, ``since``); POST makes one through ``rectify.lineage.make_event`` (county staff over
every village involved): 201 with the event, 400 naming the field, 403 for other roles. Events
are never changed or deleted (PUT, PATCH, DELETE: 405)."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from casework.api.fields import BASE_PERMISSIONS, ScopedVillageField, StrictQueryMixin
from casework.filters import RegionFilter
from casework.models import CarriedWork
from rectify import lineage
from villages import lineage as villages_lineage
from villages import scoping
from villages.lineage import NewVillage
from villages.models import LineageEvent, LineageKind, LineageLink, LineageRole, RegionLevel


# A plain (non-model) serializer gives the schema generator no model to read these ids from.
@extend_schema_field(OpenApiTypes.INT)
class VillageIdField(ScopedVillageField):
    """A village id the caller may see."""


@extend_schema_field(OpenApiTypes.INT)
class TownshipField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scoping.visible_regions(self.context["request"].user).filter(
            level=RegionLevel.TOWNSHIP)


class NewVillageSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)
    name = serializers.CharField(max_length=50)
    township = TownshipField()


class LineageInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineageKind.choices)
    effective_date = serializers.DateField()
    # Blank is the domain's to refuse, with its own message naming the field.
    document_number = serializers.CharField(max_length=60, allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    predecessors = VillageIdField(many=True, required=False)
    successors = VillageIdField(many=True, required=False)
    new_villages = NewVillageSerializer(many=True, required=False)
    carried_to = serializers.CharField(max_length=12, required=False, allow_blank=True,
                                       help_text="Split: the code of the successor that takes "
                                                 "over the open work.")
    from_township = TownshipField(required=False, allow_null=True)
    to_township = TownshipField(required=False, allow_null=True)
    villages = VillageIdField(many=True, required=False,
                                  help_text="Township merger: the villages that move (default: "
                                            "every active village).")

    def arguments(self) -> dict:
        data = dict(self.validated_data)
        data["new_villages"] = [NewVillage(**row) for row in data.get("new_villages", [])]
        return data


class LinkedVillageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="village.pk")
    code = serializers.CharField(source="village.code")
    name = serializers.CharField(source="village.name")
    retired = serializers.BooleanField()
    created = serializers.BooleanField()


class CarriedSerializer(serializers.ModelSerializer):
    class Meta:
        model = CarriedWork
        fields = ["from_village", "to_village", "case", "ledger_item", "pairing", "old_number",
                  "ended"]


class LineageEventSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name")
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()
    moved = serializers.SerializerMethodField()
    made_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    carried = CarriedSerializer(source="carried_work", many=True, read_only=True)

    class Meta:
        model = LineageEvent
        fields = ["id", "kind", "county", "county_name", "effective_date", "document_number",
                  "reason", "predecessors", "successors", "moved", "carried_to",
                  "from_township", "to_township", "made_by", "made_at", "carried"]

    def _side(self, event, role) -> list[dict]:
        links = [link for link in event.links.all() if link.role == role]
        return LinkedVillageSerializer(links, many=True).data

    @extend_schema(responses=LinkedVillageSerializer(many=True))
    def get_predecessors(self, event) -> list[dict]:
        return self._side(event, LineageRole.PREDECESSOR)

    @extend_schema(responses=LinkedVillageSerializer(many=True))
    def get_successors(self, event) -> list[dict]:
        return self._side(event, LineageRole.SUCCESSOR)

    @extend_schema(responses=LinkedVillageSerializer(many=True))
    def get_moved(self, event) -> list[dict]:
        return self._side(event, LineageRole.MOVED)


def _regions(request):
    return scoping.visible_regions(request.user if request else None)


class LineageEventFilter(django_filters.FilterSet):
    region = RegionFilter(queryset=_regions, method="in_region",
                          help_text="Any region: events naming a village in its subtree.")
    village = django_filters.NumberFilter(method="naming_village")
    kind = django_filters.ChoiceFilter(choices=LineageKind.choices)
    since = django_filters.IsoDateTimeFilter(field_name="made_at", lookup_expr="gte",
                                             help_text="ISO time: events recorded at or after.")

    class Meta:
        model = LineageEvent
        fields = ["region", "village", "kind", "since"]

    def in_region(self, queryset, name, region):
        return queryset.filter(pk__in=LineageLink.objects.filter(
            village__township__path__startswith=region.path).values("event_id"))

    def naming_village(self, queryset, name, value):
        return queryset.filter(pk__in=LineageLink.objects.filter(village__pk=value)
                               .values("event_id"))


@extend_schema(description="Village lineage: mergers, splits and township mergers (撤乡并镇), "
                           "made by the county; never changed afterwards.")
class LineageEventViewSet(StrictQueryMixin, mixins.CreateModelMixin,
                          viewsets.ReadOnlyModelViewSet):
    serializer_class = LineageEventSerializer
    filterset_class = LineageEventFilter
    permission_classes = BASE_PERMISSIONS

    def get_queryset(self):
        return (villages_lineage.visible_events(self.request.user)
                .select_related("county", "made_by")
                .prefetch_related(
                    Prefetch("links", LineageLink.objects.select_related("village")
                             .order_by("role", "village_id")),
                    Prefetch("carried_work", CarriedWork.objects.order_by("pk")))
                .order_by("-effective_date", "-pk"))

    @extend_schema(request=LineageInputSerializer, responses={201: LineageEventSerializer})
    def create(self, request, *args, **kwargs):
        body = LineageInputSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        event = lineage.make_event(actor=request.user, **body.arguments())
        return Response(self.get_serializer(self.get_queryset().get(pk=event.pk)).data,
                        status=status.HTTP_201_CREATED)
