import copy

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from villages import registry, scoping
from villages.models import (
    AnnualGrade,
    PartyBranch,
    Person,
    PostAssignment,
    Region,
    RegionLevel,
    User,
    Village,
)

admin.site.site_header = _("Village party branch rectification")
admin.site.site_title = _("Rectification administration")


class ScopedAdmin(admin.ModelAdmin):
    """Admin pages show and change only what ``villages/scoping.py`` allows.

    Subclasses say how a row is scoped (``scoped_queryset``) and whether a row may be changed
    (``can_change``); foreign-key choices are narrowed the same way, so a county user cannot
    pick another county's township from a drop-down or by typing an id.
    """

    def has_module_permission(self, request):
        return scoping.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        if not scoping.can_use_admin(request.user):
            return False
        # simple_history's history pages load the object, or an old version of it, without
        # get_queryset(); asking here keeps rows outside the scope out of them too.
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return scoping.can_manage_master_data(request.user)

    def has_change_permission(self, request, obj=None):
        if not scoping.can_manage_master_data(request.user):
            return False
        return obj is None or self.can_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # Records of rectification work are never deleted; regions and villages are merged
        # or deactivated instead.
        return scoping.can_delete_records(request.user)

    def get_queryset(self, request):
        return self.scoped_queryset(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = self.choices_for(db_field.name, request.user)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def choices_for(self, field_name, user):
        return {
            "township": scoping.assignable_townships(user),
            "village": scoping.visible_villages(user),
            "merged_into": scoping.visible_villages(user),
            "branch": PartyBranch.objects.filter(village__in=scoping.visible_villages(user)),
            "person": scoping.visible_people(user),
            "region": scoping.visible_regions(user),
            "parent": scoping.visible_regions(user).exclude(level=RegionLevel.TOWNSHIP),
        }.get(field_name)

    # Deny by default: a subclass that forgets to scope shows nothing and changes nothing.
    def scoped_queryset(self, user, queryset):
        return queryset.none()

    def can_change(self, user, obj) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=scoping.visible_regions(user))

    def can_change(self, user, obj):
        return scoping.can_edit_region(user, obj)

    def save_model(self, request, obj, form, change):
        # Judge the new place on a copy: Region.save() needs obj.path to still be the stored
        # path, or it cannot see the move and leaves the subtree under the old path.
        placed = copy.copy(obj)
        placed.path = obj.computed_path()
        if not scoping.can_edit_region(request.user, placed):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class PartyBranchInline(admin.StackedInline):
    # Rights come from scoping like everywhere else, not from Django's model permissions
    # (which no role holds); the parent village page already checked the object itself.
    model = PartyBranch
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return scoping.can_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return obj is not None and scoping.can_edit_village(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return obj is not None and scoping.can_edit_village(request.user, obj)


@admin.register(Village)
class VillageAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "code", "township", "county_name", "terrain", "population",
                    "star_rating", "is_active"]
    # Related-only: a plain related filter would list every county, inside the scope or not.
    list_filter = ["terrain", "is_active", "star_rating",
                   ("township__parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "township__name"]
    list_select_related = ["township__parent"]
    autocomplete_fields = ["merged_into"]
    inlines = [PartyBranchInline]

    @admin.display(description=_("County"), ordering="township__parent__name")
    def county_name(self, obj):
        return obj.township.parent.name

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=scoping.visible_villages(user))

    def can_change(self, user, obj):
        return scoping.can_edit_village(user, obj)

    def get_readonly_fields(self, request, obj=None):
        # A village in a merger or split keeps its code for good (villages/lineage.py).
        if obj is not None and obj.lineage_links.exists():
            return ["code"]
        return []

    def save_model(self, request, obj, form, change):
        registry.save_village(actor=request.user, village=obj)


@admin.register(PartyBranch)
class PartyBranchAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "village", "kind", "member_count", "founded"]
    list_filter = ["kind"]
    search_fields = ["name", "village__name", "village__code"]
    list_select_related = ["village"]
    autocomplete_fields = ["village"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(village__in=scoping.visible_villages(user))

    def can_change(self, user, obj):
        return scoping.can_edit_village(user, obj.village)


@admin.register(AnnualGrade)
class AnnualGradeAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["branch", "year", "grade", "graded_on"]
    list_filter = ["year", "grade"]
    search_fields = ["branch__name", "branch__village__name", "branch__village__code"]
    list_select_related = ["branch"]
    autocomplete_fields = ["branch"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(branch__village__in=scoping.visible_villages(user))

    def can_change(self, user, obj):
        return scoping.can_edit_village(user, obj.branch.village)


@admin.register(Person)
class PersonAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "gender", "employer", "region", "is_party_member"]
    list_filter = ["gender", "is_party_member"]
    search_fields = ["name", "phone", "employer"]
    list_select_related = ["region"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=scoping.visible_people(user))

    def can_change(self, user, obj):
        return scoping.can_edit_person(user, obj)


@admin.register(PostAssignment)
class PostAssignmentAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["person", "post", "village", "start", "end"]
    list_filter = ["post", ("end", admin.EmptyFieldListFilter)]
    search_fields = ["person__name", "village__name", "village__code"]
    list_select_related = ["person", "village"]
    autocomplete_fields = ["person", "village"]
    date_hierarchy = "start"

    def scoped_queryset(self, user, queryset):
        return queryset.filter(village__in=scoping.visible_villages(user))

    def can_change(self, user, obj):
        return scoping.can_edit_village(user, obj.village)


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["region"]
    filter_horizontal = ["assigned_villages"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Role and region"), {"fields": ["role", "region", "person", "assigned_villages"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role and region"), {"fields": ["role", "region"]}),
    ]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=scoping.visible_users(user))

    def can_change(self, user, obj):
        return scoping.can_edit_user(user, obj)

    def get_readonly_fields(self, request, obj=None):
        if scoping.can_grant_privileges(request.user):
            return ()
        return ("is_superuser", "is_staff", "user_permissions", "groups", "last_login",
                "date_joined")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "assigned_villages":
            kwargs["queryset"] = scoping.visible_villages(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
