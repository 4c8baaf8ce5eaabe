import pytest
from rest_framework.test import APIClient

from earlywarning import bulletins
from earlywarning.models.bulletins import Bulletin
from earlywarning.models.ratings import WarningRating
from tests.earlywarning.factories import OCTOBER, rate_september_and_october

pytestmark = pytest.mark.usefixtures("frozen", "english")
LIST = "/api/v1/bulletins/"


@pytest.fixture
def rated(world):
    rate_september_and_october(world)
    return world


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def published(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    return bulletins.publish(actor=rated.users["zhuji"], bulletin=draft)


def test_county_staff_builds_a_draft(rated):
    response = client_for(rated.users["zhuji"]).post(
        LIST + "build/", {"region": rated.zhuji.pk, "month": "2026-10"}, format="json")
    assert response.status_code == 201
    assert (response.data["status"], response.data["revision"]) == ("draft", 1)
    assert {e["village_name"] for e in response.data["entries"]} == {"枫源村", "湖西村"}


@pytest.mark.parametrize("user", ["fengqiao", "api", "auditor", "helper", "shangyu"])
def test_others_may_not_build_a_county_bulletin(rated, user):
    response = client_for(rated.users[user]).post(
        LIST + "build/", {"region": rated.zhuji.pk, "month": "2026-10"}, format="json")
    assert response.status_code in (403, 404)
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(("payload", "code"), [
    ({"region": 999999, "month": "2026-10"}, 404),
    ({"region": "x", "month": "2026-10"}, 400),
    ({"month": "2026-10"}, 400),
    ({"region": "REGION", "month": "2026-13"}, 400),
    ({"region": "REGION", "month": "10/2026"}, 400),
    ({"region": "REGION", "month": "2027-01"}, 400),
    ({"region": "TOWNSHIP", "month": "2026-10"}, 400),
])
def test_bad_build_input_is_refused_cleanly(rated, payload, code):
    payload = {k: {"REGION": rated.zhuji.pk, "TOWNSHIP": rated.fengqiao.pk}.get(v, v)
               for k, v in payload.items()}
    response = client_for(rated.users["zhuji"]).post(LIST + "build/", payload, format="json")
    assert response.status_code == code
    assert not Bulletin.objects.exists()


def test_publish_then_publish_again_is_refused(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    client = client_for(rated.users["zhuji"])
    assert client.post(f"{LIST}{draft.pk}/publish/").status_code == 200
    again = client.post(f"{LIST}{draft.pk}/publish/")
    assert again.status_code == 400
    assert "已发布" in again.json()["status"][0]


@pytest.mark.parametrize("user", ["fengqiao", "api"])
def test_township_official_and_api_client_cannot_publish(rated, user):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    response = client_for(rated.users[user]).post(f"{LIST}{draft.pk}/publish/")
    assert response.status_code in (403, 404)
    assert Bulletin.objects.get(pk=draft.pk).status == "draft"


def test_published_bulletin_cannot_be_edited_or_deleted_through_the_api(published, rated):
    client = client_for(rated.users["zhuji"])
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"{LIST}{published.pk}/", {"summary": {}},
                                           format="json")
        assert response.status_code == 405
    assert Bulletin.objects.get(pk=published.pk).snapshot == published.snapshot


def test_api_client_sees_published_bulletins_only(rated, published):
    bulletins.build_draft(actor=None, region=rated.shangyu, month=OCTOBER)
    data = client_for(rated.users["api"]).get(LIST).data
    assert [b["id"] for b in data["results"]] == [published.pk]
    staff = client_for(rated.users["city"]).get(LIST).data
    assert staff["count"] == 2


def test_list_filters_by_region_month_status_and_since(rated, published):
    draft = bulletins.build_draft(actor=None, region=rated.shangyu, month=OCTOBER)
    client = client_for(rated.users["city"])
    assert [b["id"] for b in client.get(LIST, {"region": rated.shangyu.pk}).data["results"]] \
        == [draft.pk]
    assert client.get(LIST, {"status": "published"}).data["count"] == 1
    assert client.get(LIST, {"month": "2026-09"}).data["count"] == 0
    # Changed at or after: the draft built and the revision published at 10:00 both count.
    assert client.get(LIST, {"since": "2026-11-20T09:00:00+08:00"}).data["count"] == 2
    assert client.get(LIST, {"since": "2026-11-20T11:00:00+08:00"}).data["count"] == 0
    assert client.get(LIST, {"month": "2026-1x"}).status_code == 400
    assert client.get(LIST, {"since": "yesterday"}).status_code == 400


def test_detail_carries_etag_and_answers_304(published, rated):
    client = client_for(rated.users["api"])
    first = client.get(f"{LIST}{published.pk}/")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert first.json()["entries"][0]["village_name"]
    tag = first.headers["ETag"]
    second = client.get(f"{LIST}{published.pk}/", HTTP_IF_NONE_MATCH=tag)
    assert second.status_code == 304
    assert client.get(f"{LIST}{published.pk}/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_published_detail_stays_the_same_after_ratings_change(published, rated):
    client = client_for(rated.users["api"])
    before = client.get(f"{LIST}{published.pk}/").json()
    WarningRating.objects.filter(village=rated.fq1).update(color="green")
    after = client.get(f"{LIST}{published.pk}/")
    assert after.json() == before


def test_correct_returns_a_new_draft_revision(published, rated):
    response = client_for(rated.users["zhuji"]).post(
        f"{LIST}{published.pk}/correct/", {"reason": "枫源村评定有误"}, format="json")
    assert response.status_code == 201
    assert (response.data["revision"], response.data["corrects"]) == (2, published.pk)
    assert response.data["correction_reason"] == "枫源村评定有误"
    empty = client_for(rated.users["zhuji"]).post(f"{LIST}{published.pk}/correct/", {},
                                                   format="json")
    assert empty.status_code == 400


def test_anonymous_gets_401(published):
    assert APIClient().get(LIST).status_code == 401


def test_list_and_detail_run_a_constant_number_of_queries(
        published, rated, django_assert_max_num_queries):
    bulletins.build_draft(actor=None, region=rated.shangyu, month=OCTOBER)
    client = client_for(rated.users["city"])
    with django_assert_max_num_queries(4):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(f"{LIST}{published.pk}/").status_code == 200


def test_a_token_pull_of_a_published_bulletin_takes_two_queries_and_a_304_two(
        published, rated, django_assert_max_num_queries):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rated.users['api'])}")
    # The token with its user and region; the bulletin with its snapshot's stored text.
    with django_assert_max_num_queries(2):
        first = client.get(f"{LIST}{published.pk}/")
    assert first.status_code == 200 and first.json() == published.snapshot
    with django_assert_max_num_queries(2):
        second = client.get(f"{LIST}{published.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304
