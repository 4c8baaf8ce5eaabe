"""Bulletin pages: the list, the notice itself (printable), Excel, and the county's buttons."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as BrokerError

from core import xlsx
from core.http import errors_as_message
from core.pagination import paginate
from earlywarning import bulletins, documents, tasks, visibility
from earlywarning.models.bulletins import Bulletin, BulletinStatus
from earlywarning.models.ratings import Color, Movement
from villages import scoping
from villages.models import Region


def document(bulletin: Bulletin) -> dict:
    """What every page shows: the frozen snapshot once published, the draft's rows before."""
    return bulletin.snapshot if bulletin.is_published else bulletins.represent(bulletin)


def _manageable_regions(user):
    if not scoping.can_manage_any_bulletins(user):
        return Region.objects.none()
    return (scoping.visible_regions(user).filter(level__in=bulletins.BULLETIN_LEVELS)
            .order_by("path"))


@login_required
def bulletin_list(request):
    visible = visibility.bulletins(request.user)
    rows = visible.select_related("region").defer("snapshot", "summary").order_by(
        "-month", "region__code", "-revision")
    region, month, status = (request.GET.get(k, "").strip() for k in ("region", "month", "status"))
    if region.isdigit():
        rows = rows.filter(region_id=int(region))
    if month:
        with errors_as_message(request):
            rows = rows.filter(month=str(bulletins.Month.parse(month)))
    if status in BulletinStatus.values:
        rows = rows.filter(status=status)
    page, query = paginate(request, rows)
    return render(request, "earlywarning/bulletins/list.html", {
        "page": page, "query": query,
        "regions": Region.objects.filter(pk__in=visible.values("region")).order_by("path"),
        "build_regions": _manageable_regions(request.user),
        "filters": {"region": region, "month": month, "status": status},
        "statuses": BulletinStatus.choices,
        "default_month": bulletins.Month.containing(timezone.localdate()).previous(),
    })


def _detail_context(request, pk: int) -> dict:
    bulletin = get_object_or_404(
        visibility.bulletins(request.user).select_related("region", "corrects"), pk=pk)
    revisions = (Bulletin.objects.filter(region_id=bulletin.region_id, month=bulletin.month)
                 .exclude(pk=bulletin.pk).filter(pk__in=visibility.bulletins(request.user))
                 .order_by("revision").only("pk", "revision", "status", "published_at"))
    doc = document(bulletin)
    return {
        "bulletin": bulletin, "doc": doc, "summary": doc["summary"],
        "month": bulletins.Month.parse(bulletin.month),
        "revisions": revisions, "colors": Color.values,
        "can_manage": scoping.can_manage_bulletins(request.user, bulletin.region),
        "can_export": scoping.can_export(request.user),
        "movement_labels": dict(Movement.choices), "color_labels": dict(Color.choices),
    }


@login_required
def bulletin_detail(request, pk: int):
    return render(request, "earlywarning/bulletins/detail.html", _detail_context(request, pk))


@login_required
def bulletin_pdf(request, pk: int):
    """The notice as an A4 PDF: the same page rendered with the print stylesheet."""
    if not scoping.can_export(request.user):
        raise PermissionDenied
    context = _detail_context(request, pk)
    bulletin = context["bulletin"]
    html = render_to_string("earlywarning/bulletins/detail.html", context, request=request)
    try:
        pdf = documents.html_to_pdf(html)
    except documents.RendererMissing as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bulletin-{bulletin.region.code}-{bulletin.month}'
        f'-r{bulletin.revision}.pdf"')
    return response


@login_required
def bulletin_export(request, pk: int):
    if not scoping.can_export(request.user):
        raise PermissionDenied
    bulletin = get_object_or_404(visibility.bulletins(request.user)
                                 .select_related("region"), pk=pk)
    return xlsx.response(documents.bulletin_workbook(bulletin, document(bulletin)),
                         f"bulletin-{bulletin.region.code}-{bulletin.month}-r{bulletin.revision}")


def _managed(request, pk):
    bulletin = get_object_or_404(visibility.bulletins(request.user)
                                 .select_related("region"), pk=pk)
    if not scoping.can_manage_bulletins(request.user, bulletin.region):
        raise PermissionDenied
    return bulletin


@login_required
@require_POST
def bulletin_publish(request, pk: int):
    bulletin = _managed(request, pk)
    with errors_as_message(request):
        bulletins.publish(actor=request.user, bulletin=bulletin)
        messages.success(request, _("The bulletin is published."))
    return redirect("bulletin-detail", pk=bulletin.pk)


@login_required
@require_POST
def bulletin_correct(request, pk: int):
    bulletin = _managed(request, pk)
    opened = bulletin
    with errors_as_message(request):
        opened = bulletins.correct(actor=request.user, bulletin=bulletin,
                                   reason=request.POST.get("reason", ""))
        messages.success(request, _("Revision %(revision)d opened as a draft.")
                         % {"revision": opened.revision})
    return redirect("bulletin-detail", pk=opened.pk)


def enqueue_build(region_id: int, month: str) -> None:
    # No retries: with the broker down the page must answer now, not hang.
    tasks.build_region_bulletin.apply_async((region_id, month), retry=False)


@login_required
@require_POST
def bulletin_build(request):
    """"Build now": queue the region's build for the worker, after this request commits."""
    region = _manageable_regions(request.user).filter(
        pk=int(request.POST["region"]) if request.POST.get("region", "").isdigit() else 0).first()
    if region is None:
        if not _manageable_regions(request.user).exists():
            raise PermissionDenied
        raise Http404
    month = None
    with errors_as_message(request):
        month = bulletins.parse_bulletin_month(request.POST.get("month", ""))
    if month is None:
        return redirect("bulletin-list")
    try:
        with transaction.atomic():
            transaction.on_commit(lambda: enqueue_build(region.pk, str(month)))
    except (BrokerError, ConnectionError, OSError):
        messages.error(request, _("The task queue cannot be reached, so the build was not "
                                  "started. Try again later or tell the administrator."))
        return redirect("bulletin-list")
    messages.success(request, _("Building the bulletin of %(region)s for %(month)s; refresh "
                                "this page in a moment.") % {"region": region.name,
                                                             "month": month})
    return redirect(reverse("bulletin-list") + f"?region={region.pk}&month={month}")
