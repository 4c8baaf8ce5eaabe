import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.errors import DomainError
from core.filters import SinceFilter
from core.periods import HalfMonth
from earlywarning import ratings
from earlywarning.models.ratings import Color, RatingStatus, WarningRating
from villages import scoping


class RatingSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    township = serializers.IntegerField(source="village.township_id", read_only=True)
    rated_by = serializers.CharField(source="rated_by.username", read_only=True)

    class Meta:
        model = WarningRating
        fields = ["id", "village", "village_code", "village_name", "township", "period", "color",
                  "reason", "status", "rated_by", "rated_at", "submitted_at"]


class RatingInputSerializer(serializers.Serializer):
    # A plain id: save_ratings checks the whole batch against the caller's scope and the
    # warning list in one query, instead of one lookup per item here.
    village = serializers.IntegerField(min_value=1)
    period = serializers.CharField(max_length=20)
    color = serializers.ChoiceField(choices=Color.choices)
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)
    status = serializers.ChoiceField(choices=RatingStatus.choices, default=RatingStatus.SUBMITTED)

    def validate_period(self, value):
        try:
            return HalfMonth.parse(value)
        except DomainError as error:
            raise serializers.ValidationError(error.message) from None


class RatingFilter(django_filters.FilterSet):
    period = django_filters.CharFilter()
    color = django_filters.ChoiceFilter(choices=Color.choices)
    status = django_filters.ChoiceFilter(choices=RatingStatus.choices)
    region = django_filters.NumberFilter(method="in_region",
                                         help_text="Region id: every village in its subtree.")
    township = django_filters.NumberFilter(field_name="village__township")
    since = SinceFilter("rated_at")

    class Meta:
        model = WarningRating
        fields = ["village", "period", "color", "status", "region", "township", "since"]

    def in_region(self, queryset, name, value):
        region = scoping.visible_regions(self.request.user).filter(pk=value).first()
        if region is None:
            return queryset.none()
        return queryset.filter(village__township__path__startswith=region.path)


class RatingWritePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or scoping.can_enter_ratings(
            request.user)


class RatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Half-monthly warning ratings of the villages the caller can see.

    POST takes one object or a list; a list is all or nothing. Posting again for the same
    village and period updates that rating while the period is open; every change is kept.
    """

    serializer_class = RatingSerializer
    filterset_class = RatingFilter
    permission_classes = [permissions.IsAuthenticated, RatingWritePermission]

    def get_queryset(self):
        return (WarningRating.objects
                .filter(village__in=scoping.visible_villages(self.request.user))
                .select_related("village", "rated_by").order_by("-period", "village__code"))

    @extend_schema(request=RatingInputSerializer(many=True), responses=RatingSerializer(many=True),
                   examples=[OpenApiExample("One rating", request_only=True, value={
                       "village": 12, "period": "2026-11-H2", "color": "yellow",
                       "reason": "班子调整到位，信访件已化解"})])
    def create(self, request, *args, **kwargs):
        many = isinstance(request.data, list)
        if many and not request.data:
            raise ValidationError({"detail": _("The list is empty.")})
        inputs = RatingInputSerializer(data=request.data, many=many, context={"request": request})
        inputs.is_valid(raise_exception=True)
        items = inputs.validated_data if many else [inputs.validated_data]
        try:
            saved = ratings.save_mixed_batch(actor=request.user, items=[ratings.BatchItem(
                item["period"], item["status"] == RatingStatus.SUBMITTED,
                ratings.RatingInput(item["village"], item["color"], item["reason"]))
                for item in items])
        except ratings.RatingError as error:
            raise ValidationError(self._errors(error, items, many)) from None
        data = RatingSerializer(saved, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)

    @staticmethod
    def _errors(error, items, many):
        if not error.errors:
            return error.as_dict()
        if not many:
            return next(iter(error.errors.values()))
        return [error.errors.get(item["village"], {}) for item in items]
