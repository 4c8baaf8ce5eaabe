"""REST: indicator sets, quarterly evaluations (ranked, with tiers), and the score import."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.errors import DomainError
from core.filters import SinceFilter
from core.http import on_invalid
from core.periods import parse_quarter
from earlywarning import catalogue, evaluations, imports, scorefiles
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationStatus,
    Indicator,
    IndicatorScore,
    ScoreImport,
    Tier,
)
from villages import scoping
from villages.models import Region


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "position", "category", "subcategory", "name", "description",
                  "max_score", "weight", "higher_is_better"]


class IndicatorSetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.IntegerField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    year = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    is_illustrative = serializers.BooleanField()
    frozen = serializers.BooleanField(source="is_frozen")
    frozen_at = serializers.DateTimeField(allow_null=True)
    indicator_count = serializers.IntegerField()
    indicators = IndicatorSerializer(many=True, source="indicators.all")


class IndicatorSetListSerializer(IndicatorSetSerializer):
    indicators = None


class IndicatorSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicator catalogues that apply to the caller's region; the detail lists the indicators."""

    def get_serializer_class(self):
        return IndicatorSetSerializer if self.action == "retrieve" else IndicatorSetListSerializer

    def get_queryset(self):
        sets = catalogue.sets_for_user(self.request.user)
        if self.action == "retrieve":
            sets = sets.prefetch_related(
                Prefetch("indicators", Indicator.objects.order_by("position", "code")))
        return sets


class EvaluationSerializer(serializers.Serializer):
    """Built by hand in ``to_representation``: lists run to 500 rows of 111 scores."""

    id = serializers.IntegerField()
    village = serializers.IntegerField()
    village_code = serializers.CharField()
    village_name = serializers.CharField()
    township = serializers.IntegerField()
    county = serializers.IntegerField()
    quarter = serializers.CharField()
    indicator_set = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=9, decimal_places=2)
    rank = serializers.IntegerField(allow_null=True)
    percentile = serializers.FloatField(allow_null=True)
    tier = serializers.ChoiceField(choices=Tier.choices, allow_null=True)
    previous_tier = serializers.IntegerField(allow_null=True)
    movement = serializers.CharField()
    status = serializers.ChoiceField(choices=EvaluationStatus.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=6, decimal_places=2),
                                   required=False,
                                   help_text="Indicator code → value; only with ?expand=scores.")

    def to_representation(self, evaluation):
        village = evaluation.village
        data = {
            "id": evaluation.pk, "village": village.pk, "village_code": village.code,
            "village_name": village.name, "township": village.township_id,
            "county": evaluation.county_id, "quarter": evaluation.quarter,
            "indicator_set": evaluation.indicator_set_id, "total": f"{evaluation.total:.2f}",
            "rank": evaluation.rank, "percentile": evaluation.percentile,
            "tier": evaluation.tier, "previous_tier": evaluation.previous_tier,
            "movement": evaluation.movement, "status": evaluation.status,
            "submitted_at": _iso(evaluation.submitted_at),
            "approved_at": _iso(evaluation.approved_at),
        }
        if self.context.get("expand_scores"):
            data["scores"] = {score.indicator.code: f"{score.value:.2f}"
                              for score in evaluation.scores.all()}
        return data


def _iso(value):
    return serializers.DateTimeField().to_representation(value) if value else None


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    quarter = serializers.CharField(max_length=20)
    region = serializers.IntegerField()
    replace = serializers.BooleanField(default=False)


class RegionQuarterSerializer(serializers.Serializer):
    region = serializers.IntegerField()
    quarter = serializers.CharField(max_length=20)


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class EvaluationFilter(django_filters.FilterSet):
    quarter = django_filters.CharFilter(method="by_quarter", help_text="Like 2026Q3.")
    region = django_filters.ModelChoiceFilter(
        queryset=lambda request: scoping.visible_regions(request.user if request else None),
        method="in_subtree", help_text="Region id: every village in its subtree.")
    county = django_filters.NumberFilter(field_name="county")
    village = django_filters.NumberFilter(field_name="village")
    tier = django_filters.TypedChoiceFilter(choices=Tier.choices, coerce=int)
    status = django_filters.ChoiceFilter(choices=EvaluationStatus.choices)
    since = SinceFilter("updated_at")

    class Meta:
        model = Evaluation
        fields = ["quarter", "region", "county", "village", "tier", "status", "since"]

    def by_quarter(self, queryset, name, value):
        try:
            return queryset.filter(quarter=str(parse_quarter(value)))
        except DomainError as error:
            raise ValidationError({"quarter": [str(error.message)]}) from None

    @extend_schema_field(OpenApiTypes.INT)
    def in_subtree(self, queryset, name, region):
        return queryset.filter(village__township__path__startswith=region.path)


