import pytest
from rest_framework.test import APIClient

from earlywarning import roster
from earlywarning.models.ratings import WarningRating
from tests.earlywarning.factories import rate

URL = "/api/v1/ratings/"


@pytest.fixture
def w(world, frozen):
    return world


def client_for(user):
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.force_authenticate(user)
    return client


def test_anonymous_gets_401():
    assert APIClient().get(URL).status_code == 401


def test_post_one_rating_returns_it_with_contract_fields(w):
    response = client_for(w.users["fengqiao"]).post(
        URL, {"village": w.fq1.pk, "period": "2026-11-H2", "color": "yellow",
              "reason": "班子调整到位"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"village", "period", "color", "reason", "rated_by", "rated_at"} <= set(body)
    assert (body["village"], body["period"], body["color"], body["rated_by"]) == (
        w.fq1.pk, "2026-11-H2", "yellow", "fengqiao")
    assert body["status"] == "submitted"


def test_posting_again_updates_the_same_rating_and_records_both(w):
    client = client_for(w.users["fengqiao"])
    for color in ("red", "yellow"):
        response = client.post(URL, {"village": w.fq1.pk, "period": "2026-11-H2",
                                     "color": color, "reason": "评定"}, format="json")
        assert response.status_code == 201
    rating = WarningRating.objects.get()
    assert rating.color == "yellow"
    assert rating.history.count() == 2


def test_list_post_is_all_or_nothing_with_errors_per_item(w):
    roster.decide(actor=w.users["zhuji"], village=w.fq2, action="add", reason="纳入")
    payload = [{"village": w.fq1.pk, "period": "2026-11-H2", "color": "green", "reason": "好转"},
               {"village": w.fq2.pk, "period": "2026-11-H2", "color": "red", "reason": ""}]
    response = client_for(w.users["fengqiao"]).post(URL, payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors[0] == {} and "reason" in errors[1]
    assert not WarningRating.objects.exists()


def test_township_official_cannot_rate_another_townships_village_by_id(w):
    response = client_for(w.users["fengqiao"]).post(
        URL, {"village": w.dk1.pk, "period": "2026-11-H2", "color": "green"}, format="json")
    assert response.status_code == 400
    assert "village" in response.json()
    assert not WarningRating.objects.exists()


@pytest.mark.parametrize("role", ["api", "auditor", "helper"])
def test_read_only_roles_cannot_post(w, role):
    response = client_for(w.users[role]).post(
        URL, {"village": w.fq1.pk, "period": "2026-11-H2", "color": "green"}, format="json")
    assert response.status_code == 403
    assert not WarningRating.objects.exists()


@pytest.mark.parametrize("change,field", [
    ({"color": "blue"}, "color"),
    ({"period": "2026-11"}, "period"),
    ({"period": "2026-12-H1"}, "period"),   # the future
    ({"period": "2026-11-H1"}, "period"),   # closed on 2026-11-18
    ({"color": "red", "reason": ""}, "reason"),
    ({"village": 999999}, "village"),
])
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(w, change, field):
    payload = {"village": w.fq1.pk, "period": "2026-11-H2", "color": "green",
               "reason": "好转"} | change
    response = client_for(w.users["fengqiao"]).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not WarningRating.objects.exists()


def test_empty_list_is_a_400(w):
    assert client_for(w.users["fengqiao"]).post(URL, [], format="json").status_code == 400


def test_list_shows_only_ratings_the_caller_may_see(w):
    rate(w.users["zhuji"], w.fq1, "green")
    rate(w.users["zhuji"], w.dk1, "yellow")
    rate(w.users["shangyu"], w.bg1, "red", reason="矛盾突出")

    def villages(user, query=""):
        return {r["village"] for r in client_for(user).get(URL + query).json()["results"]}

    assert villages(w.users["fengqiao"]) == {w.fq1.pk}
    assert villages(w.users["zhuji"]) == {w.fq1.pk, w.dk1.pk}
    assert villages(w.users["api"]) == {w.fq1.pk, w.dk1.pk, w.bg1.pk}
    assert villages(w.users["api"], f"?region={w.shangyu.pk}") == {w.bg1.pk}
    assert villages(w.users["api"], "?color=yellow") == {w.dk1.pk}


def test_village_api_shows_current_color_and_filters_by_it(w):
    rate(w.users["zhuji"], w.fq1, "yellow")
    rate(w.users["zhuji"], w.dk1, "red", reason="信访")
    client = client_for(w.users["zhuji"])
    assert client.get(f"/api/v1/villages/{w.fq1.pk}/").json()["current_color"] == "yellow"
    reds = client.get("/api/v1/villages/?color=red").json()["results"]
    assert [v["id"] for v in reds] == [w.dk1.pk]


def test_batch_submit_runs_a_constant_number_of_queries(w, django_assert_max_num_queries):
    from tests.villages.factories import make_village

    villages = [make_village(w.fengqiao, grade="poor") for _ in range(30)]
    client = client_for(w.users["fengqiao"])

    def post(batch):
        return client.post(URL, [{"village": v.pk, "period": "2026-11-H2", "color": "red",
                                  "reason": "整改"} for v in batch], format="json")

    with django_assert_max_num_queries(20):
        assert post(villages[:3]).status_code == 201
    with django_assert_max_num_queries(20):
        assert post(villages[3:]).status_code == 201
    assert WarningRating.objects.count() == 30
