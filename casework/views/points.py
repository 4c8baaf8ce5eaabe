"""The points pages (积分制): the yearly summary per cadre for 年度考核 and its Excel export, a
cadre's page with every entry (reverse, record by hand), and a county's rules with their
versions (change, add). Reads come from ``casework/points_summary.py``; every write is a domain
function of ``casework/points.py``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import exports, points, points_summary, visibility
from casework.filters import PointsFilter
from casework.forms import RecordPointsForm, ReverseEntryForm, RuleAddForm, RuleChangeForm
from casework.models import DERIVED_SOURCES, PointsRule, PointsSource
from core import xlsx
from core.http import errors_as_message, errors_on_form
from core.pagination import PAGE_SIZES, paginate
from villages import scoping
from villages.models import Person, Region, RegionLevel


def _summary_filter(request) -> tuple[PointsFilter, int]:
    """The filter with the year defaulting to this one, and the year it shows."""
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    found = PointsFilter(data, queryset=visibility.points_entries(request.user), request=request)
    year = found.form.cleaned_data.get("year") if found.is_valid() else None
    return found, year or timezone.localdate().year


@login_required
def points_list(request):
    found, year = _summary_filter(request)
    page, query = paginate(request, points_summary.summarize(found.qs))
    labels = dict(PointsSource.choices)
    rows = [{**row, "by_source": [row[code] for code in DERIVED_SOURCES]}
            for row in page.object_list]
    return render(request, "casework/points_list.html", {
        "filter": found, "page": page, "rows": rows, "query": query, "page_sizes": PAGE_SIZES,
        "year": year, "sources": [(code, labels[code]) for code in DERIVED_SOURCES],
        "can_export": scoping.can_export(request.user),
    })


@login_required
def points_export(request):
    if not scoping.can_export(request.user):
        raise PermissionDenied
    found, year = _summary_filter(request)
    return xlsx.response(exports.points_workbook(points_summary.summarize(found.qs), year=year),
                         f"points-{year}")


def _person_or_404(user, pk: int) -> Person:
    """A cadre with points the user may see, or a person in the user's region."""
    earned = visibility.points_entries(user).values("person")
    return get_object_or_404(Person.objects.filter(
        Q(pk__in=earned) | Q(pk__in=scoping.visible_people(user).values("pk"))), pk=pk)


def _record_form(user, person, data=None) -> RecordPointsForm | None:
    counties = scoping.visible_regions(user).filter(level=RegionLevel.COUNTY)
    rules = PointsRule.objects.filter(derived_from=PointsSource.MANUAL,
                                      effective_until__isnull=True, county__in=counties)
    villages = scoping.visible_villages(user).filter(
        Q(pairings__partner_person=person) | Q(points_entries__person=person)).distinct()
    if not any(scoping.can_manage_points_rules(user, c) for c in counties) or not rules:
        return None
    return RecordPointsForm(data, rules=rules.order_by("label"),
                            villages=villages.order_by("code"))


@login_required
def points_person(request, pk: int, record_form=None):
    person = _person_or_404(request.user, pk)
    years = points_summary.person_years(request.user, person)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else None
    entries = list(points_summary.person_entries(request.user, person, year=year))
    for entry in entries:
        entry.can_reverse = (not hasattr(entry, "reversal")
                             and scoping.can_correct_points(request.user, entry.village))
    return render(request, "casework/points_person.html", {
        "person": person, "entries": entries, "years": years, "year": year,
        "total": sum(e.points for e in entries),
        "reverse_form": ReverseEntryForm(),
        "record_form": record_form or _record_form(request.user, person),
    }, status=400 if record_form is not None else 200)


@login_required
@require_POST
def points_record(request, pk: int):
    person = _person_or_404(request.user, pk)
    form = _record_form(request.user, person, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        with errors_on_form(form):
            points.record_entry(actor=request.user, person=person, **form.cleaned_data)
            messages.success(request, _("Points recorded."))
            return redirect("points-person", person.pk)
    return points_person(request, pk, record_form=form)


@login_required
@require_POST
def points_reverse(request, pk: int):
    entry = get_object_or_404(visibility.points_entries(request.user).select_related(
        "village__township"), pk=pk)
    form = ReverseEntryForm(request.POST)
    with errors_as_message(request):
        points.reverse_entry(actor=request.user, entry=entry,
                             reason=form.data.get("reason", ""))
        messages.success(request, _("Entry %(id)d reversed.") % {"id": entry.pk})
    return redirect("points-person", entry.person_id)


# --- Rules ----------------------------------------------------------------------------------------


def _county(request, pk=None):
    counties = scoping.visible_regions(request.user).filter(level=RegionLevel.COUNTY)
    wanted = pk or request.GET.get("county", "")
    if str(wanted).isdigit():
        return get_object_or_404(counties, pk=int(wanted))
    own = scoping.scope_region(request.user)
    return (own.county if own and own.county else None) or counties.order_by("code").first()


@login_required
def points_rules(request, county_id=None, forms=None):
    county = _county(request, county_id)
    can_manage = county is not None and scoping.can_manage_points_rules(request.user, county)
    if county is not None:
        # A county created since the last monthly posting gets today's rules on first sight.
        points.ensure_default_rules(Region.objects.filter(pk=county.pk))
    versions = list(points.county_rules(county)) if county else []
    forms = forms or {}
    for rule in versions:
        rule.form = (forms.get(rule.pk) or RuleChangeForm(
            initial={"label": rule.label, "points": rule.points}, prefix=f"r{rule.pk}")
                     ) if can_manage and rule.effective_until is None else None
    return render(request, "casework/points_rules.html", {
        "county": county, "versions": versions, "can_manage": can_manage,
        "counties": scoping.visible_regions(request.user).filter(
            level=RegionLevel.COUNTY).order_by("code"),
        "add_form": forms.get("add") or (RuleAddForm(prefix="add") if can_manage else None),
    }, status=400 if forms else 200)


@login_required
@require_POST
def points_rule_change(request, pk: int):
    rule = get_object_or_404(PointsRule.objects.filter(
        county__in=scoping.visible_regions(request.user)).select_related("county"), pk=pk)
    form = RuleChangeForm(request.POST, prefix=f"r{rule.pk}")
    if form.is_valid():
        with errors_on_form(form):
            points.change_rule(actor=request.user, rule=rule, **form.cleaned_data)
            messages.success(request, _("The rule has a new version."))
            return redirect(_rules_url(rule.county))
    return points_rules(request, rule.county_id, forms={rule.pk: form})


@login_required
@require_POST
def points_rule_add(request, county_id: int):
    county = _county(request, county_id)
    form = RuleAddForm(request.POST, prefix="add")
    if form.is_valid():
        with errors_on_form(form):
            points.add_rule(actor=request.user, county=county, **form.cleaned_data)
            messages.success(request, _("Rule added."))
            return redirect(_rules_url(county))
    return points_rules(request, county.pk, forms={"add": form})


def _rules_url(county) -> str:
    return f"{reverse('points-rules')}?county={county.pk}"
