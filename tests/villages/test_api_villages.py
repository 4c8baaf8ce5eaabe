"""The REST contract for regions, villages and party branches (see shared/contract.md)."""

import re

import pytest
import yaml

from tests.villages.factories import PASSWORD, VillageFactory
from villages.models import Grade, RegionLevel, Village


@pytest.fixture
def api(world, client):
    client.force_login(world.users["city"])
    return client


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def add_villages(township, count):
    Village.objects.bulk_create(VillageFactory.build_batch(count, township=township))


def test_village_list_is_paginated(api):
    body = api.get("/api/v1/villages/").json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 6
    assert body["next"] is None and body["previous"] is None


def test_village_list_follows_page_size_and_next_links(api):
    first = api.get("/api/v1/villages/?page_size=4").json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 4
    assert len(second["results"]) == 2
    assert second["previous"] is not None
    assert not {r["code"] for r in first["results"]} & {r["code"] for r in second["results"]}


def test_village_list_allows_500_per_page_and_caps_larger_sizes(world, api):
    add_villages(world.fengqiao, 600)

    allowed = api.get("/api/v1/villages/?page_size=500").json()
    capped = api.get("/api/v1/villages/?page_size=5000").json()

    assert allowed["count"] == capped["count"] == 606
    assert len(allowed["results"]) == 500
    assert len(capped["results"]) == 500
    assert capped["next"] is not None


def test_village_carries_the_contract_fields(world, api):
    row = api.get(f"/api/v1/villages/{world.fq1.pk}/").json()

    for key in ("id", "code", "name", "township", "county", "party_branch", "annual_grade"):
        assert key in row
    assert row["id"] == world.fq1.pk
    assert row["code"] == "330681108201"
    assert row["name"] == "枫源村"
    assert row["township"] == world.fengqiao.pk
    assert row["county"] == world.zhuji.pk
    assert row["party_branch"]["name"] == "枫源村党支部"
    assert row["annual_grade"] == "poor"


def test_village_annual_grade_is_the_latest_year(world, api):
    branch = world.fq1.party_branch
    branch.grades.create(year=2026, grade=Grade.FAIRLY_GOOD)

    row = api.get(f"/api/v1/villages/{world.fq1.pk}/").json()

    assert (row["annual_grade"], row["annual_grade_year"]) == ("fairly_good", 2026)


def test_village_without_grade_has_null_annual_grade(world, api):
    assert api.get(f"/api/v1/villages/{world.dk2.pk}/").json()["annual_grade"] is None


@pytest.mark.parametrize("region, expected", [
    ("city", {"fq1", "fq2", "dk1", "dk2", "bg1", "bg2"}),
    ("zhuji", {"fq1", "fq2", "dk1", "dk2"}),
    ("shangyu", {"bg1", "bg2"}),
    ("fengqiao", {"fq1", "fq2"}),
    ("baiguan", {"bg1", "bg2"}),
])
def test_region_filter_matches_the_whole_subtree(world, api, region, expected):
    response = api.get(f"/api/v1/villages/?region={getattr(world, region).pk}")

    assert codes(response) == {getattr(world, key).code for key in expected}


def test_region_filter_outside_scope_is_refused_not_ignored(world, client):
    client.force_login(world.users["fengqiao"])

    response = client.get(f"/api/v1/villages/?region={world.baiguan.pk}")

    assert response.status_code == 400
    assert "region" in response.json()


@pytest.mark.parametrize("term, expected", [
    ("枫源", {"fq1"}),
    ("村", {"fq1", "fq2", "dk1", "dk2", "bg1", "bg2"}),
    ("330681105", {"dk1", "dk2"}),
    ("330682001202", {"bg2"}),
    ("不存在", set()),
])
def test_search_matches_part_of_the_name_or_the_start_of_the_code(world, api, term, expected):
    response = api.get("/api/v1/villages/", {"search": term})

    assert codes(response) == {getattr(world, key).code for key in expected}


def test_search_does_not_match_the_middle_of_a_code(world, api):
    assert codes(api.get("/api/v1/villages/", {"search": "108201"})) == set()


