"""Who sees and writes the rectification work, on every surface: role × surface × own or other
region. Expectations are written out by hand, not computed with scoping."""

import io

import pytest
from openpyxl import load_workbook

from casework import ledger
from casework.models import Case, LedgerItem, LedgerStatus
from tests.casework.factories import multipart_file, pdf_upload

USERS = ("city", "zhuji", "shangyu", "fengqiao", "diankou", "helper", "api", "auditor")
CASE_VILLAGES = ("fq1", "dk1", "bg1")
VISIBLE = {
    "city": {"fq1", "dk1", "bg1"},
    "zhuji": {"fq1", "dk1"},
    "shangyu": {"bg1"},
    "fengqiao": {"fq1"},
    "diankou": {"dk1"},
    "helper": {"fq1"},
    "api": {"fq1", "dk1", "bg1"},
    "auditor": {"fq1", "dk1"},
}
# Who may strike off an item of each village (the township or the county/city above it).
STRIKERS = {
    "fq1": {"city", "zhuji", "fengqiao"},
    "dk1": {"city", "zhuji", "diankou"},
    "bg1": {"city", "shangyu"},
}
READERS = {"api", "auditor"}
PAIRS = [(u, v) for u in USERS for v in CASE_VILLAGES]


def pair_id(pair):
    return "-".join(pair)


def status(item):
    return LedgerItem.objects.values_list("status", flat=True).get(pk=item.pk)


def names(world, text):
    return {key for key in CASE_VILLAGES if getattr(world, key).name in text}


# --- Reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_case_list_page_shows_exactly_the_cases_in_scope(world, work, login, username):
    response = login(username).get("/cases/")
    assert response.status_code == 200
    assert names(world, response.content.decode()) == VISIBLE[username]


@pytest.mark.parametrize("username", USERS)
def test_ledger_list_page_shows_exactly_the_items_in_scope(world, work, login, username):
    response = login(username).get("/ledger/")
    assert response.status_code == 200
    assert names(world, response.content.decode()) == VISIBLE[username]


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_case_and_ledger_pages_are_found_only_inside_scope(world, work, login, pair):
    username, key = pair
    client = login(username)
    expected = 200 if key in VISIBLE[username] else 404
    assert client.get(f"/cases/{work.cases[key].pk}/").status_code == expected
    assert client.get(f"/ledger/{work.items[key].pk}/").status_code == expected
    assert client.get(f"/ledger/village/{getattr(world, key).pk}/").status_code == expected
    assert client.get(f"/pairings/{work.pairings[key].pk}/").status_code == expected


@pytest.mark.parametrize("username", USERS)
def test_api_lists_return_exactly_what_is_in_scope(world, work, login, username):
    client = login(username)
    for url in ("/api/v1/cases/", "/api/v1/ledger-items/", "/api/v1/pairings/"):
        rows = client.get(url).json()["results"]
        assert {r["village"] for r in rows} == {getattr(world, k).pk for k in VISIBLE[username]}


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_api_details_are_found_only_inside_scope(world, work, login, pair):
    username, key = pair
    client = login(username)
    expected = 200 if key in VISIBLE[username] else 404
    assert client.get(f"/api/v1/cases/{work.cases[key].pk}/").status_code == expected
    assert client.get(f"/api/v1/ledger-items/{work.items[key].pk}/").status_code == expected


