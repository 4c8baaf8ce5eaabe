"""The 挂牌销号 ledger pages: the county list and its export, a village's 台帐, an item with
its strike-off, and evidence downloads (only after the village's scope check)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import exports, ledger, visibility
from casework.evidence import allowed_extensions
from casework.filters import LedgerFilter
from casework.forms import (
    LedgerItemForm,
    StrikeOffForm,
)
from casework.models import (
    CaseStatus,
    LedgerItem,
    LedgerStatus,
)
from core import xlsx
from core.http import errors_as_message, errors_on_form
from core.pagination import PAGE_SIZES, paginate
from villages import scoping


@login_required
def ledger_list(request):
    found = LedgerFilter(request.GET, queryset=ledger.ledger_rows(request.user),
                         request=request)
    page, query = paginate(request, found.qs)
    return render(request, "casework/ledger_list.html", {
        "filter": found, "page": page, "query": query, "page_sizes": PAGE_SIZES,
        "can_export": scoping.can_export(request.user),
    })


@login_required
def ledger_export(request):
    if not scoping.can_export(request.user):
        raise PermissionDenied
    found = LedgerFilter(request.GET, queryset=ledger.ledger_rows(request.user),
                         request=request)
    return xlsx.response(exports.ledger_workbook(found.qs), "ledger")


@login_required
def ledger_village(request, village_id: int):
    """The village's 台帐, laid out to print like the paper one."""
    village = get_object_or_404(scoping.visible_villages(request.user).select_related(
        "township__parent", "party_branch"), pk=village_id)
    items = (LedgerItem.objects.filter(village=village)
             .select_related("problem_type", "verified_by", "listed_by", "evidence")
             .order_by("number"))
    return render(request, "casework/ledger_village.html", {
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
        with errors_as_message(request):
            ledger.list_item(actor=request.user, village=village,
                             case=village.cases.exclude(status=CaseStatus.CLOSED).first(),
                             **form.cleaned_data)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("ledger-village", village.pk)


def _item_or_404(user, pk):
    return get_object_or_404(visibility.ledger_items(user).select_related(
        "village__township__parent", "problem_type", "case", "verified_by", "listed_by",
        "evidence"), pk=pk)


@login_required
def ledger_item(request, pk: int, form=None):
    item = _item_or_404(request.user, pk)
    can_strike = scoping.can_strike_off(request.user, item.village)
    return render(request, "casework/ledger_item.html", {
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
    with errors_as_message(request):
        ledger.start_item(actor=request.user, item=item)
    return redirect("ledger-item", item.pk)


@login_required
@require_POST
def ledger_item_strike_off(request, pk: int):
    item = _item_or_404(request.user, pk)
    form = StrikeOffForm(request.POST, request.FILES)
    if form.is_valid():
        with errors_on_form(form):
            ledger.strike_off(actor=request.user, item=item,
                              resolution=form.cleaned_data["resolution"],
                              evidence=form.cleaned_data["evidence"])
            messages.success(request, _("Item %(number)s struck off.") % {"number": item.number})
            return redirect("ledger-item", item.pk)
    return ledger_item(request, pk, form=form)


@login_required
def evidence_download(request, pk: int):
    """The only way to read an evidence file: after the same scope check as the village."""
    evidence = get_object_or_404(visibility.evidence(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=evidence.content_type, as_attachment=True,
                            filename=evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
