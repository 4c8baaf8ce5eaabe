"""HTML for score files: the template a county fills in, and the upload with its preview."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import xlsx
from core.errors import DomainError
from core.http import on_invalid
from core.periods import Quarter, parse_quarter
from earlywarning import catalogue, evaluations, imports, scorefiles, uploads
from villages import scoping
from villages.models import RegionLevel


class UploadForm(forms.Form):
    region = forms.TypedChoiceField(label=gettext_lazy("Region"), coerce=int)
    quarter = forms.CharField(label=gettext_lazy("Quarter"), max_length=10,
                              help_text=gettext_lazy("For example 2026Q3."))
    file = forms.FileField(label=gettext_lazy("Score file (Excel .xlsx or CSV)"))
    replace = forms.BooleanField(
        label=gettext_lazy("Replace scores already stored for this quarter"), required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {region.pk: region for region in regions}
        self.fields["region"].choices = [
            (region.pk, f"{region.parent.name} · {region.name}" if region.parent_id
             and region.level == RegionLevel.TOWNSHIP else region.name)
            for region in regions]


@login_required
def evaluation_template(request):
    regions = {region.pk: region for region in imports.import_regions(request.user)}
    try:
        region = regions[int(request.GET.get("region", ""))]
        quarter = parse_quarter(request.GET.get("quarter", ""))
    except (ValueError, KeyError, DomainError):
        raise Http404 from None
    indicator_set = catalogue.applicable_set(region, quarter.year)
    if indicator_set is None:
        raise Http404
    villages = (scoping.score_writable_villages(request.user).in_region(region)
                .filter(is_active=True).order_by("code"))
    workbook = scorefiles.template_workbook(
        villages=villages, indicator_set=indicator_set, quarter=quarter,
        scores=evaluations.scores_by_village(villages, quarter))
    return xlsx.response(workbook, f"scores-{region.code}-{quarter}")


@login_required
def evaluation_upload(request):
    """Step 1 checks the file and shows a preview or every error; step 2 commits it."""
    regions = imports.import_regions(request.user)
    if not regions:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("token"):
        return _confirm(request, regions)
    form = UploadForm(request.POST or None, request.FILES or None, regions=regions,
                      initial={"quarter": str(Quarter.current())})
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        region = form.regions[form.cleaned_data["region"]]
        errors = context["errors"] = []
        with on_invalid(lambda error: errors.extend(scorefiles.error_items(error))):
            token, result = uploads.preview(
                session=request.session, actor=request.user, region=region,
                quarter=form.cleaned_data["quarter"], upload=form.cleaned_data["file"],
                replace=form.cleaned_data["replace"])
            context.update({"result": result, "token": token, "region": region})
    return render(request, "earlywarning/evaluations/upload.html", context)


def _confirm(request, regions):
    failed = []
    with on_invalid(failed.append):
        result = uploads.confirm(session=request.session, actor=request.user,
                                 token=request.POST["token"])
        messages.success(request, _("%(villages)s villages and %(scores)s scores stored for "
                                    "%(quarter)s; the counties are re-tiered.")
                         % {"villages": result.villages, "scores": result.scores,
                            "quarter": result.quarter})
        county = result.region.county or result.region
        return redirect(f"{reverse('evaluation-list')}?"
                        f"{urlencode({'county': county.pk, 'quarter': str(result.quarter)})}")
    if isinstance(failed[0], uploads.UploadExpired):
        messages.error(request, str(failed[0].message))
        return redirect("evaluation-upload")
    return render(request, "earlywarning/evaluations/upload.html", {
        "form": UploadForm(regions=regions), "errors": scorefiles.error_items(failed[0])})
