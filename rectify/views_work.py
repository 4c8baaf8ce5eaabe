"""HTML pages for the rectification work: cases, the ledger, help teams, pairings, campaigns
and compliance. Views parse input, ask ``villages/scoping.py``, call a domain function, render.

A domain refusal (``NotAllowed``) is a 403; anything outside the user's scope is a 404.
"""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectify import cases, compliance, exports, ledger, pairing, points, teams
from rectify.errors import DomainError
from rectify.evidence import allowed_extensions
from rectify.filters import CaseFilter, LedgerFilter, PairingFilter
from rectify.forms import (
    CaseEditForm,
    CloseCaseForm,
    InstructorDaysForm,
    LedgerItemForm,
    MeasureForm,
    MeetingForm,
    OpenCaseForm,
    OutcomeForm,
    PairingForm,
    ProjectForm,
    StrikeOffForm,
    VisitForm,
    add_domain_error,
)
from rectify.models import (
    OPEN_CASE_STATUSES,
    CaseMeasure,
    CaseStatus,
    HelpTeamMember,
    InstructorDays,
    LedgerItem,
    LedgerStatus,
    Pairing,
    PairingKind,
    Visit,
)
from villages import listing, scoping
from villages.models import RegionLevel
from villages.registry import NotAllowed

PAGE_SIZES = (25, 50, 100, 200)
COMPLIANCE_ROWS = 100


def _page(request, queryset, default=50):
    try:
        size = int(request.GET.get("page_size", default))
    except ValueError:
        size = default
    size = size if size in PAGE_SIZES else default
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# --- Cases ------------------------------------------------------------------------------------


def case_rows(user):
    return (scoping.visible_cases(user)
            .select_related("village__township__parent", "campaign")
            .prefetch_related("problem_types")
            .annotate(open_items=Count("ledger_items", filter=~Q(
                ledger_items__status=LedgerStatus.STRUCK_OFF)))
            .order_by("village__code", "-opened_at"))


@login_required
def case_list(request):
    found = CaseFilter(request.GET, queryset=case_rows(request.user), request=request)
    page, query = _page(request, found.qs)
    return render(request, "rectify/case_list.html", {
        "filter": found, "page": page, "query": query, "page_sizes": PAGE_SIZES,
        "can_open": scoping.can_manage_master_data(request.user)
        or request.user.role == "township_official",
    })


def _openable_villages(user):
    year = listing.latest_grade_year()
    return (listing.backward_villages(user, year)
            .exclude(cases__status__in=OPEN_CASE_STATUSES, cases__campaign__isnull=True)
            .select_related("township").order_by("code"))


@login_required
def case_open(request):
    villages = _openable_villages(request.user)
    initial = {"source": "grade"}
    if request.GET.get("village"):
        initial["village"] = request.GET["village"]
    form = OpenCaseForm(request.POST or None, user=request.user, villages=villages,
                        initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = cases.open_case(actor=request.user, village=data["village"],
                                   source=data["source"], campaign=data["campaign"],
                                   problem_types=data["problem_types"], methods=data["methods"],
                                   summary=data["summary"])
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Case opened for %(village)s.")
                             % {"village": case.village.name})
            return redirect("case-detail", case.pk)
    return render(request, "rectify/case_open.html", {"form": form})


def _case_or_404(user, pk):
    return get_object_or_404(scoping.visible_cases(user).select_related(
        "village__township__parent", "campaign", "responsible_leader", "tracking_person",
        "opened_by", "confirmed_by", "closed_by", "closing_evidence"), pk=pk)


