"""Who sees and writes what, on every surface: role × surface × own or other region.

The expectations are written out by hand from the table in ``villages/scoping.py`` rather than
computed with it, so a change in scoping that nobody meant shows up here.
"""

import io

import pytest
from openpyxl import load_workbook

from tests.villages.adminforms import admin_form_data
from tests.villages.factories import PersonFactory, UserFactory
from villages.models import Person, Region, Role, Village

VILLAGES = ("fq1", "fq2", "dk1", "dk2", "bg1", "bg2")
ZHUJI_VILLAGES = {"fq1", "fq2", "dk1", "dk2"}
REGIONS = ("city", "zhuji", "shangyu", "fengqiao", "diankou", "baiguan")

# What each world user may see, by the fixture names of villages and regions.
VISIBLE_VILLAGES = {
    "city": set(VILLAGES),
    "zhuji": ZHUJI_VILLAGES,
    "shangyu": {"bg1", "bg2"},
    "fengqiao": {"fq1", "fq2"},
    "diankou": {"dk1", "dk2"},
    "helper": {"fq1"},
    "api": set(VILLAGES),
    "auditor": ZHUJI_VILLAGES,
}
VISIBLE_REGIONS = {
    "city": set(REGIONS),
    "zhuji": {"zhuji", "fengqiao", "diankou"},
    "shangyu": {"shangyu", "baiguan"},
    "fengqiao": {"fengqiao"},
    "diankou": {"diankou"},
    "helper": {"fengqiao"},
    "api": set(REGIONS),
    "auditor": {"zhuji", "fengqiao", "diankou"},
}
USERS = tuple(VISIBLE_VILLAGES)
STAFF = ("city", "zhuji", "shangyu")
NOT_STAFF = ("fengqiao", "diankou", "helper", "api", "auditor")
READERS_ONLY = ("fengqiao", "helper", "api", "auditor")

VILLAGE_PAIRS = [(u, v) for u in USERS for v in VILLAGES]
REGION_PAIRS = [(u, r) for u in USERS for r in REGIONS]


def pair_id(pair):
    user, target = pair
    return f"{user}-{target}"


def village_snapshot() -> list[tuple]:
    return list(Village.objects.order_by("pk").values_list(
        "pk", "code", "name", "township_id", "population", "star_rating", "is_active"))


def names_in(content: bytes, world) -> set[str]:
    text = content.decode()
    return {key for key in VILLAGES if getattr(world, key).name in text}


# --- HTML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_village_list_page_shows_exactly_the_villages_in_scope(world, login, username):
    response = login(username).get("/villages/")

    assert response.status_code == 200
    assert names_in(response.content, world) == VISIBLE_VILLAGES[username]


@pytest.mark.parametrize("pair", VILLAGE_PAIRS, ids=pair_id)
def test_village_detail_page_is_found_only_inside_scope(world, login, pair):
    username, key = pair
    village = getattr(world, key)

    response = login(username).get(f"/villages/{village.pk}/")

    if key in VISIBLE_VILLAGES[username]:
        assert response.status_code == 200
        assert village.name in response.content.decode()
    else:
        assert response.status_code == 404
        assert village.name not in response.content.decode()


