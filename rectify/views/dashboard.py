from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from rectify.dashboard import work_context
from villages import listing, scoping


@login_required
def dashboard(request):
    """The user's region at a glance: villages and backward villages per child region, then
    the rectification work (colors and tiers, trend, cases, campaigns, ledger, compliance).
    A township official's scope is their township, so they get their township's view."""
    region = scoping.scope_region(request.user)
    roots = [region] if region else list(
        scoping.visible_regions(request.user).filter(parent__isnull=True))
    year = listing.latest_grade_year()
    backward = listing.backward_villages(request.user).order_by("code")
    return render(request, "dashboard.html", {
        "summaries": [(root, listing.region_summary(request.user, root)) for root in roots],
        "year": year,
        "backward": backward[:50],
        "backward_count": backward.count(),
        "village_count": scoping.visible_villages(request.user).filter(is_active=True).count(),
        **work_context(request.user),
    })
