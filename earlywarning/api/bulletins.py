"""Monthly bulletins over REST: list, detail (ETag/304), build, publish, correct.

A published bulletin's detail is its stored snapshot, served as is; it never changes, so its
ETag is fixed by id, revision and publication time.
"""

import django_filters
from django.db.models import TextField
from django.db.models.functions import Cast, Coalesce
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.errors import DomainError
from core.filters import SinceFilter
from earlywarning import bulletins, visibility
from earlywarning.models.bulletins import Bulletin, BulletinStatus
from villages import scoping


class BulletinSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Bulletin
        fields = ["id", "region", "region_name", "month", "revision", "status", "generated_at",
                  "published_at", "corrects", "correction_reason", "summary"]


class BuildSerializer(serializers.Serializer):
    region = serializers.IntegerField(min_value=1)
    month = serializers.CharField(max_length=20)


class CorrectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class BulletinFilter(django_filters.FilterSet):
    region = django_filters.NumberFilter(field_name="region")
    month = django_filters.CharFilter(method="by_month")
    status = django_filters.ChoiceFilter(choices=BulletinStatus.choices)
    since = SinceFilter("changed_at")

    class Meta:
        model = Bulletin
        fields = ["region", "month", "status", "since"]

    def by_month(self, queryset, name, value):
        try:
            return queryset.filter(month=str(bulletins.Month.parse(value)))
        except DomainError as error:
            raise ValidationError(error.as_dict()) from None


def etag(bulletin: Bulletin) -> str:
    moment = bulletin.published_at if bulletin.is_published else bulletin.generated_at
    return f'"bulletin-{bulletin.pk}-r{bulletin.revision}-{bulletin.status}-{moment.timestamp()}"'


def _matches(header: str, tag: str) -> bool:
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or tag in tags


@extend_schema(description="Monthly warning bulletins. API clients see published ones only; "
                           "published bulletins never change.")
class BulletinViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BulletinSerializer
    filterset_class = BulletinFilter

    def get_queryset(self):
        # A bulletin changes when it is built (generated_at) and when it is published.
        queryset = (visibility.bulletins(self.request.user).select_related("region")
                    .annotate(changed_at=Coalesce("published_at", "generated_at"))
                    .order_by("-month", "region__code", "-revision", "pk"))
        if self.action == "list":
            queryset = queryset.defer("snapshot")
        elif self.action == "retrieve":
            # The ETag needs neither; a 304 then never decodes a large snapshot.
            queryset = queryset.defer("snapshot", "summary")
            if self._sends_stored_text():
                # Read in the same query as the bulletin (a second one was a tenth of the time).
                queryset = queryset.annotate(snapshot_text=Cast("snapshot", TextField()))
        return queryset

    def _sends_stored_text(self) -> bool:
        """A JSON request without If-None-Match: a published bulletin's answer is its stored
        snapshot text (a conditional request mostly ends in a 304 that needs none of it)."""
        return (isinstance(getattr(self.request, "accepted_renderer", None), JSONRenderer)
                and "If-None-Match" not in self.request.headers)

    def filter_queryset(self, queryset):
        # The list's query filters do not narrow a detail URL, and building the FilterSet (a
        # deep copy of its filters) was a sixth of a detail request's time.
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)

    def retrieve(self, request, *args, **kwargs):
        bulletin = self.get_object()
        tag = etag(bulletin)
        if _matches(request.headers.get("If-None-Match", ""), tag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        if not bulletin.is_published:
            return Response(bulletins.represent(bulletin), headers={"ETag": tag})
        published = Bulletin.objects.filter(pk=bulletin.pk)
        if isinstance(request.accepted_renderer, JSONRenderer):
            # The frozen snapshot goes out as PostgreSQL stores it, never decoded and encoded
            # again: for 500 entries that was two thirds of the request's time.
            text = getattr(bulletin, "snapshot_text", None)
            if text is None:
                text = published.values_list(Cast("snapshot", TextField()), flat=True).get()
            return HttpResponse(text, content_type="application/json", headers={"ETag": tag})
        return Response(published.values_list("snapshot", flat=True).get(),
                        headers={"ETag": tag})

    def _require_staff(self):
        if not scoping.can_manage_any_bulletins(self.request.user):
            raise PermissionDenied(_("Only county or city organization department staff may "
                                     "build, publish or correct bulletins."))

    def _managed(self, bulletin):
        if not scoping.can_manage_bulletins(self.request.user, bulletin.region):
            raise PermissionDenied(_("You may not change this bulletin."))

    @extend_schema(request=BuildSerializer, responses={201: BulletinSerializer})
    @action(detail=False, methods=["post"])
    def build(self, request):
        self._require_staff()
        data = BuildSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        region = scoping.visible_regions(request.user).filter(
            pk=data.validated_data["region"]).first()
        if region is None:
            raise NotFound(_("Unknown region."))
        month = bulletins.parse_bulletin_month(data.validated_data["month"])
        bulletins.check_bulletin_region(region)
        if not scoping.can_manage_bulletins(request.user, region):
            raise PermissionDenied(_("You may not build this region's bulletin."))
        bulletin = bulletins.build_draft(actor=request.user, region=region, month=month)
        return Response(bulletins.represent(bulletin), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: BulletinSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        self._require_staff()
        bulletin = self.get_object()
        self._managed(bulletin)
        bulletin = bulletins.publish(actor=request.user, bulletin=bulletin)
        return Response(bulletin.snapshot, headers={"ETag": etag(bulletin)})

    @extend_schema(request=CorrectSerializer, responses={201: BulletinSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        self._require_staff()
        bulletin = self.get_object()
        self._managed(bulletin)
        data = CorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = bulletins.correct(actor=request.user, bulletin=bulletin,
                                       reason=data.validated_data["reason"])
        return Response(bulletins.represent(correction), status=status.HTTP_201_CREATED)
