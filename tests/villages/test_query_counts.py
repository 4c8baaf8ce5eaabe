"""Pages cost a fixed number of queries, however many rows they show (2,000-village demo data).

Each bound is the count measured when the test was written plus a little room; a page that starts
issuing a query per row blows through it at once.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villages.models import Region, Village

pytestmark = pytest.mark.usefixtures("demo_data")

# Two of these are the session and the user, read by the authentication middleware.
HTML_LIST_QUERIES = 10
API_LIST_QUERIES = 6
# + 9: the timeline (predecessors, grades, tiers, approvals, colors, case history) and the
# lineage panel.
DETAIL_QUERIES = 12 + 9
REGION_QUERIES = 10
DASHBOARD_QUERIES = 40


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("username", ["city", "zhuji", "shangyu"])
def test_village_list_page_queries_do_not_grow_with_page_size(login, username,
                                                              django_assert_max_num_queries):
    client = login(username)

    with django_assert_max_num_queries(HTML_LIST_QUERIES) as small:
        response = client.get("/villages/?page_size=25")
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(HTML_LIST_QUERIES) as large:
        response = client.get("/villages/?page_size=200")

    assert len(response.context["page"].object_list) == min(
        200, response.context["page"].paginator.count)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_filtered_village_list_page_queries_do_not_grow_with_page_size(
        login, django_assert_max_num_queries):
    client = login("city")
    shaoxing = Region.objects.get(code="330600000000")
    query = f"region={shaoxing.pk}&is_active=true&search=村"

    with django_assert_max_num_queries(HTML_LIST_QUERIES) as small:
        client.get(f"/villages/?page_size=25&{query}")
    with django_assert_max_num_queries(HTML_LIST_QUERIES) as large:
        response = client.get(f"/villages/?page_size=200&{query}")

    assert len(response.context["page"].object_list) == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("username", ["city", "zhuji", "api"])
def test_api_village_list_queries_do_not_grow_with_page_size(login, username,
                                                             django_assert_max_num_queries):
    client = login(username)

    with django_assert_max_num_queries(API_LIST_QUERIES) as small:
        response = client.get("/api/v1/villages/?page_size=100")
    assert len(response.json()["results"]) == 100
    with django_assert_max_num_queries(API_LIST_QUERIES) as large:
        response = client.get("/api/v1/villages/?page_size=500")

    assert len(response.json()["results"]) == min(500, response.json()["count"])
    assert len(large.captured_queries) == len(small.captured_queries)


def test_api_party_branch_list_queries_do_not_grow_with_page_size(login):
    client = login("city")

    small = query_count(client, "/api/v1/party-branches/?page_size=100")
    large = query_count(client, "/api/v1/party-branches/?page_size=500")

    assert small == large <= API_LIST_QUERIES + 1


def test_village_detail_page_has_a_fixed_query_count(login, django_assert_max_num_queries):
    client = login("city")
    # The village with the most people in post, so a per-post query would show.
    village = max(Village.objects.filter(code__startswith="3306")[:200],
                  key=lambda v: v.posts.count())
    assert village.posts.count() >= 5

    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(f"/villages/{village.pk}/")

    assert response.status_code == 200


@pytest.mark.parametrize("username", ["city", "zhuji", "fengqiao", "api"])
def test_dashboard_has_a_fixed_query_count(login, username, django_assert_max_num_queries):
    client = login(username)

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get("/")

    assert response.status_code == 200


@pytest.mark.parametrize("code", ["330600000000", "330681000000", "330681108000"],
                         ids=["city", "county", "township"])
def test_region_page_has_a_fixed_query_count(login, code, django_assert_max_num_queries):
    client = login("city")
    region = Region.objects.get(code=code)

    with django_assert_max_num_queries(REGION_QUERIES):
        response = client.get(f"/regions/{region.pk}/")

    assert response.status_code == 200


def test_region_root_page_has_a_fixed_query_count(login, django_assert_max_num_queries):
    client = login("zhuji")

    with django_assert_max_num_queries(REGION_QUERIES):
        response = client.get("/regions/")

    assert response.status_code == 200
