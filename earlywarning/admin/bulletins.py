"""Bulletins are read-only here: they are built, published and corrected only through
``earlywarning/bulletins.py`` (the bulletin pages, the API and the monthly task), and a
published revision never changes, so the admin offers no add, change or delete at all."""

from django.contrib import admin

from earlywarning import visibility
from earlywarning.admin.ratings import ReadOnlyScopedAdmin
from earlywarning.models.bulletins import Bulletin, BulletinEntry


class BulletinEntryInline(admin.TabularInline):
    model = BulletinEntry
    fields = ["township_name", "village_name", "color", "previous_color", "change", "tier",
              "case_status", "open_ledger_items", "overdue_ledger_items"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyScopedAdmin):
    list_display = ["region", "month", "revision", "status", "generated_at", "published_at"]
    list_filter = ["status", "month"]
    list_select_related = ["region"]
    inlines = [BulletinEntryInline]
    exclude = ["snapshot"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=visibility.bulletins(user).values("pk"))

    def has_delete_permission(self, request, obj=None):
        return False
