"""REST for the rectification work: cases, pairings, ledger items, campaigns, help teams.

Querysets come from ``villages/scoping.py``; writes go through the domain functions, whose
``NotAllowed`` becomes 403 and whose ``DomainError`` becomes 400 with the field named. Ledger
items are never deleted: there is no DELETE route (405).
"""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casework import pairing
from casework.api.fields import (
    BASE_PERMISSIONS,
    ScopedPersonField,
    ScopedVillageField,
)
from casework.filters import PairingFilter
from casework.models import (
    Pairing,
    PairingKind,
    ProjectKind,
    ProjectStatus,
)
from core.periods import MONTH_REGEX


class PairingSerializer(serializers.ModelSerializer):
    village = ScopedVillageField()
    partner_person = ScopedPersonField(required=False, allow_null=True)
    partner_village = ScopedVillageField(required=False, allow_null=True)
    partner = serializers.CharField(source="partner_label", read_only=True)
    kind = serializers.ChoiceField(choices=PairingKind.choices)
    visit_count = serializers.IntegerField(read_only=True)
    project_count = serializers.IntegerField(read_only=True)
    project_funds = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                             allow_null=True)

    class Meta:
        model = Pairing
        fields = ["id", "kind", "village", "partner", "partner_person", "partner_village",
                  "partner_name", "start", "end", "commitments", "visit_count",
                  "project_count", "project_funds"]


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField()
    visitor = serializers.CharField(max_length=60)
    purpose = serializers.CharField()


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=ProjectKind.choices, default=ProjectKind.WELFARE)
    partner = serializers.CharField(max_length=100, required=False, allow_blank=True)
    # Validated as text: the domain function names a negative or malformed amount itself.
    funds = serializers.CharField()
    status = serializers.ChoiceField(choices=ProjectStatus.choices,
                                     default=ProjectStatus.PLANNED)

    def to_representation(self, project):
        return {"id": project.id, "name": project.name, "kind": project.kind,
                "partner": project.partner, "funds": f"{project.funds:.2f}",
                "status": project.status}


class InstructorDaysSerializer(serializers.Serializer):
    month = serializers.RegexField(MONTH_REGEX)
    days = serializers.IntegerField(min_value=0, max_value=31)


class PairingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pairings; helpers log visits, projects and instructor days in their villages."""

    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    permission_classes = BASE_PERMISSIONS

    def get_queryset(self):
        return pairing.pairing_rows(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = pairing.pair(actor=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def _pairing(self):
        return self.get_object()

    @extend_schema(request=VisitSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def visits(self, request, pk=None):
        item = self._pairing()
        body = VisitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        visit = pairing.log_visit(actor=request.user, village=item.village,
                                              pairing=item, on=data["date"],
                                              visitor=data["visitor"], purpose=data["purpose"])
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def projects(self, request, pk=None):
        item = self._pairing()
        body = ProjectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = pairing.add_project(actor=request.user, village=item.village,
                                                  pairing=item, **body.validated_data)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InstructorDaysSerializer, responses=InstructorDaysSerializer)
    @action(detail=True, methods=["post"], url_path="instructor-days")
    def instructor_days(self, request, pk=None):
        item = self._pairing()
        body = InstructorDaysSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = pairing.log_pairing_days(actor=request.user, pairing=item,
                                          **body.validated_data)
        return Response({"month": record.month, "days": record.days},
                        status=status.HTTP_201_CREATED)
