"""REST for the rectification work: cases, pairings, ledger items, campaigns, help teams.

Querysets come from ``villages/scoping.py``; writes go through the domain functions, whose
``NotAllowed`` becomes 403 and whose ``DomainError`` becomes 400 with the field named. Ledger
items are never deleted: there is no DELETE route (405).
"""

from django.db.models import Count, Prefetch, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from rectify import cases, ledger, pairing, teams
from rectify.errors import DomainError
from rectify.filters import CaseFilter, LedgerFilter, PairingFilter
from rectify.models import (
    Campaign,
    Case,
    CaseMeasure,
    CaseSource,
    HelpTeam,
    HelpTeamMember,
    LedgerItem,
    Method,
    Outcome,
    Pairing,
    PairingKind,
    ProblemType,
    ProjectKind,
    ProjectStatus,
    TeamRole,
)
from villages import scoping
from villages.models import RegionLevel
from villages.registry import NotAllowed


def run(call):
    """Call a domain function; a refusal is 403, a domain error 400 (via the handler)."""
    try:
        return call()
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from None


class ScopedVillageField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scoping.visible_villages(self.context["request"].user).select_related(
            "township__parent")


class ScopedPersonField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return scoping.visible_people(self.context["request"].user)


class ProblemTypeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=ProblemType.objects.all(), **kwargs)


class WritePermission(permissions.BasePermission):
    """Readers (API client, auditor) read; nobody writes outside what scoping allows, which
    the domain functions check per object."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return scoping.is_superuser(user) or (
            user.is_authenticated and user.role not in scoping.READ_ONLY_ROLES)


BASE_PERMISSIONS = [permissions.IsAuthenticated, WritePermission]


# --- Cases ------------------------------------------------------------------------------------


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
            fields["campaign"].queryset = scoping.visible_campaigns(request.user)
        return fields


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
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
        return (scoping.visible_cases(self.request.user)
                .select_related("village__township")
                .prefetch_related("problem_types",
                                  Prefetch("measures", CaseMeasure.objects.select_related(
                                      "problem_type")))
                .order_by("village__code", "-opened_at"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = run(lambda: cases.open_case(
            actor=self.request.user, village=data["village"], source=data["source"],
            campaign=data.get("campaign"), problem_types=data.get("problem_types", []),
            methods=data.get("methods", []), summary=data.get("summary", ""),
            responsible_leader=data.get("responsible_leader"),
            tracking_person=data.get("tracking_person")))

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "village" in data and data["village"].pk != serializer.instance.village_id:
            raise DomainError(_("A case stays with its village."), field="village")
        serializer.instance = run(lambda: cases.update_case(
            actor=self.request.user, case=serializer.instance,
            problem_types=data.get("problem_types"), methods=data.get("methods"),
            summary=data.get("summary"), responsible_leader=data.get("responsible_leader"),
            tracking_person=data.get("tracking_person")))

    def _respond(self, case):
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        case = self.get_object()
        return self._respond(run(lambda: cases.confirm_case(actor=request.user, case=case)))

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        case = self.get_object()
        return self._respond(run(lambda: cases.start_rectifying(actor=request.user, case=case)))

    @extend_schema(request=OutcomeSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        case = self.get_object()
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(run(lambda: cases.record_outcome(
            actor=request.user, case=case, outcome=body.validated_data["outcome"])))

    @extend_schema(request={"multipart/form-data": CloseSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self._respond(run(lambda: cases.close_case(
            actor=request.user, case=case, note=data.get("note", ""),
            evidence=data.get("evidence"), outcome=data.get("outcome"))))

    @extend_schema(request=MeasureSerializer, responses=MeasureSerializer)
    @action(detail=True, methods=["post"])
    def measures(self, request, pk=None):
        case = self.get_object()
        body = MeasureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        measure = run(lambda: cases.add_measure(actor=request.user, case=case,
                                                **body.validated_data))
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


# --- Pairings ---------------------------------------------------------------------------------


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
    month = serializers.RegexField(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    days = serializers.IntegerField(min_value=0, max_value=31)


class PairingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pairings; helpers log visits, projects and instructor days in their villages."""

    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    permission_classes = BASE_PERMISSIONS

    def get_queryset(self):
        return (scoping.visible_pairings(self.request.user)
                .select_related("partner_person", "partner_village", "village")
                .annotate(visit_count=Count("visits", distinct=True),
                          project_count=Count("projects", distinct=True),
                          project_funds=Sum("projects__funds"))
                .order_by("village__code", "kind", "pk"))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = run(lambda: pairing.pair(actor=self.request.user, **data))
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
        visit = run(lambda: pairing.log_visit(actor=request.user, village=item.village,
                                              pairing=item, on=data["date"],
                                              visitor=data["visitor"], purpose=data["purpose"]))
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def projects(self, request, pk=None):
        item = self._pairing()
        body = ProjectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project = run(lambda: pairing.add_project(actor=request.user, village=item.village,
                                                  pairing=item, **body.validated_data))
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InstructorDaysSerializer, responses=InstructorDaysSerializer)
    @action(detail=True, methods=["post"], url_path="instructor-days")
    def instructor_days(self, request, pk=None):
        item = self._pairing()
        body = InstructorDaysSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if item.kind != PairingKind.INSTRUCTOR:
            raise DomainError(_("Days in village are logged for instructors."), field="days")
        record = run(lambda: pairing.log_instructor_days(
            actor=request.user, person=item.partner_person, village=item.village,
            **body.validated_data))
        return Response({"month": record.month, "days": record.days},
                        status=status.HTTP_201_CREATED)