@login_required
def case_detail(request, pk: int, forms=None):
    case = _case_or_404(request.user, pk)
    village = case.village
    user = request.user
    can_manage = scoping.can_manage_cases(user, village)
    pairings = (Pairing.objects.filter(village=village)
                .select_related("partner_person", "partner_village")
                .annotate(visit_count=Count("visits", distinct=True),
                          project_count=Count("projects", distinct=True)))
    forms = forms or {}
    context = {
        "case": case,
        "village": village,
        "problem_types": list(case.problem_types.all()),
        "measures": CaseMeasure.objects.filter(case=case).select_related("problem_type"),
        "pairings": pairings,
        "visits": Visit.objects.filter(village=village).select_related("pairing")[:20],
        "projects": village.projects.select_related("pairing").order_by("name"),
        "project_funds": village.projects.aggregate(total=Sum("funds"))["total"],
        "items": LedgerItem.objects.filter(village=village).select_related(
            "problem_type", "verified_by").order_by("number"),
        "teams": village.help_teams.select_related("lead"),
        "history": case.history.select_related("history_user").order_by("-history_date")[:20],
        "can_manage": can_manage,
        "can_list": scoping.can_list_ledger_items(user, village),
        "can_log": scoping.can_log_field_work(user, village),
        "methods": case.methods,
        "is_closed": case.status == CaseStatus.CLOSED,
    }
    if can_manage and case.status != CaseStatus.CLOSED:
        context.update({
            "edit_form": forms.get("edit") or CaseEditForm(user=user, village=village, initial={
                "problem_types": context["problem_types"], "methods": case.methods,
                "responsible_leader": case.responsible_leader,
                "tracking_person": case.tracking_person, "summary": case.summary}),
            "measure_form": forms.get("measure") or MeasureForm(),
            "outcome_form": forms.get("outcome") or OutcomeForm(),
            "close_form": forms.get("close") or CloseCaseForm(),
            "pairing_form": forms.get("pairing") or PairingForm(user=user, village=village),
        })
    if context["can_list"] and case.status != CaseStatus.CLOSED:
        context["item_form"] = forms.get("item") or LedgerItemForm()
    if context["can_log"]:
        context["visit_form"] = forms.get("visit") or VisitForm()
    status = 400 if forms else 200
    return render(request, "rectify/case_detail.html", context, status=status)


def _case_action(request, pk, action):
    case = _case_or_404(request.user, pk)
    try:
        action(case)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("case-detail", case.pk)


@login_required
@require_POST
def case_confirm(request, pk: int):
    return _case_action(request, pk, lambda case: cases.confirm_case(actor=request.user,
                                                                      case=case))


@login_required
@require_POST
def case_start(request, pk: int):
    return _case_action(request, pk, lambda case: cases.start_rectifying(actor=request.user,
                                                                          case=case))


def _case_form(request, pk, name, form, action):
    case = _case_or_404(request.user, pk)
    if form.is_valid():
        try:
            action(case, form.cleaned_data)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("case-detail", case.pk)
    return case_detail(request, pk, forms={name: form})


@login_required
@require_POST
def case_edit(request, pk: int):
    case = _case_or_404(request.user, pk)
    form = CaseEditForm(request.POST, user=request.user, village=case.village)
    return _case_form(request, pk, "edit", form, lambda case, d: cases.update_case(
        actor=request.user, case=case, problem_types=d["problem_types"], methods=d["methods"],
        summary=d["summary"], responsible_leader=d["responsible_leader"],
        tracking_person=d["tracking_person"]))


@login_required
@require_POST
def case_add_measure(request, pk: int):
    return _case_form(request, pk, "measure", MeasureForm(request.POST),
                      lambda case, d: cases.add_measure(actor=request.user, case=case, **d))


@login_required
@require_POST
def case_measure_done(request, pk: int, measure_id: int):
    case = _case_or_404(request.user, pk)
    measure = get_object_or_404(CaseMeasure, pk=measure_id, case=case)
    return _case_action(request, pk, lambda _case: cases.complete_measure(
        actor=request.user, measure=measure))


@login_required
@require_POST
def case_outcome(request, pk: int):
    return _case_form(request, pk, "outcome", OutcomeForm(request.POST),
                      lambda case, d: cases.record_outcome(actor=request.user, case=case,
                                                           outcome=d["outcome"]))


@login_required
@require_POST
def case_close(request, pk: int):
    return _case_form(request, pk, "close", CloseCaseForm(request.POST, request.FILES),
                      lambda case, d: cases.close_case(
                          actor=request.user, case=case, note=d["note"],
                          evidence=d["evidence"], outcome=d["outcome"] or None))


