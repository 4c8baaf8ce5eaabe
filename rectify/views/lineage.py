"""Village lineage pages: the events a user may see, one event with what it carried over, and
the county's form for a merger, split or township merger (撤乡并镇)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from casework import lineage as casework_lineage
from core.http import errors_on_form
from core.pagination import paginate
from rectify import lineage
from rectify.forms import LineageEventForm
from villages import lineage as villages_lineage
from villages import scoping


def _events(user):
    return (villages_lineage.visible_events(user)
            .select_related("county", "from_township", "to_township", "carried_to", "made_by")
            .prefetch_related("links__village")
            .order_by("-effective_date", "-pk"))


@login_required
def lineage_list(request):
    page, query = paginate(request, _events(request.user))
    for event in page.object_list:
        event.sides = lineage.event_sides(event)
    return render(request, "rectify/lineage_list.html", {
        "page": page, "query": query,
        "can_make": scoping.can_manage_master_data(request.user),
    })


@login_required
def lineage_detail(request, pk: int):
    event = get_object_or_404(_events(request.user), pk=pk)
    event.sides = lineage.event_sides(event)
    carried = casework_lineage.carried_by(event)
    return render(request, "rectify/lineage_detail.html", {"event": event, "carried": carried})


@login_required
def lineage_new(request):
    if not scoping.can_manage_master_data(request.user):
        raise PermissionDenied
    form = LineageEventForm(request.POST or None, user=request.user,
                            initial={"kind": request.GET.get("kind", "merger")})
    if request.method == "POST" and form.is_valid():
        with errors_on_form(form):
            event = lineage.make_event(actor=request.user, **form.arguments())
            messages.success(request, _("%(event)s recorded.") % {"event": event})
            return redirect("lineage-detail", event.pk)
    return render(request, "rectify/lineage_form.html", {"form": form},
                  status=400 if form.errors else 200)
