"""Pairing pages: the list, and a pairing with its visits, projects and instructor days."""

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casework import pairing, visibility
from casework.filters import PairingFilter
from casework.forms import (
    InstructorDaysForm,
    ProjectForm,
    VisitForm,
)
from casework.models import (
    InstructorDays,
)
from core.http import errors_on_form
from core.pagination import PAGE_SIZES, paginate
from villages import scoping


@login_required
def pairing_list(request):
    found = PairingFilter(request.GET, queryset=pairing.pairing_rows(request.user),
                          request=request)
    page, query = paginate(request, found.qs)
    return render(request, "casework/pairing_list.html", {
        "filter": found, "page": page, "query": query, "page_sizes": PAGE_SIZES})


@login_required
def pairing_detail(request, pk: int, forms=None):
    item = get_object_or_404(visibility.pairings(request.user).select_related(
        "village__township", "partner_person", "partner_village"), pk=pk)
    can_log = scoping.can_log_field_work(request.user, item.village)
    forms = forms or {}
    days = InstructorDays.objects.none()
    if item.is_instructor:
        days = InstructorDays.objects.filter(person=item.partner_person_id,
                                             village=item.village).order_by("-month")
    return render(request, "casework/pairing_detail.html", {
        "pairing": item,
        "visits": item.visits.select_related("logged_by"),
        "projects": item.projects.all(),
        "funds": item.projects.aggregate(total=Sum("funds"))["total"],
        "days": days,
        "can_log": can_log,
        "visit_form": forms.get("visit") or (VisitForm() if can_log else None),
        "project_form": forms.get("project") or (ProjectForm() if can_log else None),
        "days_form": forms.get("days") or (
            InstructorDaysForm() if can_log and item.is_instructor else None),
    }, status=400 if forms else 200)


def _pairing_form(request, pk, name, form, action):
    item = get_object_or_404(visibility.pairings(request.user).select_related(
        "village__township", "partner_person"), pk=pk)
    if form.is_valid():
        with errors_on_form(form):
            action(item, form.cleaned_data)
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
    return _pairing_form(request, pk, "days", InstructorDaysForm(request.POST),
                         lambda p, d: pairing.log_pairing_days(
                             actor=request.user, pairing=p, month=d["month"], days=d["days"]))
