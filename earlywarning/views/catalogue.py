"""HTML for indicator catalogues: the sets a user may read, a set's indicators, import and
export of a set as Excel."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import xlsx
from core.http import errors_on_form
from earlywarning import catalogue, visibility
from villages import scoping
from villages.models import Region, RegionLevel


class IndicatorSetImportForm(forms.Form):
    region = forms.ModelChoiceField(label=gettext_lazy("Applies to"),
                                    queryset=Region.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    file = forms.FileField(label=gettext_lazy("Indicator file (Excel .xlsx)"))
    replace = forms.BooleanField(label=gettext_lazy("Replace the indicators of an unfrozen set "
                                                    "with this name"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = scoping.visible_regions(user).filter(
            level__in=[RegionLevel.CITY, RegionLevel.COUNTY]).order_by("path")


@login_required
def indicator_set_list(request):
    can_manage = scoping.can_manage_master_data(request.user)
    form = IndicatorSetImportForm(request.POST or None, request.FILES or None,
                                  user=request.user) if can_manage else None
    errors = []
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            with errors_on_form(form):
                try:
                    indicator_set = catalogue.import_indicator_set(
                        actor=request.user, region=data["region"], year=data["year"],
                        name=data["name"], file=data["file"], replace=data["replace"])
                except catalogue.CatalogueError as error:
                    errors = [e.as_dict() for e in error.errors]
                else:
                    messages.success(
                        request, _("Indicator set “%(set)s” stored.") % {"set": indicator_set})
                    return redirect("indicator-set-detail", indicator_set.pk)
    return render(request, "earlywarning/evaluations/sets.html", {
        "sets": catalogue.sets_for_user(request.user), "form": form, "errors": errors})


@login_required
def indicator_set_detail(request, pk: int):
    indicator_set = get_object_or_404(visibility.indicator_sets(request.user)
                                      .select_related("region"), pk=pk)
    return render(request, "earlywarning/evaluations/set_detail.html", {
        "set": indicator_set, "groups": catalogue.indicators_by_category(indicator_set)})


@login_required
def indicator_set_export(request, pk: int):
    if not scoping.can_export(request.user):
        raise PermissionDenied
    indicator_set = get_object_or_404(visibility.indicator_sets(request.user), pk=pk)
    return xlsx.response(catalogue.indicator_set_workbook(indicator_set),
                         f"indicators-{indicator_set.pk}")

