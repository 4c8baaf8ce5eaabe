"""Admin for evaluations: catalogues are edited here until frozen; scores, evaluations, imports
and tracking are read here and changed only through the domain functions (pages, API, command)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from earlywarning import evaluations, visibility
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationEvent,
    Indicator,
    IndicatorSet,
    ScoreImport,
    TrackingAssignment,
)
from villages import scoping
from villages.admin import ScopedAdmin


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["position", "code", "category", "subcategory", "name", "max_score", "weight",
              "higher_is_better"]

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and scoping.can_manage_master_data(request.user)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and scoping.can_manage_master_data(request.user)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and scoping.can_manage_master_data(request.user)


@admin.register(IndicatorSet)
class IndicatorSetAdmin(ScopedAdmin):
    list_display = ["name", "region", "year", "is_illustrative", "frozen_at"]
    list_filter = ["year", "is_illustrative"]
    search_fields = ["name"]
    list_select_related = ["region"]
    readonly_fields = ["frozen_at", "created_at"]
    inlines = [IndicatorInline]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=visibility.indicator_sets(user))

    def can_change(self, user, obj):
        return not obj.is_frozen and scoping.can_manage_indicator_sets(user, obj.region)

    def save_model(self, request, obj, form, change):
        if not scoping.can_manage_indicator_sets(request.user, obj.region):
            raise PermissionDenied
        if change and IndicatorSet.objects.filter(pk=obj.pk, frozen_at__isnull=False).exists():
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Rows written by the domain functions only; the admin shows them."""

    def has_add_permission(self, request):
        return False

    def can_change(self, user, obj):
        return False


class EvaluationEventInline(admin.TabularInline):
    model = EvaluationEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyScopedAdmin):
    list_display = ["village", "quarter", "county", "total", "rank", "tier", "status"]
    list_filter = ["quarter", "tier", "status", "county"]
    search_fields = ["village__name", "village__code"]
    list_select_related = ["village", "county"]
    inlines = [EvaluationEventInline]
    actions = ["reopen_selected"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(village__in=scoping.visible_villages(user))

    @admin.action(description=_("Reopen selected evaluations (reason: reopened in admin)"))
    def reopen_selected(self, request, queryset):
        reopened = 0
        for evaluation in queryset.select_related("village__township"):
            try:
                evaluations.reopen_evaluation(actor=request.user, evaluation=evaluation,
                                              reason=str(_("Reopened in the admin.")))
                reopened += 1
            except DomainError:
                continue
        self.message_user(request, _("%(count)s evaluations reopened.") % {"count": reopened})


@admin.register(ScoreImport)
class ScoreImportAdmin(ReadOnlyScopedAdmin):
    list_display = ["imported_at", "region", "quarter", "source", "villages", "scores",
                    "replace", "replaced", "imported_by"]
    list_filter = ["quarter", "source", "replace"]
    list_select_related = ["region", "imported_by"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(region__in=scoping.visible_regions(user))


@admin.register(TrackingAssignment)
class TrackingAssignmentAdmin(ReadOnlyScopedAdmin):
    list_display = ["village", "quarter", "person", "assigned_at", "closed_quarter"]
    list_filter = ["quarter", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["village__name", "village__code", "person__name"]
    list_select_related = ["village", "person"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(village__in=scoping.visible_villages(user))
