"""REST for the rectification work: cases, pairings, ledger items, campaigns, help teams.

Querysets come from ``villages/scoping.py``; writes go through the domain functions, whose
``NotAllowed`` becomes 403 and whose ``DomainError`` becomes 400 with the field named. Ledger
items are never deleted: there is no DELETE route (405).
"""
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casework import teams, visibility
from casework.api.fields import (
    BASE_PERMISSIONS,
    ScopedPersonField,
)
from casework.models import (
    HelpTeam,
    HelpTeamMember,
    TeamRole,
)
from villages import scoping
from villages.models import RegionLevel


class MemberSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = HelpTeamMember
        fields = ["id", "person", "person_name", "role", "unit"]


class HelpTeamSerializer(serializers.ModelSerializer):
    county = serializers.PrimaryKeyRelatedField(queryset=HelpTeam.objects.none())
    lead = ScopedPersonField()
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    members = MemberSerializer(many=True, read_only=True)
    villages = serializers.SerializerMethodField()

    class Meta:
        model = HelpTeam
        fields = ["id", "county", "name", "lead", "lead_name", "formed_on", "status",
                  "dissolved_on", "members", "villages"]
        read_only_fields = ["status", "dissolved_on"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["county"].queryset = scoping.visible_regions(request.user).filter(
                level=RegionLevel.COUNTY)
        return fields

    def get_villages(self, team) -> list[int]:
        return [a.village_id for a in team.assignments.all()]


class TeamVillagesSerializer(serializers.Serializer):
    villages = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class TeamMemberInputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    role = serializers.ChoiceField(choices=TeamRole.choices)
    unit = serializers.CharField(required=False, allow_blank=True, default="")


class HelpTeamViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = HelpTeamSerializer
    permission_classes = BASE_PERMISSIONS

    def get_queryset(self):
        return (visibility.help_teams(self.request.user).select_related("lead")
                .prefetch_related(Prefetch("members", HelpTeamMember.objects.select_related(
                    "person")), "assignments")
                .order_by("county__code", "name"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = teams.form_team(
            actor=self.request.user, county=data["county"], name=data["name"],
            lead=data["lead"], formed_on=data.get("formed_on"))

    def _respond(self, team):
        return Response(self.get_serializer(self.get_queryset().get(pk=team.pk)).data)

    @extend_schema(request=TeamVillagesSerializer)
    @action(detail=True, methods=["post"])
    def villages(self, request, pk=None):
        team = self.get_object()
        body = TeamVillagesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = set(body.validated_data["villages"])
        found = list(scoping.visible_villages(request.user).filter(pk__in=wanted)
                     .select_related("township"))
        if len(found) != len(wanted):
            raise serializers.ValidationError({"villages": [_("Unknown village.")]})
        teams.assign_villages(actor=request.user, team=team, villages=found)
        return self._respond(team)

    @extend_schema(request=TeamMemberInputSerializer)
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        team = self.get_object()
        body = TeamMemberInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = scoping.visible_people(request.user).filter(
            pk=body.validated_data["person"]).first()
        if person is None:
            raise serializers.ValidationError({"person": [_("Unknown person.")]})
        teams.add_member(actor=request.user, team=team, person=person,
                                     role=body.validated_data["role"],
                                     unit=body.validated_data["unit"])
        return self._respond(team)

    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        team = self.get_object()
        return self._respond(teams.dissolve_team(actor=request.user, team=team))
