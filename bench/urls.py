"""The project's URLs plus the plain baseline views the benchmarks compare against."""

from django.http import JsonResponse
from django.urls import path

from rectify.urls import urlpatterns as project_urls
from villages import listing

BASELINE_FIELDS = [
    "id", "code", "name", "township_id", "township__name", "township__parent_id",
    "township__parent__name", "party_branch__id", "party_branch__name", "party_branch__kind",
    "party_branch__member_count", "annual_grade", "annual_grade_year", "secretary_name",
    "terrain", "population", "households", "collective_income", "income_per_head",
    "star_rating", "is_active", "merged_into",
]


def plain_village_list(request):
    size = int(request.GET.get("page_size", 50))
    rows = listing.village_rows(request.user)[:size].values(*BASELINE_FIELDS)
    return JsonResponse(list(rows), safe=False)


urlpatterns = [path("bench/plain-villages/", plain_village_list), *project_urls]
