"""``/roster/``: a half-month's warning roster per township with every village's reasons, its
color this period and its history; the county adds and removes villages here, with a reason."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.http import errors_as_message
from core.pagination import PAGE_SIZES, paginate
from core.periods import HalfMonth
from earlywarning import roster
from earlywarning.models import Color, DecisionAction, RosterEntry, RosterReason
from earlywarning.views.ratings import period_from, recent_periods
from villages import scoping
from villages.models import RegionLevel


class RosterFilter(forms.Form):
    township = forms.ModelChoiceField(label=gettext_lazy("Region"), queryset=None,
                                      required=False, empty_label=gettext_lazy("All"))
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), required=False,
                               choices=[("", gettext_lazy("All")), *RosterReason.choices])
    color = forms.ChoiceField(label=gettext_lazy("Color this period"), required=False,
                              choices=[("", gettext_lazy("All")), *Color.choices,
                                       (roster.UNRATED, gettext_lazy("Not rated yet"))])
    removed = forms.BooleanField(label=gettext_lazy("Show the removed"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["township"].queryset = scoping.visible_regions(user).filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]).order_by("path")


class DecisionForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Village code"), max_length=12)
    action = forms.ChoiceField(label=gettext_lazy("Change"), choices=DecisionAction.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


@login_required
def roster_list(request):
    period = period_from(request, HalfMonth.current())
    found = RosterFilter(request.GET or None, user=request.user)
    options = found.cleaned_data if found.is_valid() else {}
    entries = roster.rows(request.user, period, region=options.get("township"),
                          reason=options.get("reason", ""), color=options.get("color", ""),
                          removed=bool(options.get("removed")))
    page, query = paginate(request, entries)
    return render(request, "earlywarning/roster/list.html", {
        "period": period, "periods": recent_periods(), "filter": found, "page": page,
        "query": query, "page_sizes": PAGE_SIZES,
        "rows": [(entry, roster.reasons(entry)) for entry in page],
        "decision_form": DecisionForm() if scoping.can_change_any_roster(request.user)
        else None,
    })


@login_required
@require_POST
def roster_decide(request):
    """The county adds a village to the roster or removes it (the current period, and any other
    still open for its township)."""
    form = DecisionForm(request.POST)
    period = period_from(request, HalfMonth.current())
    if form.is_valid():
        village = get_object_or_404(scoping.visible_villages(request.user).select_related(
            "township"), code=form.cleaned_data["code"].strip())
        with errors_as_message(request):
            roster.decide(actor=request.user, village=village,
                          action=form.cleaned_data["action"], reason=form.cleaned_data["reason"])
            messages.success(request, _("The warning roster was changed for %(village)s.")
                             % {"village": village.name})
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('roster-list')}?period={period}")


@login_required
def roster_entry(request, pk: int):
    entry = get_object_or_404(scoping.visible_by_village(request.user, RosterEntry.objects)
                              .select_related("village", "township__parent", "county_addition",
                                              "removal__made_by"), pk=pk)
    return render(request, "earlywarning/roster/entry.html", {
        "entry": entry, "reasons": roster.reasons(entry),
        "changes": entry.changes.select_related("by").order_by("at", "pk"),
    })
