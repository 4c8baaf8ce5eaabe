"""Admin for village lineage. It lives in the top layer because making an event is the top
layer's function (``rectify.lineage.make_event``: the register and the carried-over work in one
transaction). Events are shown read-only; "add" asks the same questions as ``/lineage/new/``."""

from django.contrib import admin

from core.http import errors_on_form
from rectify import lineage
from rectify.forms import LineageEventForm
from villages import lineage as villages_lineage
from villages import scoping
from villages.admin import ScopedAdmin
from villages.models import LineageEvent, LineageLink


class LinkInline(admin.TabularInline):
    model = LineageLink
    fields = ["village", "role", "retired", "created"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return scoping.can_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def admin_form(user):
    """The lineage form shaped for the admin's add view (it passes ``instance`` and then calls
    ``save(commit=False)`` and ``save_m2m()``)."""

    class AdminLineageForm(LineageEventForm):
        def __init__(self, *args, instance=None, **kwargs):
            super().__init__(*args, user=user, **kwargs)
            self.instance = instance or LineageEvent()
            self.event = None

        def clean(self):
            # The event is made here, not in save(): only here can the domain's refusal still
            # land beside its field. The admin's add view runs in one transaction, so a later
            # failure rolls the event back as well.
            cleaned = super().clean()
            if not self.errors:
                with errors_on_form(self):
                    self.event = lineage.make_event(actor=user, **self.arguments())
            return cleaned

        def save(self, commit=False):
            return self.event

        def save_m2m(self):
            """Nothing more: the event's villages are written with it."""

    return AdminLineageForm


@admin.register(LineageEvent)
class LineageEventAdmin(ScopedAdmin):
    list_display = ["effective_date", "kind", "document_number", "county", "made_by"]
    list_filter = ["kind"]
    search_fields = ["document_number", "links__village__name", "links__village__code"]
    list_select_related = ["county", "made_by"]
    inlines = [LinkInline]
    readonly_fields = ["kind", "county", "effective_date", "document_number", "reason",
                       "carried_to", "from_township", "to_township", "made_by", "made_at"]

    def scoped_queryset(self, user, queryset):
        return queryset.filter(pk__in=villages_lineage.visible_events(user).values("pk"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return admin_form(request.user)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": list(LineageEventForm.base_fields)})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        """The form made the event already (``admin_form``)."""

    def save_related(self, request, form, formsets, change):
        """Nothing to save: links and carried work were written with the event."""

    def has_delete_permission(self, request, obj=None):
        return False
