"""REST for the rectification work: cases, pairings, ledger items, campaigns, help teams.

Querysets come from ``villages/scoping.py``; writes go through the domain functions, whose
``NotAllowed`` becomes 403 and whose ``DomainError`` becomes 400 with the field named. Ledger
items are never deleted: there is no DELETE route (405).
"""
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casework import cases, visibility
from casework.api.fields import (
    BASE_PERMISSIONS,
    ProblemTypeField,
    ScopedPersonField,
    ScopedVillageField,
)
from casework.filters import CaseFilter
from casework.models import (
    Campaign,
    Case,
    CaseMeasure,
    CaseSource,
    Method,
    Outcome,
)
from core.errors import DomainError


class MeasureSerializer(serializers.ModelSerializer):
    problem_type = ProblemTypeField(required=False, allow_null=True)

    class Meta:
        model = CaseMeasure
        fields = ["id", "description", "owner", "due", "done", "done_on", "problem_type"]
        read_only_fields = ["done", "done_on"]


class CaseSerializer(serializers.ModelSerializer):
    village = ScopedVillageField()
    village_name = serializers.CharField(source="village.name", read_only=True)
    township = serializers.IntegerField(source="village.township_id", read_only=True)
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none(),
                                                  required=False, allow_null=True)
    problem_types = ProblemTypeField(many=True, required=False)
    methods = serializers.ListField(child=serializers.ChoiceField(choices=Method.choices),
                                    required=False)
    responsible_leader = ScopedPersonField(required=False, allow_null=True)
    tracking_person = ScopedPersonField(required=False, allow_null=True)
    measures = MeasureSerializer(many=True, read_only=True)
    source = serializers.ChoiceField(choices=CaseSource.choices)

    class Meta:
        model = Case
        fields = ["id", "village", "village_name", "township", "campaign", "source", "status",
                  "problem_types", "methods", "summary", "responsible_leader",
                  "tracking_person", "opened_at", "confirmed_at", "outcome", "outcome_at",
                  "closing_note", "closing_evidence", "closed_at", "measures"]
        read_only_fields = ["status", "opened_at", "confirmed_at", "outcome", "outcome_at",
                            "closing_note", "closing_evidence", "closed_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["campaign"].queryset = visibility.campaigns(request.user)
        return fields


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000,
        help_text="For moved_up when the data does not show it: the county's reason.")


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                            max_length=2000)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.FileField(required=False)


class CaseViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                  viewsets.ReadOnlyModelViewSet):
    """Open (POST), update the plan's details (PATCH), and move a case with the actions."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    permission_classes = BASE_PERMISSIONS
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        return (visibility.cases(self.request.user)
                .select_related("village__township")
                .prefetch_related("problem_types",
                                  Prefetch("measures", CaseMeasure.objects.select_related(
                                      "problem_type")))
                .order_by("village__code", "-opened_at"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = cases.open_case(
            actor=self.request.user, village=data["village"], source=data["source"],
            campaign=data.get("campaign"), problem_types=data.get("problem_types", []),
            methods=data.get("methods", []), summary=data.get("summary", ""),
            responsible_leader=data.get("responsible_leader"),
            tracking_person=data.get("tracking_person"))

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "village" in data and data["village"].pk != serializer.instance.village_id:
            raise DomainError(_("A case stays with its village."), field="village")
        serializer.instance = cases.update_case(
            actor=self.request.user, case=serializer.instance,
            problem_types=data.get("problem_types"), methods=data.get("methods"),
            summary=data.get("summary"), responsible_leader=data.get("responsible_leader"),
            tracking_person=data.get("tracking_person"))

    def _respond(self, case):
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        case = self.get_object()
        return self._respond(cases.confirm_case(actor=request.user, case=case))

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        case = self.get_object()
        return self._respond(cases.start_rectifying(actor=request.user, case=case))

    @extend_schema(request=OutcomeSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        case = self.get_object()
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(cases.record_outcome(
            actor=request.user, case=case, outcome=body.validated_data["outcome"],
            override_reason=body.validated_data["override_reason"]))

    @extend_schema(request={"multipart/form-data": CloseSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._respond(cases.close_case(
            actor=request.user, case=case, note=data.get("note", ""),
            evidence=data.get("evidence"), outcome=data.get("outcome"),
            override_reason=data["override_reason"]))

    @extend_schema(request=MeasureSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def measures(self, request, pk=None):
        case = self.get_object()
        body = MeasureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        measure = cases.add_measure(actor=request.user, case=case,
                                                **body.validated_data)
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)