# --- Ledger items -----------------------------------------------------------------------------


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
            fields["case"].queryset = scoping.visible_cases(request.user)
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
        serializer.instance = run(lambda: ledger.list_item(actor=self.request.user, **data))

    def _respond(self, item):
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        item = self.get_object()
        return self._respond(run(lambda: ledger.start_item(actor=request.user, item=item)))

    @extend_schema(request={"multipart/form-data": StrikeOffSerializer})
    @action(detail=True, methods=["post"], url_path="strike-off",
            parser_classes=[parsers.MultiPartParser, parsers.FormParser])
    def strike_off(self, request, pk=None):
        item = self.get_object()
        body = StrikeOffSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(run(lambda: ledger.strike_off(
            actor=request.user, item=item, resolution=body.validated_data["resolution"],
            evidence=body.validated_data.get("evidence"))))


# --- Campaigns --------------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.none())
    case_count = serializers.IntegerField(read_only=True)
    moved_up = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "region", "name", "start", "end", "target_share", "case_count",
                  "moved_up"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["region"].queryset = scoping.visible_regions(request.user).exclude(
                level=RegionLevel.TOWNSHIP)
        return fields

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"end": [_("A campaign ends after it starts.")]})
        region = attrs.get("region", getattr(self.instance, "region", None))
        if not scoping.can_manage_campaigns(self.context["request"].user, region):
            raise PermissionDenied(_("Only the organization department of the region runs "
                                     "its campaigns."))
        return attrs


class CampaignViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                      viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    permission_classes = BASE_PERMISSIONS

    def get_queryset(self):
        visible = scoping.visible_villages(self.request.user)
        return (scoping.visible_campaigns(self.request.user)
                .annotate(case_count=Count("cases", filter=Q(cases__village__in=visible)),
                          moved_up=Count("cases", filter=Q(cases__village__in=visible,
                                                           cases__outcome=Outcome.MOVED_UP)))
                .order_by("-start", "pk"))

    def perform_update(self, serializer):
        if not scoping.can_manage_campaigns(self.request.user, serializer.instance.region):
            raise PermissionDenied(_("Only the organization department of the region runs "
                                     "its campaigns."))
        serializer.save()


# --- Help teams -------------------------------------------------------------------------------


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
        return (scoping.visible_help_teams(self.request.user).select_related("lead")
                .prefetch_related(Prefetch("members", HelpTeamMember.objects.select_related(
                    "person")), "assignments")
                .order_by("county__code", "name"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = run(lambda: teams.form_team(
            actor=self.request.user, county=data["county"], name=data["name"],
            lead=data["lead"], formed_on=data.get("formed_on")))

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
        run(lambda: teams.assign_villages(actor=request.user, team=team, villages=found))
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
        run(lambda: teams.add_member(actor=request.user, team=team, person=person,
                                     role=body.validated_data["role"],
                                     unit=body.validated_data["unit"]))
        return self._respond(team)

    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        team = self.get_object()
        return self._respond(run(lambda: teams.dissolve_team(actor=request.user, team=team)))