@extend_schema(parameters=[
    OpenApiParameter("expand", str, enum=["scores"], description="include the 111 scores"),
])
class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    """Quarterly evaluations the caller may see, ranked within their county."""

    serializer_class = EvaluationSerializer

    filterset_class = EvaluationFilter
    extra_query_params = ("expand",)

    def get_queryset(self):
        rows = evaluations.evaluation_rows(self.request.user).order_by(
            "county__code", "-quarter", "rank", "village__code")
        if self._expand_scores():
            rows = rows.prefetch_related(Prefetch(
                "scores", IndicatorScore.objects.select_related("indicator").only(
                    "evaluation_id", "value", "indicator__code").order_by(
                    "indicator__position", "indicator__code")))
        return rows

    def _expand_scores(self) -> bool:
        return "scores" in self.request.query_params.get("expand", "").split(",")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expand_scores": self._expand_scores()}

    def _region(self, value, field):
        try:
            return scoping.visible_regions(self.request.user).get(pk=int(value))
        except (ValueError, TypeError):
            raise ValidationError({field: [_("Give a region id.")]}) from None
        except Region.DoesNotExist:
            raise ValidationError({field: [_("Unknown region.")]}) from None

    @extend_schema(request={"multipart/form-data": ImportSerializer}, responses={201: dict})
    @action(detail=False, methods=["post"], url_path="import",
            parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """All-or-nothing score import; 400 lists every error as row, column and message."""
        form = ImportSerializer(data=request.data)
        if not form.is_valid():
            return Response({"errors": [
                {"row": None, "column": field, "message": str(messages[0])}
                for field, messages in form.errors.items()]},
                status=status.HTTP_400_BAD_REQUEST)
        data = form.validated_data
        region = scoping.visible_regions(request.user).filter(pk=data["region"]).first()
        if region is None:
            return Response({"errors": [{"row": None, "column": "region",
                                         "message": _("Unknown region.")}]},
                            status=status.HTTP_400_BAD_REQUEST)
        failed = []
        with on_invalid(failed.append):
            result = imports.import_scores(
                actor=request.user, region=region, quarter=data["quarter"], file=data["file"],
                file_name=data["file"].name, replace=data["replace"],
                source=ScoreImport.Source.API)
        if failed:
            return Response({"errors": scorefiles.error_items(failed[0])},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({
            "import": result.score_import.pk, "region": region.pk,
            "quarter": str(result.quarter), "indicator_set": result.indicator_set.pk,
            "villages": result.villages, "scores": result.scores, "replaced": result.replaced,
            "tiers": [{"county": r.county.pk, "villages": r.villages,
                       "tiers": {str(k): v for k, v in r.tiers.items()}}
                      for r in result.tiering],
        }, status=status.HTTP_201_CREATED)

    def _region_quarter(self, request):
        form = RegionQuarterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._region(form.validated_data["region"], "region"), \
            form.validated_data["quarter"]

    @extend_schema(request=RegionQuarterSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def submit(self, request):
        """The township submits its draft evaluations of a quarter."""
        region, quarter = self._region_quarter(request)
        count = evaluations.submit_evaluations(actor=request.user, region=region,
                                               quarter=quarter)
        return Response({"submitted": count})

    @extend_schema(request=RegionQuarterSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def approve(self, request):
        """The county approves the submitted evaluations of a quarter."""
        region, quarter = self._region_quarter(request)
        count = evaluations.approve_evaluations(actor=request.user, region=region,
                                                quarter=quarter)
        return Response({"approved": count})

    @extend_schema(request=ReopenSerializer, responses={200: EvaluationSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """The county reopens a submitted or approved evaluation, with a reason."""
        evaluation = self.get_object()
        form = ReopenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        evaluations.reopen_evaluation(actor=request.user, evaluation=evaluation,
                                      reason=form.validated_data["reason"])
        fresh = self.get_queryset().filter(pk=evaluation.pk).first()
        if fresh is None:
            raise NotFound
        return Response(self.get_serializer(fresh).data)

