"""Admin for the rectification work, scoped like everything else through villages/scoping.py.

Records of the work are never deleted here (ScopedAdmin allows deletes to superusers only);
ledger items not even by a superuser. Ledger moves (start, strike off) need evidence and go
through the HTML page or the API, so the admin shows ledger items read-only.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework import visibility
from casework.models import (
    Campaign,
    Case,
    CaseMeasure,
    CoordinationMeeting,
    EvidenceFile,
    HelpTeam,
    HelpTeamMember,
    HelpTeamVillage,
    HouseholdContact,
    InstructorDays,
    LedgerItem,
    Pairing,
    PersonnelMeasure,
    PointsEntry,
    PointsRule,
    ProblemType,
    Project,
    Visit,
)
from villages import scoping
from villages.admin import ScopedAdmin


class VillageScopedAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Rows that hang off a village: seen within the village scope, changed by the county."""

    village_path = "village"

    def scoped_queryset(self, user, queryset):
        return queryset.filter(**{f"{self.village_path}__in": scoping.visible_villages(user)})

    def can_change(self, user, obj):
        village = obj
        for part in self.village_path.split("__"):
            village = getattr(village, part)
        return scoping.can_manage_cases(user, village)

    def choices_for(self, field_name, user):
        extra = {
            "partner_village": scoping.visible_villages(user),
            "partner_person": scoping.visible_people(user),
            "responsible_leader": scoping.visible_people(user),
            "tracking_person": scoping.visible_people(user),
            "member": scoping.visible_people(user),
            "lead": scoping.visible_people(user),
            "case": visibility.cases(user),
            "pairing": visibility.pairings(user),
            "campaign": visibility.campaigns(user),
        }
        if field_name in extra:
            return extra[field_name]
        return super().choices_for(field_name, user)


@admin.register(ProblemType)
class ProblemTypeAdmin(ScopedAdmin):
    list_display = ["word", "name", "group", "remedy"]
    list_filter = ["group"]

    def scoped_queryset(self, user, queryset):
        return queryset

    def has_add_permission(self, request):
        return scoping.can_manage_problem_types(request.user)

    def can_change(self, user, obj):
        return scoping.can_manage_problem_types(user)


class MeasureInline(admin.TabularInline):
    model = CaseMeasure
    extra = 0
    can_delete = False


@admin.register(Case)
class CaseAdmin(VillageScopedAdmin):
    list_display = ["village", "campaign", "status", "outcome", "opened_at"]
    list_filter = ["status", "outcome", "source"]
    search_fields = ["village__name", "village__code"]
    list_select_related = ["village", "campaign"]
    autocomplete_fields = ["village", "responsible_leader", "tracking_person"]
    inlines = [MeasureInline]
    # Status moves need the domain's checks (confirmation, outcome, evidence).
    readonly_fields = ["status", "outcome", "outcome_at", "confirmed_by", "confirmed_at",
                       "closing_note", "closing_evidence", "closed_by", "closed_at",
                       "opened_by", "opened_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "region", "start", "end", "target_share"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=visibility.campaigns(user))

    def can_change(self, user, obj):
        return scoping.can_manage_campaigns(user, obj.region)


class MemberInline(admin.TabularInline):
    model = HelpTeamMember
    extra = 0
    can_delete = False
    autocomplete_fields = ["person"]


class TeamVillageInline(admin.TabularInline):
    model = HelpTeamVillage
    extra = 0
    can_delete = False
    autocomplete_fields = ["village"]


@admin.register(HelpTeam)
class HelpTeamAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "county", "lead", "status"]
    list_filter = ["status"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]
    inlines = [MemberInline, TeamVillageInline]
    readonly_fields = ["status", "dissolved_on"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=visibility.help_teams(user))

    def can_change(self, user, obj):
        return scoping.can_manage_help_teams(user, obj.county)

    def choices_for(self, field_name, user):
        if field_name == "county":
            return scoping.visible_regions(user).filter(level="county")
        if field_name == "lead":
            return scoping.visible_people(user)
        return super().choices_for(field_name, user)


@admin.register(CoordinationMeeting)
class MeetingAdmin(VillageScopedAdmin):
    list_display = ["team", "date"]
    village_path = "team__county"

    def scoped_queryset(self, user, queryset):
        return queryset.filter(team__in=visibility.help_teams(user))

    def can_change(self, user, obj):
        return scoping.can_manage_help_teams(user, obj.team.county)


@admin.register(Pairing)
class PairingAdmin(VillageScopedAdmin):
    list_display = ["village", "kind", "partner_label", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["village__name", "partner_name"]
    list_select_related = ["village", "partner_person", "partner_village"]
    autocomplete_fields = ["village", "partner_person", "partner_village"]


@admin.register(Visit)
class VisitAdmin(VillageScopedAdmin):
    list_display = ["village", "date", "visitor"]
    list_select_related = ["village"]
    date_hierarchy = "date"
    readonly_fields = ["logged_by"]


@admin.register(Project)
class ProjectAdmin(VillageScopedAdmin):
    list_display = ["name", "village", "partner", "funds", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["village"]


@admin.register(InstructorDays)
class InstructorDaysAdmin(VillageScopedAdmin):
    list_display = ["person", "village", "month", "days"]
    list_filter = ["month"]
    list_select_related = ["person", "village"]
    readonly_fields = ["logged_by"]


@admin.register(PersonnelMeasure)
class PersonnelMeasureAdmin(VillageScopedAdmin):
    list_display = ["kind", "person", "village", "date"]
    list_filter = ["kind"]
    list_select_related = ["person", "village"]
    autocomplete_fields = ["person", "village"]


@admin.register(HouseholdContact)
class HouseholdContactAdmin(VillageScopedAdmin):
    list_display = ["member", "village", "households"]
    list_select_related = ["member", "village"]
    autocomplete_fields = ["member", "village"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(VillageScopedAdmin):
    list_display = ["original_name", "village", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["village", "uploaded_by"]

    def has_add_permission(self, request):
        return False

    def can_change(self, user, obj):
        return False


@admin.register(LedgerItem)
class LedgerItemAdmin(VillageScopedAdmin):
    list_display = ["village", "number", "problem", "problem_type", "status", "due", "overdue"]
    list_filter = ["status", "overdue", "problem_type"]
    search_fields = ["village__name", "village__code", "problem"]
    list_select_related = ["village", "problem_type"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def can_change(self, user, obj):
        return False

    def has_delete_permission(self, request, obj=None):
        # 挂牌销号: an item is struck off, never deleted — not even by a superuser.
        return False


class ReadOnlyLedgerAdmin(ScopedAdmin):
    """The points ledger and its rule versions are written only by the domain functions (the
    monthly task, the points pages): the admin shows them and changes nothing, not even for a
    superuser."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def can_change(self, user, obj):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsRule)
class PointsRuleAdmin(ReadOnlyLedgerAdmin):
    list_display = ["label", "code", "county", "version", "points", "effective_from",
                    "effective_until"]
    list_filter = ["derived_from"]
    list_select_related = ["county"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(county__in=scoping.visible_regions(user))


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyLedgerAdmin):
    list_display = ["person", "period", "code", "points", "village", "recorded_by",
                    "recorded_at", "reverses"]
    list_filter = ["code"]
    search_fields = ["person__name", "village__name", "period"]
    list_select_related = ["person", "village", "recorded_by", "reverses"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=visibility.points_entries(user).values("pk"))