def test_annual_grade_filter_selects_backward_villages(world, api):
    response = api.get("/api/v1/villages/?annual_grade=poor")

    assert codes(response) == {world.fq1.code, world.dk1.code, world.bg1.code}


def test_unknown_annual_grade_is_a_400(api):
    response = api.get("/api/v1/villages/?annual_grade=terrible")

    assert response.status_code == 400
    assert "annual_grade" in response.json()


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/villages/", "/api/v1/regions/",
                                 "/api/v1/party-branches/"])
def test_anonymous_request_gets_401_with_token_challenge(db, client, url):
    response = client.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_obtained_with_password_authenticates_requests(world, client):
    response = client.post("/api/v1/auth/token/", {"username": "zhuji", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]

    listing = client.get("/api/v1/villages/", HTTP_AUTHORIZATION=f"Token {token}")

    assert codes(listing) == {world.fq1.code, world.fq2.code, world.dk1.code, world.dk2.code}


def test_token_request_with_bad_password_is_a_400(world, client):
    response = client.post("/api/v1/auth/token/", {"username": "zhuji", "password": "wrong"},
                           content_type="application/json")

    assert response.status_code == 400
    assert "token" not in response.json()


def test_unknown_token_is_a_401(db, client):
    response = client.get("/api/v1/villages/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401


def test_deactivated_user_cannot_obtain_a_token(world, client):
    user = world.users["zhuji"]
    user.is_active = False
    user.save()

    response = client.post("/api/v1/auth/token/", {"username": "zhuji", "password": PASSWORD},
                           content_type="application/json")

    assert response.status_code == 400


# --- regions and party branches -----------------------------------------------------------------


def test_regions_carry_the_contract_fields(world, api):
    rows = {row["code"]: row for row in api.get("/api/v1/regions/").json()["results"]}

    assert set(rows["330681108000"]) >= {"id", "code", "name", "level", "parent"}
    assert rows["330681108000"] == {"id": world.fengqiao.pk, "code": "330681108000",
                                    "name": "枫桥镇", "level": "township",
                                    "parent": world.zhuji.pk}
    assert rows["330600000000"]["parent"] is None
    assert rows["330600000000"]["level"] == "city"


def test_regions_filter_by_level(world, api):
    response = api.get("/api/v1/regions/", {"level": RegionLevel.COUNTY})

    assert codes(response) == {world.zhuji.code, world.shangyu.code}


def test_party_branches_list_branch_with_village_and_grades(world, api):
    rows = {row["village_code"]: row
            for row in api.get("/api/v1/party-branches/").json()["results"]}

    branch = rows[world.fq1.code]
    assert branch["village"] == world.fq1.pk
    assert branch["village_name"] == "枫源村"
    assert branch["name"] == "枫源村党支部"
    assert branch["grades"] == [{"year": 2025, "grade": "poor"}]
    assert rows[world.dk2.code]["grades"] == []


# --- schema and docs ----------------------------------------------------------------------------


def test_schema_is_an_openapi_3_document_listing_the_village_endpoints(db, client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/villages/", "/api/v1/villages/{id}/", "/api/v1/regions/",
            "/api/v1/party-branches/", "/api/v1/auth/token/"} <= set(document["paths"])


def test_schema_documents_the_region_filters_as_ids(db, client):
    document = client.get("/api/schema/?format=json").json()

    parameters = {p["name"]: p for p in document["paths"]["/api/v1/villages/"]["get"]["parameters"]}
    assert parameters["region"]["schema"]["type"] == "integer"
    assert parameters["county"]["schema"]["type"] == "integer"
    assert parameters["page_size"]["schema"]["type"] == "integer"


def test_schema_is_available_as_json(db, client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_api_docs_load_every_asset_from_this_server(world, client):
    client.force_login(world.users["city"])

    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "/api/schema/" in content
    assert "/static/drf_spectacular_sidecar/" in content
    assert re.findall(r"(?:https?:)?//[\w.-]+\.\w+", content) == []
