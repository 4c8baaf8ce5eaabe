from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core import xlsx
from core.pagination import PAGE_SIZES, paginate
from earlywarning import evaluations
from rectify.filters import VillageFilter
from rectify.lineage import village_lineage
from rectify.timeline import village_timeline
from rectify.villages import village_rows
from villages import exports, listing, scoping
from villages.models import AnnualGrade, PostAssignment, RegionLevel


@login_required
def village_list(request):
    villages = VillageFilter(request.GET, queryset=village_rows(request.user), request=request)
    page, query = paginate(request, villages.qs)
    return render(request, "villages/village_list.html", {
        "filter": villages,
        "page": page,
        "query": query,
        "page_sizes": PAGE_SIZES,
    })


@login_required
def village_export(request):
    if not scoping.can_export(request.user):
        raise PermissionDenied
    villages = VillageFilter(request.GET, queryset=village_rows(request.user), request=request)
    return xlsx.response(exports.village_workbook(villages.qs), "villages")


@login_required
def village_detail(request, pk: int):
    village = get_object_or_404(village_rows(request.user), pk=pk)
    grades = AnnualGrade.objects.filter(branch__village=village).order_by("-year")
    today = timezone.localdate()
    posts = (PostAssignment.objects.filter(village=village).select_related("person")
             .order_by("end", "post", "-start"))
    current = [p for p in posts if p.start <= today and (p.end is None or p.end >= today)]
    past = [p for p in posts if p not in current]
    return render(request, "villages/village_detail.html", {
        "village": village,
        "grades": grades,
        "current_posts": current,
        "past_posts": past,
        "can_edit": scoping.can_edit_village(request.user, village),
        "evaluation_panel": evaluations.village_panel(request.user, village),
        "timeline": village_timeline(village),
        "lineage": village_lineage(request.user, village),
    })


@login_required
def region_browse(request, pk: int | None = None):
    if pk is None:
        region = scoping.scope_region(request.user)
        if region is None:
            roots = scoping.visible_regions(request.user).filter(parent__isnull=True)
            return render(request, "villages/region_roots.html", {"roots": roots})
    else:
        region = get_object_or_404(scoping.visible_regions(request.user), pk=pk)
    rows = listing.region_summary(request.user, region)
    villages = None
    if region.level == RegionLevel.TOWNSHIP:
        villages = village_rows(request.user).filter(township=region)
    return render(request, "villages/region_detail.html", {
        "region": region,
        "ancestors": [a for a in region.ancestors() if scoping.can_see_region(request.user, a)],
        "rows": rows,
        "villages": villages,
        "year": listing.latest_grade_year(),
    })
