"""REST for the rectification work: cases, pairings, ledger items, campaigns, help teams.

Querysets come from ``villages/scoping.py``; writes go through the domain functions, whose
``NotAllowed`` becomes 403 and whose ``DomainError`` becomes 400 with the field named. Ledger
items are never deleted: there is no DELETE route (405).
"""
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casework import ledger, visibility
from casework.api.fields import (
    BASE_PERMISSIONS,
    ProblemTypeField,
    ScopedVillageField,
)
from casework.filters import LedgerFilter
from casework.models import (
    Case,
    LedgerItem,
)


class LedgerItemSerializer(serializers.ModelSerializer):
    village = ScopedVillageField()
    village_name = serializers.CharField(source="village.name", read_only=True)
    township = serializers.IntegerField(source="village.township_id", read_only=True)
    problem_type = ProblemTypeField()
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.none(), required=False,
                                              allow_null=True)
    verified_by = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = LedgerItem
        fields = ["id", "village", "village_name", "township", "number", "case", "problem",
                  "problem_type", "responsible", "due", "status", "overdue", "listed_at",
                  "started_at", "resolution", "evidence", "verified_by", "struck_off_at"]
        read_only_fields = ["number", "status", "overdue", "listed_at", "started_at",
                            "resolution", "struck_off_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["case"].queryset = visibility.cases(request.user)
        return fields

    def get_verified_by(self, item) -> str | None:
        user = item.verified_by
        return (user.get_full_name() or user.username) if user else None

    def get_evidence(self, item) -> dict | None:
        if not item.evidence_id:
            return None
        request = self.context.get("request")
        url = reverse("evidence-download", args=[item.evidence_id])
        return {"id": item.evidence_id, "name": item.evidence.original_name,
                "size": item.evidence.size,
                "url": request.build_absolute_uri(url) if request else url}


class StrikeOffSerializer(serializers.Serializer):
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.FileField(required=False)


class LedgerItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """List (挂牌), start (整改中) and strike off (销号). Never deleted: DELETE is 405."""

    serializer_class = LedgerItemSerializer
    filterset_class = LedgerFilter
    permission_classes = BASE_PERMISSIONS
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        return ledger.ledger_rows(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = ledger.list_item(actor=self.request.user, **data)

    def _respond(self, item):
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        item = self.get_object()
        return self._respond(ledger.start_item(actor=request.user, item=item))

    @extend_schema(request={"multipart/form-data": StrikeOffSerializer})
    @action(detail=True, methods=["post"], url_path="strike-off",
            parser_classes=[parsers.MultiPartParser, parsers.FormParser])
    def strike_off(self, request, pk=None):
        item = self.get_object()
        body = StrikeOffSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(ledger.strike_off(
            actor=request.user, item=item, resolution=body.validated_data["resolution"],
            evidence=body.validated_data.get("evidence")))
