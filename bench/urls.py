"""The project's URLs plus the plain baseline views the benchmarks compare against."""

from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpResponse, JsonResponse
from django.urls import path

from earlywarning.models.bulletins import Bulletin, BulletinStatus
from rectify.urls import urlpatterns as project_urls
from rectify.villages import village_rows

# The register's columns; with the warning columns they are what the API's rows hold.
REGISTER_FIELDS = [
    "id", "code", "name", "township_id", "township__name", "township__parent_id",
    "township__parent__name", "party_branch__id", "party_branch__name", "party_branch__kind",
    "party_branch__member_count", "annual_grade", "annual_grade_year", "secretary_name",
    "terrain", "population", "households", "collective_income", "income_per_head",
    "star_rating", "is_active", "merged_into",
]
BASELINE_FIELDS = [*REGISTER_FIELDS, "current_color", "current_tier"]


def plain_village_list(request):
    """The API's rows (``?columns=register``: without the two warning columns, the baseline
    of the first measurements) as ``JsonResponse(list(qs.values()))``: no count, no paging."""
    size = int(request.GET.get("page_size", 50))
    fields = REGISTER_FIELDS if request.GET.get("columns") == "register" else BASELINE_FIELDS
    rows = village_rows(request.user)[:size].values(*fields)
    return JsonResponse(list(rows), safe=False)


def plain_bulletin(request, pk):
    """The stored snapshot of a published bulletin as Django returns JSON: no auth, no scoping,
    no ETag."""
    snapshot = Bulletin.objects.values_list("snapshot", flat=True).get(
        pk=pk, status=BulletinStatus.PUBLISHED)
    return JsonResponse(snapshot, json_dumps_params={"ensure_ascii": False})


def plain_bulletin_text(request, pk):
    """The same, sent as the stored text without decoding it (what the API does)."""
    text = Bulletin.objects.values_list(Cast("snapshot", TextField()), flat=True).get(
        pk=pk, status=BulletinStatus.PUBLISHED)
    return HttpResponse(text, content_type="application/json")


urlpatterns = [
    path("bench/plain-villages/", plain_village_list),
    path("bench/plain-bulletins/<int:pk>/", plain_bulletin),
    path("bench/plain-bulletins/<int:pk>/text/", plain_bulletin_text),
    *project_urls,
]
