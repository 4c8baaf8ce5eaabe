"""HTML for quarterly evaluations: ranked table, upload with preview, entry form, movement,
tracking people, approval, indicator catalogues. Thin: parse, check rights, call the domain."""

import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from core.errors import DomainError, NotAllowed, NotFound
from core.http import errors_as_message, errors_on_form
from core.periods import Quarter, parse_quarter
from earlywarning import catalogue, evaluations, imports, tiering, visibility
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationStatus,
    IndicatorSet,
    ScoreImport,
    Tier,
)
from villages import scoping
from villages.models import Person, PostAssignment, Region, RegionLevel

PAGE_SIZE = 100
UPLOAD_DIR = "score-uploads"
UPLOAD_TTL_SECONDS = 24 * 60 * 60


# --- The ranked table ---------------------------------------------------------------------------


class RankedFilter(forms.Form):
    county = forms.ModelChoiceField(label=gettext_lazy("County"), queryset=Region.objects.none(),
                                    required=False)
    quarter = forms.ChoiceField(label=gettext_lazy("Quarter"), required=False)
    township = forms.ModelChoiceField(label=gettext_lazy("Township"),
                                      queryset=Region.objects.none(), required=False)
    tier = forms.TypedChoiceField(label=gettext_lazy("Tier"), coerce=int, required=False,
                                  empty_value=None,
                                  choices=[("", gettext_lazy("All tiers")), *Tier.choices])
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("All")), *EvaluationStatus.choices])
    search = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=50)

    def __init__(self, data, *, user, county, quarters):
        super().__init__(data)
        self.fields["county"].queryset = evaluations.visible_counties(user)
        self.fields["quarter"].choices = [(q, q) for q in quarters]
        townships = scoping.visible_regions(user).filter(level=RegionLevel.TOWNSHIP)
        if county is not None:
            townships = townships.filter(parent=county)
        self.fields["township"].queryset = townships.order_by("code")


def _county_and_quarter(request):
    """The county and quarter a page is about, from ?county= and ?quarter= or sensible defaults."""
    region = None
    if request.GET.get("county"):
        wanted = request.GET["county"]
        own = scoping.scope_region(request.user)
        # A township official reads the ranking of its own county (its own villages' rows).
        if own is not None and own.county is not None and wanted == str(own.county.pk):
            region = own.county
        elif wanted.isdigit():
            region = scoping.visible_regions(request.user).filter(
                pk=int(wanted), level=RegionLevel.COUNTY).first()
        if region is None:
            raise Http404
    county = evaluations.county_of(request.user, region)
    if county is None:
        return None, None, []
    quarters = evaluations.quarters_of(county)
    quarter = None
    if request.GET.get("quarter"):
        try:
            quarter = parse_quarter(request.GET["quarter"])
        except DomainError:
            quarter = None
    if quarter is None and quarters:
        quarter = parse_quarter(quarters[0])
    return county, quarter, quarters


def _filtered_rows(request, county, quarter, quarters):
    data = request.GET.copy()
    data["county"] = county.pk
    if quarter is not None:
        data["quarter"] = str(quarter)
    form = RankedFilter(data, user=request.user, county=county, quarters=quarters)
    rows = evaluations.ranked_rows(request.user, county=county, quarter=quarter)
    if form.is_valid():
        if form.cleaned_data["township"]:
            rows = rows.filter(village__township=form.cleaned_data["township"])
        if form.cleaned_data["tier"]:
            rows = rows.filter(tier=form.cleaned_data["tier"])
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        search = form.cleaned_data["search"].strip()
        if search:
            rows = rows.filter(village__name__icontains=search) | rows.filter(
                village__code__startswith=search)
    return form, rows


