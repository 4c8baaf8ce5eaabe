"""Ratings, the warning roster, lock exceptions and the Shangyu rule's consequences are
read-only here.

They are written on the rating sheet, the roster, completeness and talk pages and the API,
which all go through the domain modules (``ratings.py``, ``roster.py``, ``locks.py``,
``consequences.py``) and their period and scope rules.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from earlywarning.models import (
    AwardEligibility,
    LockException,
    Notification,
    RosterChange,
    RosterDecision,
    RosterEntry,
    Talk,
    WarningRating,
)
from villages import scoping
from villages.admin import ScopedAdmin


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WarningRating)
class WarningRatingAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    list_display = ["village", "period", "color", "status", "rated_by", "rated_at"]
    list_filter = ["period", "color", "status"]
    search_fields = ["village__name", "village__code"]
    list_select_related = ["village", "rated_by"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(village__in=scoping.visible_villages(user))


@admin.register(RosterDecision)
class RosterDecisionAdmin(ReadOnlyScopedAdmin):
    list_display = ["village", "action", "reason", "made_by", "made_at", "ended_at"]
    list_filter = ["action", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["village__name", "village__code", "reason"]
    list_select_related = ["village", "made_by"]

    def scoped_queryset(self, user, queryset):
        return scoping.visible_by_village(user, queryset)


class RosterChangeInline(admin.TabularInline):
    model = RosterChange
    fields = ["at", "kind", "reason_kind", "detail", "by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RosterEntry)
class RosterEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["period", "village", "township", "poor_grade_year", "class_three_quarter",
                    "open_case", "county_addition", "removed_at"]
    list_filter = ["period", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["village__name", "village__code"]
    list_select_related = ["village", "township", "county_addition"]
    inlines = [RosterChangeInline]

    def scoped_queryset(self, user, queryset):
        return scoping.visible_by_village(user, queryset)


@admin.register(AwardEligibility)
class AwardEligibilityAdmin(ReadOnlyScopedAdmin):
    list_display = ["township", "year", "status", "lost_month", "red_count_before", "red_count",
                    "restored_by", "restored_at"]
    list_filter = ["year", "status"]
    list_select_related = ["township", "restored_by"]

    def scoped_queryset(self, user, queryset):
        return scoping.visible_in_subtree(user, queryset)


@admin.register(Talk)
class TalkAdmin(ReadOnlyScopedAdmin):
    list_display = ["township", "month", "status", "held_on", "held_by"]
    list_filter = ["status", "month"]
    list_select_related = ["township", "held_by"]

    def scoped_queryset(self, user, queryset):
        return scoping.visible_in_subtree(user, queryset)


@admin.register(LockException)
class LockExceptionAdmin(ReadOnlyScopedAdmin):
    list_display = ["township", "period", "open_until", "reason", "granted_by", "granted_at"]
    list_filter = ["period"]
    search_fields = ["township__name", "reason"]
    list_select_related = ["township", "granted_by"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(township__in=scoping.visible_regions(user))


@admin.register(Notification)
class NotificationAdmin(ReadOnlyScopedAdmin):
    list_display = ["user", "message", "created_at", "read_at"]
    list_select_related = ["user"]
    search_fields = ["message", "user__username"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(user__in=scoping.visible_users(user))
