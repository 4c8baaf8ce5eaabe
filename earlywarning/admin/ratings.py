"""Ratings, warning-list changes and lock exceptions are read-only here, with their history.

They are written on the rating sheet, the warning-list and completeness pages and the API,
which all go through ``earlywarning/ratings.py`` and its period and scope rules.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from earlywarning.models.ratings import (
    LockException,
    Notification,
    WarningListChange,
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


@admin.register(WarningListChange)
class WarningListChangeAdmin(ReadOnlyScopedAdmin, SimpleHistoryAdmin):
    list_display = ["village", "action", "reason", "made_by", "made_at", "ended_at"]
    list_filter = ["action", ("ended_at", admin.EmptyFieldListFilter)]
    search_fields = ["village__name", "village__code", "reason"]
    list_select_related = ["village", "made_by"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(village__in=scoping.visible_villages(user))


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