@login_required
def evaluation_list(request):
    county, quarter, quarters = _county_and_quarter(request)
    if county is None or quarter is None:
        return render(request, "earlywarning/evaluations/ranked.html", {
            "county": county, "quarter": None, "quarters": quarters,
            "can_upload": _can_upload_anywhere(request.user)})
    form, rows = _filtered_rows(request, county, quarter, quarters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # Counts of what the user may see; the class sizes come from the whole county's cohort.
    visible = visibility.evaluations(request.user).filter(county=county,
                                                               quarter=str(quarter))
    counts = {(row["tier"], row["status"]): row["n"]
              for row in visible.values("tier", "status").annotate(n=Count("id"))}
    villages = Evaluation.objects.filter(county=county, quarter=str(quarter)).count()
    first, third = tiering.class_sizes(villages)
    query = request.GET.copy()
    query.pop("page", None)
    own = scoping.scope_region(request.user)
    return render(request, "earlywarning/evaluations/ranked.html", {
        "county": county, "quarter": quarter, "quarters": quarters, "filter": form,
        "page": page, "query": query.urlencode(),
        "tier_counts": [(tier, label, sum(n for (t, _s), n in counts.items() if t == tier))
                        for tier, label in Tier.choices],
        "status_counts": [(code, label, sum(n for (_t, s), n in counts.items() if s == code))
                          for code, label in EvaluationStatus.choices],
        "villages": villages, "class_one_places": first, "class_three_places": third,
        "can_export": scoping.can_export(request.user),
        "can_upload": _can_upload_anywhere(request.user),
        "can_approve": scoping.can_approve_evaluations(request.user, county),
        "submit_region": own if own is not None and own.level == RegionLevel.TOWNSHIP
        and scoping.can_import_scores(request.user, own) and own.parent_id == county.pk
        else (county if scoping.can_import_scores(request.user, county) else None),
    })


def _can_upload_anywhere(user) -> bool:
    return scoping.score_writable_villages(user).exists()


@login_required
def evaluation_export(request):
    if not scoping.can_export(request.user):
        raise PermissionDenied
    county, quarter, quarters = _county_and_quarter(request)
    if county is None or quarter is None:
        raise Http404
    _form, rows = _filtered_rows(request, county, quarter, quarters)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(quarter))
    sheet.append([_("Rank"), _("Division code"), _("Village"), _("Township"), _("Total"),
                  _("Tier"), _("Previous tier"), _("Movement"), _("Status"),
                  _("Tracking person")])
    for row in rows.iterator(chunk_size=2000):
        sheet.append([row.rank, row.village.code, row.village.name, row.village.township.name,
                      float(row.total), row.tier, row.previous_tier,
                      str(evaluations.Movement.LABELS.get(row.movement, "")),
                      row.get_status_display(), row.tracking_person or ""])
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="evaluations-{county.code}-{quarter}.xlsx"')
    workbook.save(response)
    return response


# --- Template and upload ------------------------------------------------------------------------


def _import_regions(user):
    """Regions a user may import for: staff's counties and townships, an official's township."""
    regions = scoping.visible_regions(user).filter(
        level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]).select_related("parent")
    return [region for region in regions.order_by("path")
            if scoping.can_import_scores(user, region)]


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
    regions = {region.pk: region for region in _import_regions(request.user)}
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
    scores: dict[int, dict] = {}
    for village_id, indicator_id, value in evaluations.IndicatorScore.objects.filter(
            evaluation__quarter=str(quarter), evaluation__village__in=villages).values_list(
            "evaluation__village_id", "indicator_id", "value").iterator(chunk_size=20000):
        scores.setdefault(village_id, {})[indicator_id] = value
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="scores-{region.code}-{quarter}.xlsx"')
    imports.write_template(villages=villages, indicator_set=indicator_set, quarter=quarter,
                           stream=response, scores=scores)
    return response


def _upload_path(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR / f"{token}.upload"


def _sweep_abandoned_uploads() -> None:
    """Previews never confirmed leave their file behind; a day later nobody will confirm."""
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for stale in folder.glob("*.upload"):
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)


@login_required
def evaluation_upload(request):
    """Step 1 checks the file and shows a preview or every error; step 2 commits it."""
    regions = _import_regions(request.user)
    if not regions:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("token"):
        return _commit_upload(request, regions)
    form = UploadForm(request.POST or None, request.FILES or None, regions=regions,
                      initial={"quarter": str(Quarter.current())})
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        region = form.regions[form.cleaned_data["region"]]
        upload = form.cleaned_data["file"]
        token = uuid.uuid4().hex
        path = _upload_path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep_abandoned_uploads()
        with path.open("wb") as stored:
            for chunk in upload.chunks():
                stored.write(chunk)
        try:
            with path.open("rb") as stored:
                result = imports.import_scores(
                    actor=request.user, region=region, quarter=form.cleaned_data["quarter"],
                    file=stored, file_name=upload.name, replace=form.cleaned_data["replace"],
                    dry_run=True)
        except (NotAllowed, NotFound):
            path.unlink(missing_ok=True)
            raise
        except DomainError as error:
            path.unlink(missing_ok=True)
            context["errors"] = _error_items(error)
        else:
            request.session[f"score-upload-{token}"] = {
                "region": region.pk, "quarter": str(result.quarter), "name": upload.name,
                "replace": form.cleaned_data["replace"]}
            context.update({"result": result, "token": token, "region": region})
    return render(request, "earlywarning/evaluations/upload.html", context)


