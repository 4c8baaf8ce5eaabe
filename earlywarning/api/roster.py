"""REST: the warning roster, the county's roster decisions, talks (约谈) and award eligibility."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.errors import DomainError, NotFound
from core.filters import SinceFilter
from core.periods import HalfMonth, Month
from earlywarning import consequences, roster, visibility
from earlywarning.models import (
    AwardEligibility,
    DecisionAction,
    EligibilityStatus,
    RosterEntry,
    RosterReason,
    Talk,
    TalkStatus,
)
from villages import scoping
from villages.models import RegionLevel


def _regions(request):
    return scoping.visible_regions(request.user if request else None)


class ReasonSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RosterReason.choices)
    detail = serializers.CharField()


class RosterEntrySerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    reasons = serializers.SerializerMethodField()
    removal_reason = serializers.SerializerMethodField()

    class Meta:
        model = RosterEntry
        fields = ["id", "village", "village_code", "village_name", "township", "county",
                  "period", "reasons", "added_at", "removed_at", "removal_reason", "updated_at"]

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, entry) -> list[dict]:
        return [{"kind": r.kind, "detail": r.detail} for r in roster.reasons(entry)]

    def get_removal_reason(self, entry) -> str | None:
        return entry.removal.reason if entry.removal_id else None


class RosterFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(method="by_period", help_text="Like 2026-11-H1.")
    region = django_filters.ModelChoiceFilter(queryset=_regions, method="in_subtree",
                                              help_text="Region id: townships in its subtree.")
    reason = django_filters.ChoiceFilter(choices=RosterReason.choices, method="by_reason")
    removed = django_filters.BooleanFilter(field_name="removed_at", lookup_expr="isnull",
                                           exclude=True)
    since = SinceFilter("updated_at")

    class Meta:
        model = RosterEntry
        fields = ["period", "region", "reason", "removed", "since"]

    def by_period(self, queryset, name, value):
        try:
            period = HalfMonth.parse(value)
            roster.ensure(period)
        except DomainError as error:
            raise ValidationError(error.as_dict()) from None
        return queryset.filter(period=str(period))

    @extend_schema_field(OpenApiTypes.INT)
    def in_subtree(self, queryset, name, region):
        return queryset.filter(township__path__startswith=region.path)

    def by_reason(self, queryset, name, value):
        return queryset.filter(roster.reason_filter(value))


class DecisionSerializer(serializers.Serializer):
    village = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    reason = serializers.CharField(max_length=300)
    period = serializers.CharField(max_length=20, required=False,
                                   help_text="Only this open period (default: all open ones).")


class RosterViewSet(viewsets.ReadOnlyModelViewSet):
    """The warning roster of each half-month: villages with their reasons. A closed period's
    roster never changes; ``?since=`` returns the entries changed at or after a time."""

    serializer_class = RosterEntrySerializer
    filterset_class = RosterFilter

    def get_queryset(self):
        return (visibility.roster_entries(self.request.user)
                .select_related("village", "county_addition", "removal")
                .order_by("-period", "township_id", "village__code"))

    @extend_schema(request=DecisionSerializer, responses={201: RosterEntrySerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="decisions")
    def decide(self, request):
        """The county adds a village to the roster or removes it, with a reason."""
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        village = scoping.visible_villages(request.user).select_related("township").filter(
            pk=data.validated_data["village"]).first()
        if village is None:
            raise NotFound(_("Unknown village."))
        period = data.validated_data.get("period")
        roster.decide(actor=request.user, village=village,
                      action=data.validated_data["action"], reason=data.validated_data["reason"],
                      period=HalfMonth.parse(period) if period else None)
        changed = self.get_queryset().filter(village=village).order_by("-updated_at")[:2]
        return Response(RosterEntrySerializer(changed, many=True).data,
                        status=status.HTTP_201_CREATED)


class TalkSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)
    held_by = serializers.CharField(source="held_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Talk
        fields = ["id", "township", "township_name", "month", "bulletin", "participants",
                  "status", "held_on", "held_by", "notes", "follow_up", "created_at",
                  "updated_at"]
        read_only_fields = ["bulletin", "participants", "status", "held_on", "held_by",
                            "notes", "follow_up", "created_at", "updated_at"]


class TalkCreateSerializer(serializers.Serializer):
    township = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    month = serializers.CharField(max_length=7, help_text="Like 2026-11.")


class HeldSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    notes = serializers.CharField(max_length=5000)
    follow_up = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                      default="")


class TalkFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(queryset=_regions, method="in_subtree")
    status = django_filters.ChoiceFilter(choices=TalkStatus.choices)
    month = django_filters.CharFilter()
    since = SinceFilter("updated_at")

    class Meta:
        model = Talk
        fields = ["region", "status", "month", "since"]

    @extend_schema_field(OpenApiTypes.INT)
    def in_subtree(self, queryset, name, region):
        return queryset.filter(township__path__startswith=region.path)


class TalkViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Talks (约谈) with townships whose red-warned villages increased: due, then held."""

    serializer_class = TalkSerializer
    filterset_class = TalkFilter

    def get_queryset(self):
        return (visibility.talks(self.request.user).select_related("township", "held_by")
                .order_by("-month", "township__code"))

    @extend_schema(request=TalkCreateSerializer, responses={201: TalkSerializer})
    def create(self, request, *args, **kwargs):
        data = TalkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        township = scoping.visible_regions(request.user).filter(
            pk=data.validated_data["township"], level=RegionLevel.TOWNSHIP).first()
        if township is None:
            raise NotFound(_("Unknown township."))
        talk = consequences.open_talk(actor=request.user, township=township,
                                      month=Month.parse(data.validated_data["month"]))
        return Response(TalkSerializer(talk).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HeldSerializer, responses=TalkSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        """Record the talk as held: date, notes, follow-up."""
        data = HeldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        talk = consequences.record_talk(actor=request.user, talk=self.get_object(),
                                        **data.validated_data)
        return Response(TalkSerializer(talk).data)


class EligibilitySerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)
    restored_by = serializers.CharField(source="restored_by.username", read_only=True,
                                        allow_null=True)

    class Meta:
        model = AwardEligibility
        fields = ["id", "township", "township_name", "year", "status", "lost_month",
                  "red_count_before", "red_count", "bulletin", "lost_at", "restored_at",
                  "restored_by", "restore_reason"]


class EligibilityFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(queryset=_regions, method="in_subtree")
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)
    status = django_filters.ChoiceFilter(choices=EligibilityStatus.choices)

    class Meta:
        model = AwardEligibility
        fields = ["region", "year", "status"]

    @extend_schema_field(OpenApiTypes.INT)
    def in_subtree(self, queryset, name, region):
        return queryset.filter(township__path__startswith=region.path)


class RestoreSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class EligibilityViewSet(viewsets.ReadOnlyModelViewSet):
    """Townships that lost award eligibility (评先评优资格) in a year; no row means eligible."""

    serializer_class = EligibilitySerializer
    filterset_class = EligibilityFilter

    def get_queryset(self):
        return (visibility.award_eligibility(self.request.user)
                .select_related("township", "restored_by").order_by("-year", "township__code"))

    @extend_schema(request=RestoreSerializer, responses=EligibilitySerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """The county restores a township's eligibility, saying why."""
        data = RestoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        eligibility = consequences.restore_eligibility(
            actor=request.user, eligibility=self.get_object(),
            reason=data.validated_data["reason"])
        return Response(EligibilitySerializer(eligibility).data)