def exported_codes(response) -> set[str]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize("username", [u for u in USERS if u != "api"])
def test_export_contains_exactly_the_villages_in_scope(world, login, username):
    response = login(username).get("/villages/export.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    expected = {getattr(world, key).code for key in VISIBLE_VILLAGES[username]}
    assert exported_codes(response) == expected


def test_export_ignores_a_region_filter_pointing_outside_scope(world, login):
    response = login("fengqiao").get(f"/villages/export.xlsx?region={world.city.pk}")

    assert exported_codes(response) == {world.fq1.code, world.fq2.code}


def test_api_client_cannot_export_spreadsheets(world, login):
    response = login("api").get("/villages/export.xlsx")

    assert response.status_code == 403


@pytest.mark.parametrize("pair", REGION_PAIRS, ids=pair_id)
def test_region_page_is_found_only_inside_scope(world, login, pair):
    username, key = pair
    region = getattr(world, key)

    response = login(username).get(f"/regions/{region.pk}/")

    assert response.status_code == (200 if key in VISIBLE_REGIONS[username] else 404)


@pytest.mark.parametrize("username", ["zhuji", "fengqiao", "helper"])
def test_township_page_lists_only_the_villages_the_user_may_see(world, login, username):
    response = login(username).get(f"/regions/{world.fengqiao.pk}/")

    assert names_in(response.content, world) == VISIBLE_VILLAGES[username] & {"fq1", "fq2"}


def test_township_official_cannot_read_other_township_village_by_id(world, login):
    response = login("fengqiao").get(f"/villages/{world.dk1.pk}/")

    assert response.status_code == 404


def test_helper_cannot_read_unassigned_village_of_own_township(world, login):
    response = login("helper").get(f"/villages/{world.fq2.pk}/")

    assert response.status_code == 404


# --- REST API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_api_village_list_returns_exactly_the_villages_in_scope(world, login, username):
    response = login(username).get("/api/v1/villages/?page_size=500")

    assert response.status_code == 200
    expected = {getattr(world, key).code for key in VISIBLE_VILLAGES[username]}
    assert {row["code"] for row in response.json()["results"]} == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("pair", VILLAGE_PAIRS, ids=pair_id)
def test_api_village_detail_is_found_only_inside_scope(world, login, pair):
    username, key = pair
    village = getattr(world, key)

    response = login(username).get(f"/api/v1/villages/{village.pk}/")

    if key in VISIBLE_VILLAGES[username]:
        assert response.status_code == 200
        assert response.json()["code"] == village.code
    else:
        assert response.status_code == 404
        assert village.name not in response.content.decode()


@pytest.mark.parametrize("username", USERS)
def test_api_region_list_returns_exactly_the_regions_in_scope(world, login, username):
    response = login(username).get("/api/v1/regions/?page_size=500")

    assert response.status_code == 200
    expected = {getattr(world, key).code for key in VISIBLE_REGIONS[username]}
    assert {row["code"] for row in response.json()["results"]} == expected


@pytest.mark.parametrize("pair", REGION_PAIRS, ids=pair_id)
def test_api_region_detail_is_found_only_inside_scope(world, login, pair):
    username, key = pair
    region = getattr(world, key)

    response = login(username).get(f"/api/v1/regions/{region.pk}/")

    assert response.status_code == (200 if key in VISIBLE_REGIONS[username] else 404)


@pytest.mark.parametrize("username", USERS)
def test_api_party_branch_list_returns_only_branches_in_scope(world, login, username):
    response = login(username).get("/api/v1/party-branches/?page_size=500")

    expected = {getattr(world, key).code for key in VISIBLE_VILLAGES[username]}
    assert {row["village_code"] for row in response.json()["results"]} == expected


@pytest.fixture
def superuser(world, client):
    user = UserFactory(username="root", role="", region=None, is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/villages/", "/admin/villages/village/", "/regions/", "/"])
def test_superuser_pages_show_every_region_or_village(world, superuser, url):
    response = superuser.get(url)

    assert response.status_code == 200
    if "regions" in url or url == "/":
        assert "绍兴市" in response.content.decode()
    else:
        assert names_in(response.content, world) == set(VILLAGES)


def test_superuser_api_lists_every_village(world, superuser):
    response = superuser.get("/api/v1/villages/?page_size=500")

    assert response.json()["count"] == len(VILLAGES)


def test_deactivated_user_is_signed_out_everywhere(world, client):
    user = world.users["city"]
    user.is_active = False
    user.save()
    client.force_login(user)

    assert client.get("/api/v1/villages/").status_code == 401
    assert client.get("/villages/").status_code == 302


# --- admin --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", STAFF)
def test_admin_village_list_shows_only_villages_in_scope(world, login, username):
    response = login(username).get("/admin/villages/village/")

    assert response.status_code == 200
    assert names_in(response.content, world) == VISIBLE_VILLAGES[username]


def test_admin_village_list_filters_offer_no_region_outside_scope(world, login):
    response = login("zhuji").get("/admin/villages/village/")

    content = response.content.decode()
    assert "诸暨市" in content
    assert "上虞市" not in content
    assert "百官街道" not in content


@pytest.mark.parametrize("username", NOT_STAFF)
@pytest.mark.parametrize("page", ["/admin/", "/admin/villages/village/", "change"])
def test_admin_sends_users_without_staff_role_to_the_admin_login(world, login, username, page):
    if page == "change":
        page = f"/admin/villages/village/{world.fq1.pk}/change/"

    response = login(username).get(page)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_township_official_flagged_staff_by_mistake_still_cannot_use_admin(world, client):
    official = UserFactory(username="staff-official", role=Role.TOWNSHIP_OFFICIAL,
                           region=world.fengqiao, is_staff=True)
    client.force_login(official)

    assert client.get("/admin/villages/village/").status_code == 403
    assert client.get(f"/admin/villages/village/{world.fq1.pk}/change/").status_code == 403


@pytest.mark.parametrize("pair", [(u, v) for u in STAFF for v in VILLAGES], ids=pair_id)
def test_admin_change_page_opens_only_inside_scope(world, login, pair):
    username, key = pair
    village = getattr(world, key)
    client = login(username)
    client.cookies["django_language"] = "en"

    response = client.get(f"/admin/villages/village/{village.pk}/change/", follow=True)

    if key in VISIBLE_VILLAGES[username]:
        assert response.redirect_chain == []
        assert response.context["original"] == village
    else:
        assert response.redirect_chain == [("/admin/", 302)]
        assert any("doesn’t exist" in str(m) for m in response.context["messages"])
        assert village.name not in response.content.decode()


def test_county_staff_cannot_read_other_county_village_history_in_admin(world, login):
    record = Village.history.filter(id=world.bg1.pk).latest("history_date")
    client = login("zhuji")

    listing = client.get(f"/admin/villages/village/{world.bg1.pk}/history/")
    version = client.get(
        f"/admin/villages/village/{world.bg1.pk}/history/{record.history_id}/")

    assert listing.status_code == 403
    assert version.status_code == 403
    assert world.bg1.name not in listing.content.decode() + version.content.decode()


def test_county_staff_can_read_own_village_history_in_admin(world, login):
    record = Village.history.filter(id=world.fq1.pk).latest("history_date")
    client = login("zhuji")

    listing = client.get(f"/admin/villages/village/{world.fq1.pk}/history/")
    version = client.get(
        f"/admin/villages/village/{world.fq1.pk}/history/{record.history_id}/")

    assert listing.status_code == 200
    assert version.status_code == 200


def test_county_staff_cannot_rewrite_other_county_person_through_admin_history(world, login):
    person = PersonFactory(region=world.baiguan, name="上虞干部")
    record = Person.history.filter(id=person.pk).latest("history_date")

    response = login("zhuji").post(
        f"/admin/villages/person/{person.pk}/history/{record.history_id}/",
        {"name": "改名", "region": world.fengqiao.pk, "is_party_member": "on"})

    assert response.status_code == 403
    person.refresh_from_db()
    assert (person.name, person.region_id) == ("上虞干部", world.baiguan.pk)


# --- writes refused -----------------------------------------------------------------------------


def test_county_staff_cannot_patch_other_county_village_by_id(world, login):
    before = village_snapshot()

    response = login("zhuji").patch(f"/api/v1/villages/{world.bg1.pk}/", {"name": "改名村"},
                                    content_type="application/json")

    assert response.status_code == 404
    assert village_snapshot() == before


def test_county_staff_cannot_put_other_county_village_by_id(world, login):
    before = village_snapshot()
    body = {"code": world.bg1.code, "name": "改名村", "township": world.fengqiao.pk}

    response = login("zhuji").put(f"/api/v1/villages/{world.bg1.pk}/", body,
                                  content_type="application/json")

    assert response.status_code == 404
    assert village_snapshot() == before


def test_county_staff_cannot_create_village_in_other_county_township(world, login):
    before = village_snapshot()
    body = {"code": "330682001299", "name": "越界村", "township": world.baiguan.pk}

    response = login("zhuji").post("/api/v1/villages/", body, content_type="application/json")

    assert response.status_code == 400
    assert "township" in response.json()
    assert village_snapshot() == before


def test_county_staff_can_create_village_in_own_township(world, login):
    body = {"code": "330681108299", "name": "新建村", "township": world.fengqiao.pk}

    response = login("zhuji").post("/api/v1/villages/", body, content_type="application/json")

    assert response.status_code == 201
    assert Village.objects.get(code="330681108299").township == world.fengqiao


def test_county_staff_cannot_move_own_village_into_other_county_township(world, login):
    before = village_snapshot()

    response = login("zhuji").patch(f"/api/v1/villages/{world.fq1.pk}/",
                                    {"township": world.baiguan.pk},
                                    content_type="application/json")

    assert response.status_code == 400
    assert "township" in response.json()
    assert village_snapshot() == before


def test_county_staff_can_move_own_village_between_own_townships(world, login):
    response = login("zhuji").patch(f"/api/v1/villages/{world.fq1.pk}/",
                                    {"township": world.diankou.pk},
                                    content_type="application/json")

    assert response.status_code == 200
    world.fq1.refresh_from_db()
    assert world.fq1.township == world.diankou


def test_city_staff_can_move_a_village_across_counties(world, login):
    response = login("city").patch(f"/api/v1/villages/{world.fq1.pk}/",
                                   {"township": world.baiguan.pk},
                                   content_type="application/json")

    assert response.status_code == 200
    assert response.json()["county"] == world.shangyu.pk


@pytest.mark.parametrize("username", READERS_ONLY)
def test_reader_cannot_patch_a_village_it_can_see(world, login, username):
    before = village_snapshot()

    response = login(username).patch(f"/api/v1/villages/{world.fq1.pk}/", {"name": "改名村"},
                                      content_type="application/json")

    assert response.status_code == 403
    assert village_snapshot() == before


@pytest.mark.parametrize("username", READERS_ONLY)
def test_reader_cannot_create_a_village(world, login, username):
    before = village_snapshot()
    body = {"code": "330681108299", "name": "新建村", "township": world.fengqiao.pk}

    response = login(username).post("/api/v1/villages/", body, content_type="application/json")

    assert response.status_code == 403
    assert village_snapshot() == before


@pytest.mark.parametrize("username", ["city", "zhuji"])
def test_villages_cannot_be_deleted_through_the_api(world, login, username):
    before = village_snapshot()

    response = login(username).delete(f"/api/v1/villages/{world.fq1.pk}/")

    assert response.status_code == 405
    assert village_snapshot() == before


@pytest.mark.parametrize("username", ["city", "zhuji"])
def test_regions_are_read_only_in_the_api(world, login, username):
    response = login(username).patch(f"/api/v1/regions/{world.fengqiao.pk}/", {"name": "改名镇"},
                                     content_type="application/json")

    assert response.status_code == 405
    assert Region.objects.get(pk=world.fengqiao.pk).name == "枫桥镇"


def test_county_staff_admin_post_to_other_county_village_changes_nothing(world, login):
    client = login("zhuji")
    form = client.get(f"/admin/villages/village/{world.fq1.pk}/change/")
    data = admin_form_data(form, code=world.bg1.code, name="改名村", township=world.fengqiao.pk)
    before = village_snapshot()

    response = client.post(f"/admin/villages/village/{world.bg1.pk}/change/", data)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert village_snapshot() == before


def test_county_staff_admin_cannot_choose_other_county_township(world, login):
    client = login("zhuji")
    url = f"/admin/villages/village/{world.fq1.pk}/change/"
    data = admin_form_data(client.get(url), township=world.baiguan.pk)
    before = village_snapshot()

    response = client.post(url, data)

    assert response.status_code == 200
    assert "township" in response.context["adminform"].form.errors
    assert village_snapshot() == before


def test_county_staff_admin_add_in_other_county_township_is_refused(world, login):
    client = login("zhuji")
    data = admin_form_data(client.get("/admin/villages/village/add/"), code="330682001299",
                           name="越界村", township=world.baiguan.pk)

    response = client.post("/admin/villages/village/add/", data)

    assert response.status_code == 200
    assert "township" in response.context["adminform"].form.errors
    assert not Village.objects.filter(code="330682001299").exists()


def test_county_staff_admin_change_inside_scope_is_saved(world, login):
    client = login("zhuji")
    url = f"/admin/villages/village/{world.fq1.pk}/change/"
    data = admin_form_data(client.get(url), name="枫源新村", township=world.diankou.pk)

    response = client.post(url, data)

    assert response.status_code == 302
    world.fq1.refresh_from_db()
    assert (world.fq1.name, world.fq1.township) == ("枫源新村", world.diankou)


@pytest.mark.parametrize("username", NOT_STAFF)
def test_admin_post_from_a_user_without_staff_role_changes_nothing(world, login, username):
    url = f"/admin/villages/village/{world.fq1.pk}/change/"
    before = village_snapshot()

    response = login(username).post(url, {"code": world.fq1.code, "name": "改名村",
                                          "township": world.fengqiao.pk})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert village_snapshot() == before


@pytest.mark.parametrize("username, shown", [
    ("city", True), ("zhuji", True), ("fengqiao", False), ("helper", False), ("auditor", False),
])
def test_village_page_offers_editing_only_to_staff_over_it(world, login, username, shown):
    response = login(username).get(f"/villages/{world.fq1.pk}/")

    edit_link = f"/admin/villages/village/{world.fq1.pk}/change/"
    assert (edit_link in response.content.decode()) is shown