def _error_items(error: DomainError) -> list[dict]:
    if isinstance(error, imports.ScoreImportFailed):
        return error.as_dict()["errors"]
    return [{"row": None, "column": error.field, "message": str(error.message)}]


def _commit_upload(request, regions):
    token = request.POST["token"]
    pending = request.session.get(f"score-upload-{token}") if token.isalnum() else None
    path = _upload_path(token) if pending else None
    if not pending or not path.exists():
        messages.error(request, _("That upload has expired; choose the file again."))
        return redirect("evaluation-upload")
    region = {r.pk: r for r in regions}.get(pending["region"])
    if region is None:
        raise PermissionDenied
    try:
        with path.open("rb") as stored:
            result = imports.import_scores(
                actor=request.user, region=region, quarter=pending["quarter"], file=stored,
                file_name=pending["name"], replace=pending["replace"],
                source=ScoreImport.Source.UPLOAD)
    except (NotAllowed, NotFound):
        raise
    except DomainError as error:
        return render(request, "earlywarning/evaluations/upload.html", {
            "form": UploadForm(regions=regions), "errors": _error_items(error)})
    finally:
        path.unlink(missing_ok=True)
        request.session.pop(f"score-upload-{token}", None)
    messages.success(request, _("%(villages)s villages and %(scores)s scores stored for "
                                "%(quarter)s; the counties are re-tiered.")
                     % {"villages": result.villages, "scores": result.scores,
                        "quarter": result.quarter})
    county = region.county or region
    return redirect(f"{reverse('evaluation-list')}?"
                    f"{urlencode({'county': county.pk, 'quarter': str(result.quarter)})}")


# --- Per-village entry form ---------------------------------------------------------------------


def _score_form(indicator_set: IndicatorSet, data=None, initial=None):
    groups = catalogue.indicators_by_category(indicator_set)
    form = forms.Form(data=data, initial=initial)
    for _category, indicators in groups:
        for indicator in indicators:
            form.fields[indicator.code] = forms.DecimalField(
                label=f"{indicator.code} {indicator.name}", min_value=0,
                max_value=indicator.max_score, max_digits=6, decimal_places=2,
                help_text=_("0 to %(max)s") % {"max": indicator.max_score}
                + ("" if indicator.higher_is_better else " · " + _("deduction: points lost")),
                widget=forms.NumberInput(attrs={"step": "0.01", "min": 0,
                                                "max": indicator.max_score,
                                                "inputmode": "decimal"}))
    sections = [(category, [form[indicator.code] for indicator in indicators],
                 sum(indicator.max_score for indicator in indicators))
                for category, indicators in groups]
    return form, sections


@login_required
def evaluation_entry(request, village_pk: int, quarter: str):
    village = get_object_or_404(scoping.visible_villages(request.user).select_related(
        "township__parent"), pk=village_pk)
    try:
        quarter = parse_quarter(quarter)
    except DomainError:
        raise Http404 from None
    if not scoping.can_enter_scores(request.user, village):
        raise PermissionDenied
    indicator_set = catalogue.applicable_set(village.township, quarter.year)
    if indicator_set is None:
        raise Http404
    evaluation = Evaluation.objects.filter(village=village, quarter=str(quarter)).first()
    initial = {}
    if evaluation is not None:
        initial = {code: value for code, value in evaluation.scores.values_list(
            "indicator__code", "value")}
    form, sections = _score_form(indicator_set, data=request.POST or None, initial=initial)
    locked = evaluation is not None and evaluation.is_locked
    if request.method == "POST" and not locked and form.is_valid():
        with errors_on_form(form):
            evaluations.save_village_scores(actor=request.user, village=village,
                                            quarter=quarter, values=form.cleaned_data)
            messages.success(request, _("Scores of %(village)s for %(quarter)s saved.")
                             % {"village": village.name, "quarter": quarter})
            return redirect("village-detail", village.pk)
    return render(request, "earlywarning/evaluations/entry.html", {
        "village": village, "quarter": quarter, "indicator_set": indicator_set,
        "form": form, "sections": sections, "evaluation": evaluation, "locked": locked})


# --- Movement and tracking ----------------------------------------------------------------------


