"""REST: /api/v1/indicator-sets/, /api/v1/evaluations/ (ranked, ?expand=scores), import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from earlywarning import evaluations
from earlywarning.models.evaluations import Evaluation, EvaluationStatus, IndicatorScore
from tests.earlywarning.factories import csv_bytes, make_set, many_villages, row, run, zhuji_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world):
    def as_user(username):
        client = APIClient(HTTP_HOST="127.0.0.1")
        client.force_authenticate(world.users[username])
        return client
    return as_user


@pytest.fixture
def scored(world, catalogue):
    """Zhuji's four villages and Shangyu's two scored for 2026Q3."""
    run(world, csv_bytes(zhuji_rows(world)))
    run(world, csv_bytes([row(world.bg1), row(world.bg2, a01="0")]), user="shangyu",
        region=world.shangyu)


def test_anonymous_gets_401(world):
    for url in ("/api/v1/evaluations/", "/api/v1/indicator-sets/",
                "/api/v1/evaluations/import/"):
        assert APIClient(HTTP_HOST="127.0.0.1").get(url).status_code == 401


def test_evaluations_list_has_the_contract_fields_without_scores(world, scored, api):
    response = api("zhuji").get("/api/v1/evaluations/?quarter=2026Q3")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    first = body["results"][0]
    assert {"village", "quarter", "total", "rank", "tier"} <= set(first)
    assert "scores" not in first
    assert (first["village"], first["quarter"], first["total"], first["rank"]) == (
        world.fq1.pk, "2026Q3", "5.50", 1)
    assert first["tier"] in (1, 2, 3)
    assert first["movement"] == "new"


def test_expand_scores_adds_every_indicator_value(world, scored, api):
    response = api("zhuji").get(f"/api/v1/evaluations/?quarter=2026Q3&expand=scores"
                                f"&region={world.fengqiao.pk}")

    results = response.json()["results"]
    assert [r["village"] for r in results] == [world.fq1.pk, world.fq2.pk]
    assert results[0]["scores"] == {"A01": "2.00", "A02": "1.50", "B01": "1.00", "B02": "0.00"}


def test_region_filter_matches_the_subtree_and_scope_still_applies(world, scored, api):
    city = api("city").get(f"/api/v1/evaluations/?region={world.shangyu.pk}").json()
    fengqiao = api("fengqiao").get("/api/v1/evaluations/").json()
    outside = api("fengqiao").get(f"/api/v1/evaluations/?region={world.city.pk}")

    assert {r["village"] for r in city["results"]} == {world.bg1.pk, world.bg2.pk}
    assert {r["village"] for r in fengqiao["results"]} == {world.fq1.pk, world.fq2.pk}
    assert outside.status_code == 400


@pytest.mark.parametrize(("query", "field"), [
    ("quarter=2026-3", "quarter"), ("quarter=2026Q9", "quarter"), ("tier=4", "tier"),
    ("status=done", "status"), ("region=abc", "region")])
def test_bad_filters_give_400_naming_the_field(world, scored, api, query, field):
    response = api("zhuji").get(f"/api/v1/evaluations/?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_tier_filter(world, scored, api):
    tier = Evaluation.objects.get(village=world.dk2).tier
    results = api("zhuji").get(f"/api/v1/evaluations/?tier={tier}").json()["results"]

    assert world.dk2.pk in {r["village"] for r in results}
    assert {r["tier"] for r in results} == {tier}


def test_list_runs_a_constant_number_of_queries(world, catalogue, api,
                                                django_assert_max_num_queries):
    villages = many_villages(world.fengqiao, 120)
    rows = [row(v, a01=str(n % 3)) for n, v in enumerate(villages)]
    run(world, csv_bytes(rows), user="fengqiao", region=world.fengqiao)
    client = api("zhuji")

    with django_assert_max_num_queries(6):
        small = client.get("/api/v1/evaluations/?quarter=2026Q3&page_size=10&expand=scores")
    with django_assert_max_num_queries(6):
        large = client.get("/api/v1/evaluations/?quarter=2026Q3&page_size=120&expand=scores")

    assert len(small.json()["results"]) == 10 and len(large.json()["results"]) == 120
    assert len(large.json()["results"][-1]["scores"]) == 4


def test_indicator_sets_show_what_applies_to_the_caller(world, catalogue, api):
    make_set(world.shangyu, name="上虞自定")
    zhuji = api("zhuji").get("/api/v1/indicator-sets/").json()["results"]
    shangyu = api("shangyu").get("/api/v1/indicator-sets/").json()["results"]

    assert [s["name"] for s in zhuji] == [catalogue.name]
    assert {s["name"] for s in shangyu} == {catalogue.name, "上虞自定"}
    assert zhuji[0]["indicator_count"] == 4 and "indicators" not in zhuji[0]


def test_indicator_set_detail_lists_the_indicators(world, catalogue, api):
    body = api("fengqiao").get(f"/api/v1/indicator-sets/{catalogue.pk}/").json()

    assert [i["code"] for i in body["indicators"]] == ["A01", "A02", "B01", "B02"]
    assert body["indicators"][3]["higher_is_better"] is False


def post_import(client, world, content, *, region=None, quarter="2026Q3", replace=False,
                name="s.csv"):
    data = {"file": SimpleUploadedFile(name, content), "quarter": quarter,
            "region": (region or world.zhuji).pk}
    if replace:
        data["replace"] = "true"
    return client.post("/api/v1/evaluations/import/", data, format="multipart")


def test_import_creates_201_with_a_summary(world, catalogue, api):
    response = post_import(api("zhuji"), world, csv_bytes(zhuji_rows(world)))

    assert response.status_code == 201
    body = response.json()
    assert (body["villages"], body["scores"], body["replaced"], body["quarter"]) == (
        4, 16, 0, "2026Q3")
    assert body["tiers"][0]["county"] == world.zhuji.pk
    assert IndicatorScore.objects.count() == 16


def test_import_errors_are_400_with_row_column_message(world, catalogue, api):
    content = csv_bytes([row(world.fq1, a01="abc"), ["330681999999", "x", 1, 1, 1, 0]])
    response = post_import(api("zhuji"), world, content)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "A01"), (3, "village_code")]
    assert all(e["message"] for e in errors)
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(("data", "column"), [
    ({"quarter": "2026Q3"}, "file"),
    ({"file": b"x"}, "quarter"),
])
def test_import_missing_fields_are_400(world, catalogue, api, data, column):
    payload = {"region": world.zhuji.pk, **data}
    if "file" in payload:
        payload["file"] = SimpleUploadedFile("s.csv", payload["file"])
    response = api("zhuji").post("/api/v1/evaluations/import/", payload, format="multipart")

    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == column


def test_import_bad_quarter_is_400(world, catalogue, api):
    response = post_import(api("zhuji"), world, csv_bytes(zhuji_rows(world)), quarter="Q3")

    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "quarter"


def test_import_into_a_region_one_cannot_see_is_400_unknown(world, catalogue, api):
    response = post_import(api("fengqiao"), world, csv_bytes([row(world.dk1)]),
                           region=world.diankou)

    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "region"
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("username", ["api", "auditor", "helper"])
def test_readers_cannot_import(world, catalogue, api, username):
    region = world.fengqiao
    response = post_import(api(username), world, csv_bytes([row(world.fq1)]), region=region)

    assert response.status_code == 403
    assert not Evaluation.objects.exists()


def test_township_cannot_import_for_its_county_which_it_does_not_see(world, catalogue, api):
    response = post_import(api("fengqiao"), world, csv_bytes([row(world.fq1)]),
                           region=world.zhuji)

    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "region"
    assert not Evaluation.objects.exists()


def test_import_again_needs_replace(world, catalogue, api):
    client = api("zhuji")
    post_import(client, world, csv_bytes(zhuji_rows(world)))

    refused = post_import(client, world, csv_bytes([row(world.fq1, a01="0")]))
    replaced = post_import(client, world, csv_bytes([row(world.fq1, a01="0")]), replace=True)

    assert refused.status_code == 400 and replaced.status_code == 201
    assert replaced.json()["replaced"] == 1
    assert Evaluation.objects.get(village=world.fq1).total == Decimal("3.50")


def test_submit_approve_and_reopen_through_the_api(world, scored, api):
    township, county = api("fengqiao"), api("zhuji")

    submitted = township.post("/api/v1/evaluations/submit/",
                              {"region": world.fengqiao.pk, "quarter": "2026Q3"}, format="json")
    township_approves = township.post("/api/v1/evaluations/approve/",
                                      {"region": world.fengqiao.pk, "quarter": "2026Q3"},
                                      format="json")
    approved = county.post("/api/v1/evaluations/approve/",
                           {"region": world.zhuji.pk, "quarter": "2026Q3"}, format="json")
    evaluation = Evaluation.objects.get(village=world.fq1)
    no_reason = county.post(f"/api/v1/evaluations/{evaluation.pk}/reopen/", {"reason": ""},
                            format="json")
    reopened = county.post(f"/api/v1/evaluations/{evaluation.pk}/reopen/",
                           {"reason": "A01 数据核实有误"}, format="json")

    assert submitted.json() == {"submitted": 2}
    assert township_approves.status_code == 403
    assert approved.json() == {"approved": 2}
    assert no_reason.status_code == 400
    assert reopened.status_code == 200 and reopened.json()["status"] == "draft"
    assert Evaluation.objects.get(village=world.fq2).status == EvaluationStatus.APPROVED


def test_other_county_cannot_reopen(world, scored, api):
    evaluation = Evaluation.objects.get(village=world.fq1)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=EvaluationStatus.APPROVED, submitted_at="2026-10-01T00:00Z",
        approved_at="2026-10-02T00:00Z")

    response = api("shangyu").post(f"/api/v1/evaluations/{evaluation.pk}/reopen/",
                                   {"reason": "x"}, format="json")

    assert response.status_code == 404
    assert Evaluation.objects.get(pk=evaluation.pk).status == EvaluationStatus.APPROVED


def approve(world, quarter="2026Q3"):
    evaluations.submit_evaluations(actor=world.users["zhuji"], region=world.zhuji,
                                   quarter=quarter)
    evaluations.approve_evaluations(actor=world.users["zhuji"], region=world.zhuji,
                                    quarter=quarter)


def test_village_api_carries_the_current_tier_and_filters_by_it(world, scored, api,
                                                               django_assert_max_num_queries):
    approve(world)
    client = api("zhuji")
    tier = Evaluation.objects.get(village=world.dk2).tier

    with django_assert_max_num_queries(6):
        villages = client.get("/api/v1/villages/").json()["results"]
    filtered = client.get(f"/api/v1/villages/?tier={tier}").json()["results"]
    bad = client.get("/api/v1/villages/?tier=7")

    by_id = {v["id"]: v for v in villages}
    assert by_id[world.dk2.pk]["current_tier"] == tier
    assert world.dk2.pk in {v["id"] for v in filtered}
    assert {v["current_tier"] for v in filtered} == {tier}
    assert bad.status_code == 400


def test_current_tier_is_the_latest_approved_quarters(world, scored, api):
    approve(world)
    run(world, csv_bytes([row(world.fq1), row(world.fq2), row(world.dk1, a01="0", a02="0"),
                          row(world.dk2)]), quarter="2026Q4")

    def current_tier():
        villages = api("zhuji").get("/api/v1/villages/").json()["results"]
        return {v["id"]: v["current_tier"] for v in villages}[world.dk1.pk]

    # A draft quarter moves nothing; once the county approves it, it counts.
    assert current_tier() == Evaluation.objects.get(village=world.dk1, quarter="2026Q3").tier
    approve(world, "2026Q4")
    assert current_tier() == Evaluation.objects.get(village=world.dk1, quarter="2026Q4").tier
