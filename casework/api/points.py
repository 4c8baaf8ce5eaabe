"""``GET /api/v1/points-entries/``: the points ledger, read-only (entries are never changed;
PUT, PATCH and DELETE answer 405). Filters: ``person``, ``year``, ``region`` (subtree),
``search`` (name), ``since`` (recorded at or after)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from casework import visibility
from casework.api.fields import BASE_PERMISSIONS, StrictQueryMixin
from casework.filters import PointsEntryFilter
from casework.models import PointsEntry


class PointsEntrySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name")
    rule_code = serializers.CharField(source="code")
    rule_version = serializers.IntegerField(source="rule.version")
    rule_label = serializers.CharField(source="rule.label")
    village_code = serializers.CharField(source="village.code")
    village_name = serializers.CharField(source="village.name")
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                               help_text="Empty: posted by the monthly task.")
    reversed_by = serializers.SerializerMethodField()

    class Meta:
        model = PointsEntry
        fields = ["id", "person", "person_name", "rule", "rule_code", "rule_version",
                  "rule_label", "village", "village_code", "village_name", "period", "points",
                  "pairing", "ledger_item", "case", "instructor_days", "reverses", "reversed_by",
                  "reason", "recorded_by", "recorded_at"]

    def get_reversed_by(self, entry) -> int | None:
        reversal = getattr(entry, "reversal", None)
        return reversal.pk if reversal else None


@extend_schema(description="The points ledger (积分制): entries are never changed; a correction "
                           "is a reversing entry that names the entry it reverses.")
class PointsEntryViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PointsEntrySerializer
    filterset_class = PointsEntryFilter
    permission_classes = BASE_PERMISSIONS

    def get_queryset(self):
        return (visibility.points_entries(self.request.user)
                .select_related("person", "rule", "village", "recorded_by", "reversal")
                .order_by("-period", "person_id", "pk"))
