"""HTML for quarterly evaluations: ranked table and its export, entry form, movement,
tracking people, approval. Thin: parse, check rights, call the domain. Score files:
``views/scorefiles.py``; indicator catalogues: ``views/catalogue.py``."""


from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import xlsx
from core.errors import DomainError
from core.http import errors_as_message, errors_on_form
from core.pagination import paginate
from core.periods import parse_quarter
from earlywarning import catalogue, evaluations, visibility
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationStatus,
    IndicatorSet,
    Tier,
)
from villages import scoping
from villages.models import Person, PostAssignment, Region, RegionLevel

PAGE_SIZE = 100


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
    wanted = request.GET.get("county")
    region = evaluations.readable_county(request.user, wanted) if wanted else None
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
            "county": county, "quarter": None, "quarters": quarters})
    form, rows = _filtered_rows(request, county, quarter, quarters)
    page, query = paginate(request, rows, default=PAGE_SIZE)
    return render(request, "earlywarning/evaluations/ranked.html", {
        "county": county, "quarter": quarter, "quarters": quarters, "filter": form,
        "page": page, "query": query,
        **evaluations.county_counts(request.user, county=county, quarter=quarter),
        "submit_region": evaluations.submission_region(request.user, county),
    })


@login_required
def evaluation_export(request):
    if not scoping.can_export(request.user):
        raise PermissionDenied
    county, quarter, quarters = _county_and_quarter(request)
    if county is None or quarter is None:
        raise Http404
    _form, rows = _filtered_rows(request, county, quarter, quarters)
    return xlsx.response(evaluations.ranked_workbook(rows, quarter=quarter),
                         f"evaluations-{county.code}-{quarter}")


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
        can_assign = scoping.can_assign_tracking_in(request.user, county)
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