@login_required
@require_POST
def case_pair(request, pk: int):
    case = _case_or_404(request.user, pk)
    form = PairingForm(request.POST, user=request.user, village=case.village)
    return _case_form(request, pk, "pairing", form, lambda case, d: pairing.pair(
        actor=request.user, village=case.village, **d))


@login_required
@require_POST
def case_add_item(request, pk: int):
    return _case_form(request, pk, "item", LedgerItemForm(request.POST),
                      lambda case, d: ledger.list_item(actor=request.user, village=case.village,
                                                       case=case, **d))


@login_required
@require_POST
def case_log_visit(request, pk: int):
    return _case_form(request, pk, "visit", VisitForm(request.POST),
                      lambda case, d: pairing.log_visit(
                          actor=request.user, village=case.village, on=d["date"],
                          visitor=d["visitor"], purpose=d["purpose"]))


# --- Ledger -----------------------------------------------------------------------------------


@login_required
def ledger_list(request):
    found = LedgerFilter(request.GET, queryset=ledger.ledger_rows(request.user),
                         request=request)
    page, query = _page(request, found.qs)
    return render(request, "rectify/ledger_list.html", {
        "filter": found, "page": page, "query": query, "page_sizes": PAGE_SIZES,
        "can_export": scoping.can_export(request.user),
    })


@login_required
def ledger_export(request):
    if not scoping.can_export(request.user):
        raise PermissionDenied
    found = LedgerFilter(request.GET, queryset=ledger.ledger_rows(request.user),
                         request=request)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ledger-{stamp}.xlsx"'
    exports.write_ledger_workbook(found.qs, response)
    return response


@login_required
def ledger_village(request, village_id: int):
    """The village's 台帐, laid out to print like the paper one."""
    village = get_object_or_404(scoping.visible_villages(request.user).select_related(
        "township__parent", "party_branch"), pk=village_id)
    items = (LedgerItem.objects.filter(village=village)
             .select_related("problem_type", "verified_by", "listed_by", "evidence")
             .order_by("number"))
    return render(request, "rectify/ledger_village.html", {
        "village": village, "items": items, "today": timezone.localdate(),
        "open_case": village.cases.exclude(status=CaseStatus.CLOSED).first(),
        "can_list": scoping.can_list_ledger_items(request.user, village),
        "item_form": LedgerItemForm() if scoping.can_list_ledger_items(request.user, village)
        else None,
    })


@login_required
@require_POST
def ledger_village_add(request, village_id: int):
    village = get_object_or_404(scoping.visible_villages(request.user), pk=village_id)
    form = LedgerItemForm(request.POST)
    if form.is_valid():
        try:
            ledger.list_item(actor=request.user, village=village,
                             case=village.cases.exclude(status=CaseStatus.CLOSED).first(),
                             **form.cleaned_data)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            messages.error(request, str(error.message))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("ledger-village", village.pk)


def _item_or_404(user, pk):
    return get_object_or_404(scoping.visible_ledger_items(user).select_related(
        "village__township__parent", "problem_type", "case", "verified_by", "listed_by",
        "evidence"), pk=pk)


@login_required
def ledger_item(request, pk: int, form=None):
    item = _item_or_404(request.user, pk)
    can_strike = scoping.can_strike_off(request.user, item.village)
    return render(request, "rectify/ledger_item.html", {
        "item": item,
        "history": item.history.select_related("history_user").order_by("-history_date"),
        "can_strike": can_strike and item.status != LedgerStatus.STRUCK_OFF,
        "can_start": (item.status == LedgerStatus.LISTED
                      and scoping.can_start_ledger_item(request.user, item.village)),
        "form": form or (StrikeOffForm() if can_strike else None),
        "max_kb": settings.RECTIFY_EVIDENCE_MAX_BYTES // 1024,
        "types": ", ".join(allowed_extensions()),
    }, status=400 if form is not None else 200)