@pytest.mark.parametrize("username", ["city", "zhuji", "fengqiao", "helper", "auditor"])
def test_ledger_export_contains_exactly_the_items_in_scope(world, work, login, username):
    response = login(username).get("/ledger/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {getattr(world, k).code for k in VISIBLE[username]}


def test_ledger_export_ignores_a_township_filter_outside_scope(world, work, login):
    response = login("fengqiao").get(f"/ledger/export.xlsx?township={world.baiguan.pk}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert world.bg1.code not in codes


def test_api_client_cannot_export(world, work, login):
    assert login("api").get("/ledger/export.xlsx").status_code == 403


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_evidence_is_served_only_inside_scope(world, work, login, pair):
    username, key = pair
    ledger.strike_off(actor=world.users["city"], item=work.items[key], resolution="ok",
                      evidence=pdf_upload())
    evidence_id = LedgerItem.objects.get(pk=work.items[key].pk).evidence_id
    response = login(username).get(f"/evidence/{evidence_id}/")
    if key in VISIBLE[username]:
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")
    else:
        assert response.status_code == 404


def test_evidence_has_no_public_url(world, work, client, settings):
    ledger.strike_off(actor=world.users["city"], item=work.items["fq1"], resolution="ok",
                      evidence=pdf_upload())
    item = LedgerItem.objects.get(pk=work.items["fq1"].pk)
    assert client.get(f"/media/{item.evidence.file.name}").status_code in (302, 404)
    assert client.get(f"/evidence/{item.evidence_id}/").status_code == 302  # to the login


# --- Writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_html_strike_off_only_by_township_or_above(world, work, login, pair):
    username, key = pair
    item = work.items[key]
    response = login(username).post(f"/ledger/{item.pk}/strike-off/", {
        "resolution": "ok", "evidence": pdf_upload()})
    if username in STRIKERS[key]:
        assert response.status_code == 302
        assert status(item) == LedgerStatus.STRUCK_OFF
    else:
        assert response.status_code == (403 if key in VISIBLE[username] else 404)
        assert status(item) == LedgerStatus.LISTED


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_api_strike_off_only_by_township_or_above(world, work, login, pair):
    username, key = pair
    item = work.items[key]
    response = login(username).post(f"/api/v1/ledger-items/{item.pk}/strike-off/", {
        "resolution": "ok", "evidence": multipart_file()})
    if username in STRIKERS[key]:
        assert response.status_code == 200
        assert response.json()["status"] == "struck_off"
    else:
        # Read-only roles are refused every write before any lookup, so 403 leaks nothing.
        expected = 403 if key in VISIBLE[username] or username in READERS else 404
        assert response.status_code == expected
        assert status(item) == LedgerStatus.LISTED


@pytest.mark.parametrize("body, field", [
    ({"resolution": "ok"}, "evidence"),
    ({"resolution": "", "evidence": "file"}, "resolution"),
    ({"resolution": "ok", "evidence": "exe"}, "evidence"),
])
def test_api_strike_off_bad_input_is_a_400_and_changes_nothing(world, work, login, body,
                                                               field):
    item = work.items["fq1"]
    data = dict(body)
    if data.get("evidence") == "file":
        data["evidence"] = multipart_file()
    elif data.get("evidence") == "exe":
        data["evidence"] = multipart_file(b"MZ\x90\x00", "tool.exe")
    response = login("fengqiao").post(f"/api/v1/ledger-items/{item.pk}/strike-off/", data)
    assert response.status_code == 400
    assert field in response.json()
    assert status(item) == LedgerStatus.LISTED


@pytest.mark.parametrize("username", USERS)
def test_ledger_items_cannot_be_deleted_through_the_api(world, work, login, username):
    response = login(username).delete(f"/api/v1/ledger-items/{work.items['fq1'].pk}/")
    # Readers are refused every write (403); everyone else finds no DELETE at all (405).
    assert response.status_code == (403 if username in READERS else 405)
    assert LedgerItem.objects.filter(pk=work.items["fq1"].pk).exists()


def test_superuser_cannot_delete_a_ledger_item_in_admin(world, work, client):
    from tests.villages.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    item = work.items["fq1"]
    response = client.post(f"/admin/casework/ledgeritem/{item.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = client.post("/admin/casework/ledgeritem/", {
        "action": "delete_selected", "_selected_action": [item.pk], "post": "yes"})
    assert LedgerItem.objects.filter(pk=item.pk).exists()


def test_ledger_item_has_no_html_delete_route(world, work, login):
    response = login("zhuji").post(f"/ledger/{work.items['fq1'].pk}/delete/")
    assert response.status_code == 404
    assert LedgerItem.objects.filter(pk=work.items["fq1"].pk).exists()


@pytest.mark.parametrize("username, key, allowed", [
    ("zhuji", "fq1", True), ("zhuji", "bg1", False), ("city", "bg1", True),
    ("fengqiao", "fq1", False), ("helper", "fq1", False), ("api", "fq1", False),
])
def test_api_case_confirmation_by_the_county_only(world, work, login, username, key, allowed):
    case = work.cases[key]
    Case.objects.filter(pk=case.pk).update(status="opened", confirmed_at=None)
    response = login(username).post(f"/api/v1/cases/{case.pk}/confirm/")
    confirmed = Case.objects.get(pk=case.pk).confirmed_at is not None
    assert confirmed is allowed
    if not allowed:
        assert response.status_code in (403, 404)


def test_township_official_cannot_list_an_item_in_another_township(world, work, login):
    response = login("fengqiao").post("/api/v1/ledger-items/", {
        "village": world.dk1.pk, "problem": "x", "problem_type": "soft",
        "responsible": "书记", "due": "2026-12-31"}, content_type="application/json")
    assert response.status_code == 400
    assert "village" in response.json()
    assert LedgerItem.objects.filter(village=world.dk1).count() == 1


@pytest.mark.parametrize("username", ["zhuji", "fengqiao", "auditor", "api"])
def test_admin_ledger_list_shows_only_items_in_scope(world, work, login, username):
    response = login(username).get("/admin/casework/ledgeritem/")
    if username in ("fengqiao", "auditor", "api"):
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert names(world, response.content.decode()) == VISIBLE[username]


def test_admin_case_change_page_opens_only_inside_scope(world, work, login):
    client = login("zhuji")
    assert client.get(f"/admin/casework/case/{work.cases['fq1'].pk}/change/").status_code == 200
    response = client.get(f"/admin/casework/case/{work.cases['bg1'].pk}/change/")
    assert response.status_code == 302  # the admin redirects a missing object to its index
