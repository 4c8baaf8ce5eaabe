"""Campaign pages: every campaign's progress, and one campaign's cases."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from casework import campaigns, visibility
from casework.cases import case_rows
from core.pagination import paginate


@login_required
def campaign_list(request):
    return render(request, "casework/campaign_list.html", {
        "progress": campaigns.campaign_progress(request.user, timezone.localdate())})


@login_required
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(visibility.campaigns(request.user).select_related(
        "region"), pk=pk)
    progress = next(p for p in campaigns.campaign_progress(request.user, timezone.localdate())
                    if p.campaign.pk == campaign.pk)
    rows = case_rows(request.user).filter(campaign=campaign)
    page, query = paginate(request, rows, default=100)
    return render(request, "casework/campaign_detail.html", {
        "campaign": campaign, "progress": progress, "page": page, "query": query,
        "by_status": dict(rows.order_by().values_list("status").annotate(n=Count("pk"))),
    })