@login_required
@require_POST
def ledger_item_start(request, pk: int):
    item = _item_or_404(request.user, pk)
    try:
        ledger.start_item(actor=request.user, item=item)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("ledger-item", item.pk)


@login_required
@require_POST
def ledger_item_strike_off(request, pk: int):
    item = _item_or_404(request.user, pk)
    form = StrikeOffForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            ledger.strike_off(actor=request.user, item=item,
                              resolution=form.cleaned_data["resolution"],
                              evidence=form.cleaned_data["evidence"])
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Item %(number)s struck off.") % {"number": item.number})
            return redirect("ledger-item", item.pk)
    return ledger_item(request, pk, form=form)


@login_required
def evidence_download(request, pk: int):
    """The only way to read an evidence file: after the same scope check as the village."""
    evidence = get_object_or_404(scoping.visible_evidence(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=evidence.content_type, as_attachment=True,
                            filename=evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Help teams -------------------------------------------------------------------------------


@login_required
def team_list(request):
    teams_qs = (scoping.visible_help_teams(request.user)
                .select_related("county", "lead")
                .annotate(village_count=Count("assignments", distinct=True),
                          member_count=Count("members", distinct=True))
                .order_by("county__code", "name"))
    page, query = _page(request, teams_qs)
    return render(request, "rectify/team_list.html", {"page": page, "query": query})


@login_required
def team_detail(request, pk: int, form=None):
    team = get_object_or_404(scoping.visible_help_teams(request.user)
                             .select_related("county", "lead"), pk=pk)
    villages = (scoping.visible_villages(request.user).filter(help_team_assignments__team=team)
                .select_related("township")
                .annotate(open_cases=Count("cases", filter=Q(
                    cases__status__in=OPEN_CASE_STATUSES))).order_by("code"))
    can_manage = scoping.can_manage_help_teams(request.user, team.county)
    return render(request, "rectify/team_detail.html", {
        "team": team,
        "members": HelpTeamMember.objects.filter(team=team).select_related("person"),
        "villages": villages,
        "meetings": team.meetings.prefetch_related("attendees"),
        "can_manage": can_manage,
        "meeting_form": form or (MeetingForm() if can_manage else None),
        "blocking": teams.open_cases_of(team).count(),
    }, status=400 if form is not None else 200)


@login_required
@require_POST
def team_dissolve(request, pk: int):
    team = get_object_or_404(scoping.visible_help_teams(request.user).select_related("county"),
                             pk=pk)
    try:
        teams.dissolve_team(actor=request.user, team=team)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The team is dissolved."))
    return redirect("team-detail", team.pk)


@login_required
@require_POST
def team_meeting(request, pk: int):
    team = get_object_or_404(scoping.visible_help_teams(request.user).select_related("county"),
                             pk=pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            teams.hold_meeting(actor=request.user, team=team, on=form.cleaned_data["date"],
                               decisions=form.cleaned_data["decisions"])
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("team-detail", team.pk)
    return team_detail(request, pk, form=form)


# --- Pairings ---------------------------------------------------------------------------------


@login_required
def pairing_list(request):
    rows = (scoping.visible_pairings(request.user)
            .select_related("village__township", "partner_person", "partner_village")
            .annotate(visit_count=Count("visits", distinct=True),
                      project_count=Count("projects", distinct=True),
                      project_funds=Sum("projects__funds"))
            .order_by("village__code", "kind"))
    found = PairingFilter(request.GET, queryset=rows, request=request)
    page, query = _page(request, found.qs)
    return render(request, "rectify/pairing_list.html", {
        "filter": found, "page": page, "query": query, "page_sizes": PAGE_SIZES})


@login_required
def pairing_detail(request, pk: int, forms=None):
    item = get_object_or_404(scoping.visible_pairings(request.user).select_related(
        "village__township", "partner_person", "partner_village"), pk=pk)
    can_log = scoping.can_log_field_work(request.user, item.village)
    forms = forms or {}
    days = InstructorDays.objects.none()
    if item.kind == PairingKind.INSTRUCTOR:
        days = InstructorDays.objects.filter(person=item.partner_person_id,
                                             village=item.village).order_by("-month")
    return render(request, "rectify/pairing_detail.html", {
        "pairing": item,
        "visits": item.visits.select_related("logged_by"),
        "projects": item.projects.all(),
        "funds": item.projects.aggregate(total=Sum("funds"))["total"],
        "days": days,
        "can_log": can_log,
        "visit_form": forms.get("visit") or (VisitForm() if can_log else None),
        "project_form": forms.get("project") or (ProjectForm() if can_log else None),
        "days_form": forms.get("days") or (
            InstructorDaysForm() if can_log and item.kind == PairingKind.INSTRUCTOR else None),
    }, status=400 if forms else 200)


def _pairing_form(request, pk, name, form, action):
    item = get_object_or_404(scoping.visible_pairings(request.user).select_related(
        "village__township", "partner_person"), pk=pk)
    if form.is_valid():
        try:
            action(item, form.cleaned_data)
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("pairing-detail", item.pk)
    return pairing_detail(request, pk, forms={name: form})


@login_required
@require_POST
def pairing_visit(request, pk: int):
    return _pairing_form(request, pk, "visit", VisitForm(request.POST),
                         lambda p, d: pairing.log_visit(
                             actor=request.user, village=p.village, pairing=p, on=d["date"],
                             visitor=d["visitor"], purpose=d["purpose"]))


@login_required
@require_POST
def pairing_project(request, pk: int):
    return _pairing_form(request, pk, "project", ProjectForm(request.POST),
                         lambda p, d: pairing.add_project(actor=request.user, village=p.village,
                                                          pairing=p, **d))


@login_required
@require_POST
def pairing_days(request, pk: int):
    def log(p, d):
        if p.kind != PairingKind.INSTRUCTOR:
            raise DomainError(_("Days in village are logged for instructors."), field="days")
        pairing.log_instructor_days(actor=request.user, person=p.partner_person,
                                    village=p.village, month=d["month"], days=d["days"])

    return _pairing_form(request, pk, "days", InstructorDaysForm(request.POST), log)


# --- Campaigns --------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    return render(request, "rectify/campaign_list.html", {
        "progress": compliance.campaign_progress(request.user, timezone.localdate())})


@login_required
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(scoping.visible_campaigns(request.user).select_related(
        "region"), pk=pk)
    progress = next(p for p in compliance.campaign_progress(request.user, timezone.localdate())
                    if p.campaign.pk == campaign.pk)
    rows = case_rows(request.user).filter(campaign=campaign)
    page, query = _page(request, rows, default=100)
    return render(request, "rectify/campaign_detail.html", {
        "campaign": campaign, "progress": progress, "page": page, "query": query,
        "by_status": dict(rows.order_by().values_list("status").annotate(n=Count("pk"))),
    })


# --- Compliance -------------------------------------------------------------------------------


@login_required
def compliance_page(request):
    today = timezone.localdate()
    month = request.GET.get("month") or compliance.last_complete_month(today)
    if not compliance_month_ok(month):
        month = compliance.last_complete_month(today)
    checks = compliance.all_checks(request.user, month=month, today=today)
    for check in checks:
        if check.rows is not None and not isinstance(check.rows, list):
            check.rows = list(check.rows[:COMPLIANCE_ROWS])
    region = None
    if request.GET.get("points_region"):
        region = scoping.visible_regions(request.user).filter(
            pk=request.GET["points_region"]).first()
    if region is None:
        region = (scoping.visible_regions(request.user).filter(name="新昌县",
                                                               level=RegionLevel.COUNTY).first()
                  or scoping.scope_region(request.user))
    return render(request, "rectify/compliance.html", {
        "checks": checks, "month": month,
        "period": compliance.last_closed_half_month(today),
        "points": points.points_table(request.user, region=region)[:200],
        "points_region": region,
        "rules": points.RULES.values(),
        "counties": scoping.visible_regions(request.user).filter(
            level__in=[RegionLevel.COUNTY]).order_by("code"),
        "row_limit": COMPLIANCE_ROWS,
    })


def compliance_month_ok(month: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", month or ""))