@login_required
def evaluation_movement(request):
    county, quarter, quarters = _county_and_quarter(request)
    context = {"county": county, "quarter": quarter, "quarters": quarters,
               "counties": evaluations.visible_counties(request.user)}
    if county is not None and quarter is not None:
        movement = evaluations.warning_zone_movement(request.user, county=county,
                                                     quarter=quarter)
        can_assign = scoping.is_staff_over(request.user, county)
        if can_assign:
            warned = movement.entered + movement.stayed
            candidates = _candidates(request.user, county, warned)
            for row in warned:
                row.candidates = candidates[row.village_id]
        context.update({"movement": movement, "can_assign": can_assign})
    return render(request, "earlywarning/evaluations/movement.html", context)


def _candidates(user, county: Region, rows) -> dict[int, list[Person]]:
    """Who may follow each warned village: people in post there, and the county's own cadres."""
    village_ids = [row.village_id for row in rows]
    people = scoping.visible_people(user)
    in_post: dict[int, list[Person]] = {}
    for post in PostAssignment.objects.current().filter(
            village_id__in=village_ids, person__in=people).select_related("person"):
        in_post.setdefault(post.village_id, []).append(post.person)
    county_people = list(people.filter(region=county).order_by("name")[:200])
    return {village_id: in_post.get(village_id, []) + county_people
            for village_id in village_ids}


@login_required
@require_POST
def tracking_assign(request, pk: int):
    assignment = get_object_or_404(visibility.tracking_assignments(request.user)
                                   .select_related("village__township"), pk=pk)
    chosen = request.POST.get("person", "")
    person = scoping.visible_people(request.user).filter(pk=int(chosen)).first() \
        if chosen.isdigit() else None
    if not scoping.can_assign_tracking(request.user, assignment.village):
        raise PermissionDenied
    if person is None:
        messages.error(request, _("Choose a person."))
    else:
        with errors_as_message(request):
            evaluations.assign_tracking_person(actor=request.user, assignment=assignment,
                                               person=person)
            messages.success(request, _("%(person)s now follows %(village)s.")
                             % {"person": person.name, "village": assignment.village.name})
    next_url = request.POST.get("next")
    return redirect(next_url if _safe_next(next_url) else reverse("evaluation-movement"))


def _safe_next(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")


# --- Approval -----------------------------------------------------------------------------------


@login_required
@require_POST
def evaluation_approval(request):
    """Submit (township) or approve (county) a quarter's evaluations under a region."""
    chosen = request.POST.get("region", "")
    region = scoping.visible_regions(request.user).filter(pk=int(chosen)).first() \
        if chosen.isdigit() else None
    if region is None:
        raise Http404
    action = request.POST.get("action")
    operation = {"submit": evaluations.submit_evaluations,
                 "approve": evaluations.approve_evaluations}.get(action)
    if operation is None:
        raise Http404
    with errors_as_message(request):
        count = operation(actor=request.user, region=region, quarter=request.POST.get("quarter"))
        messages.success(request, (_("%(count)s evaluations submitted.") if action == "submit"
                                   else _("%(count)s evaluations approved."))
                         % {"count": count})
    county = region.county or region
    return redirect(f"{reverse('evaluation-list')}?"
                    f"{urlencode({'county': county.pk, 'quarter': request.POST.get('quarter')})}")


class ReopenForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for reopening"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def evaluation_reopen(request, pk: int):
    evaluation = get_object_or_404(visibility.evaluations(request.user).select_related(
        "village__township__parent"), pk=pk)
    if not scoping.can_approve_evaluations(request.user, evaluation.village.township):
        raise PermissionDenied
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on_form(form):
            evaluations.reopen_evaluation(actor=request.user, evaluation=evaluation,
                                          reason=form.cleaned_data["reason"])
            messages.success(request, _("The evaluation of %(village)s is a draft again.")
                             % {"village": evaluation.village.name})
            return redirect(f"{reverse('evaluation-list')}?" + urlencode(
                {"county": evaluation.county_id, "quarter": evaluation.quarter}))
    return render(request, "earlywarning/evaluations/reopen.html",
                  {"evaluation": evaluation, "form": form,
                   "events": evaluation.events.select_related("actor").order_by("at")})


# --- Indicator catalogues -----------------------------------------------------------------------


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
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="indicators-{indicator_set.pk}-{stamp}.xlsx"')
    catalogue.export_indicator_set(indicator_set, response)
    return response

