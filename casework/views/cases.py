"""Case pages: the list, opening a case, and the case page with its plan, pairings, visits,
ledger and history. Views parse input, ask ``villages/scoping.py``, call a domain function,
render; domain errors reach the user through ``core/http.py``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import cases, ledger, pairing, visibility
from casework.cases import case_rows
from casework.filters import CaseFilter
from casework.forms import (
    CaseEditForm,
    CloseCaseForm,
    LedgerItemForm,
    MeasureForm,
    OpenCaseForm,
    OutcomeForm,
    PairingForm,
    VisitForm,
)
from casework.models import (
    OPEN_CASE_STATUSES,
    CaseMeasure,
    CaseStatus,
    LedgerItem,
    Visit,
)
from core.http import errors_as_message, errors_on_form
from core.pagination import PAGE_SIZES, paginate
from villages import listing, scoping


@login_required
def case_list(request):
    found = CaseFilter(request.GET, queryset=case_rows(request.user), request=request)
    page, query = paginate(request, found.qs)
    return render(request, "casework/case_list.html", {
        "filter": found, "page": page, "query": query, "page_sizes": PAGE_SIZES})


def _openable_villages(user):
    return (listing.backward_villages(user)
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
        with errors_on_form(form):
            case = cases.open_case(actor=request.user, village=data["village"],
                                   source=data["source"], campaign=data["campaign"],
                                   problem_types=data["problem_types"], methods=data["methods"],
                                   summary=data["summary"])
            messages.success(request, _("Case opened for %(village)s.")
                             % {"village": case.village.name})
            return redirect("case-detail", case.pk)
    return render(request, "casework/case_open.html", {"form": form})


def _case_or_404(user, pk):
    return get_object_or_404(visibility.cases(user).select_related(
        "village__township__parent", "campaign", "responsible_leader", "tracking_person",
        "opened_by", "confirmed_by", "closed_by", "closing_evidence"), pk=pk)


@login_required
def case_detail(request, pk: int, forms=None):
    case = _case_or_404(request.user, pk)
    village = case.village
    user = request.user
    can_manage = scoping.can_manage_cases(user, village)
    pairings = pairing.pairing_rows(user).filter(village=village)
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
    return render(request, "casework/case_detail.html", context, status=status)


def _case_action(request, pk, action):
    case = _case_or_404(request.user, pk)
    with errors_as_message(request):
        action(case)
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
        with errors_on_form(form):
            action(case, form.cleaned_data)
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
                      lambda case, d: cases.record_outcome(
                          actor=request.user, case=case, outcome=d["outcome"],
                          override_reason=d["override_reason"]))


@login_required
@require_POST
def case_close(request, pk: int):
    return _case_form(request, pk, "close", CloseCaseForm(request.POST, request.FILES),
                      lambda case, d: cases.close_case(
                          actor=request.user, case=case, note=d["note"],
                          evidence=d["evidence"], outcome=d["outcome"] or None,
                          override_reason=d["override_reason"]))


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
