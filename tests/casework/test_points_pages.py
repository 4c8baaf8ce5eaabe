"""Points pages, export, API and admin: who sees and who changes what, and bad input."""

import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from casework import points, points_posting
from casework.models import PointsEntry, PointsRule, Visit
from core.periods import Month
from villages.models import Person

NOW = datetime(2026, 11, 20, 10, 0)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(timezone.make_aware(NOW), tick=False)


@pytest.fixture
def posted(world, work):
    """A visit a month in each county's backward villages, posted for October 2026."""
    for key in ("fq1", "dk1", "bg1"):
        pairing = work.pairings[key]
        Visit.objects.create(village=pairing.village, pairing=pairing, date=date(2026, 10, 8),
                             visitor="领导", purpose="走访", logged_by=world.users["zhuji"])
    points_posting.post_month(month=Month(2026, 10))
    return {key: PointsEntry.objects.get(village=getattr(world, key))
            for key in ("fq1", "dk1", "bg1")}


def names(response):
    return {row["person__name"] for row in response.context["rows"]}


def test_the_summary_lists_each_cadre_of_the_year_in_few_queries(
        posted, login, django_assert_max_num_queries):
    client = login("zhuji")
    with django_assert_max_num_queries(12):
        response = client.get("/points/?year=2026")
    assert response.status_code == 200
    assert names(response) == {"领导fq1", "领导dk1"}  # 上虞市's cadre is not 诸暨市's
    assert response.context["rows"][0]["visit_month"] == 1
    assert names(client.get("/points/?year=2025")) == set()


@pytest.mark.parametrize(("username", "expected"), [
    ("city", {"领导fq1", "领导dk1", "领导bg1"}), ("fengqiao", {"领导fq1"}),
    ("diankou", {"领导dk1"}), ("helper", {"领导fq1"}), ("auditor", {"领导fq1", "领导dk1"}),
])
def test_everyone_sees_the_points_of_the_villages_they_see(posted, login, username, expected):
    assert names(login(username).get("/points/")) == expected


def test_a_bad_year_shows_an_error_not_a_crash(posted, login):
    response = login("zhuji").get("/points/?year=abc")
    assert response.status_code == 200 and response.context["filter"].errors


def test_the_export_is_a_workbook_with_formula_safe_text(posted, world, login):
    Person.objects.filter(pk=posted["fq1"].person_id).update(name="=HYPERLINK(1)",
                                                            employer="+86 县委")
    response = login("zhuji").get("/points/export.xlsx?year=2026")
    # Named like every download (core/xlsx.py): what, then when it was made.
    assert response["Content-Disposition"] == (
        'attachment; filename="points-2026-20261120-1000.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    cell = rows["=HYPERLINK(1)"][1]
    assert cell.data_type == "s" and cell.quotePrefix
    assert rows["=HYPERLINK(1)"][2].value == "+86 县委" and rows["=HYPERLINK(1)"][2].quotePrefix
    assert rows["领导dk1"][0].value == 2026


def test_api_clients_cannot_export(posted, login):
    assert login("api").get("/points/export.xlsx").status_code == 403


def test_the_person_page_lists_every_entry_and_the_county_reverses_one(posted, login):
    entry = posted["fq1"]
    client = login("zhuji")
    page = client.get(f"/points/people/{entry.person_id}/")
    assert page.status_code == 200 and page.context["entries"] == [entry]
    assert page.context["entries"][0].can_reverse
    response = client.post(f"/points/entries/{entry.pk}/reverse/", {"reason": "走访未核实"})
    assert response.status_code == 302
    reversal = PointsEntry.objects.get(reverses=entry)
    assert (reversal.points, reversal.reason) == (-1, "走访未核实")
    page = client.get(f"/points/people/{entry.person_id}/?year=2026")
    assert page.context["total"] == 0 and not any(e.can_reverse for e in page.context["entries"]
                                                  if e.pk == entry.pk)


def test_a_reversal_without_reason_changes_nothing(posted, login):
    entry = posted["fq1"]
    response = login("zhuji").post(f"/points/entries/{entry.pk}/reverse/", {"reason": ""},
                                   HTTP_REFERER=f"/points/people/{entry.person_id}/")
    assert response.status_code == 302 and PointsEntry.objects.count() == 3


@pytest.mark.parametrize(("username", "status"), [
    ("fengqiao", 403), ("helper", 403), ("auditor", 403), ("diankou", 404), ("shangyu", 404)])
def test_only_the_county_reverses_an_entry(posted, login, username, status):
    entry = posted["fq1"]
    response = login(username).post(f"/points/entries/{entry.pk}/reverse/", {"reason": "x"})
    assert response.status_code == status and PointsEntry.objects.count() == 3


def test_township_officials_see_a_cadre_page_without_correction_buttons(posted, login):
    entry = posted["fq1"]
    page = login("fengqiao").get(f"/points/people/{entry.person_id}/")
    assert page.status_code == 200 and not page.context["entries"][0].can_reverse
    assert page.context["record_form"] is None
    assert login("diankou").get(f"/points/people/{entry.person_id}/").status_code == 404


def test_the_county_changes_a_rule_on_the_rules_page(world, login):
    client = login("zhuji")
    page = client.get("/points/rules/")
    assert page.status_code == 200 and page.context["can_manage"]
    rule = PointsRule.objects.get(county=world.zhuji, code="visit_month")
    response = client.post(f"/points/rules/{rule.pk}/change/", {
        f"r{rule.pk}-label": "每月走访", f"r{rule.pk}-points": "2",
        f"r{rule.pk}-effective_from": "2027-01"})
    assert response.status_code == 302
    assert list(PointsRule.objects.filter(county=world.zhuji, code="visit_month")
                .values_list("version", "points")) == [(2, 2), (1, 1)]


@pytest.mark.parametrize(("points_value", "month", "field"), [
    ("500", "2027-01", "points"), ("2", "1900-01", "effective_from"),
    ("2", "2026-01", "effective_from"), ("2", "9999-99", "effective_from")])
def test_bad_rule_input_shows_beside_the_field(world, login, points_value, month, field):
    client = login("zhuji")
    client.get("/points/rules/")
    rule = PointsRule.objects.get(county=world.zhuji, code="visit_month")
    response = client.post(f"/points/rules/{rule.pk}/change/", {
        f"r{rule.pk}-label": "每月走访", f"r{rule.pk}-points": points_value,
        f"r{rule.pk}-effective_from": month})
    assert response.status_code == 400
    form = next(v.form for v in response.context["versions"] if v.pk == rule.pk)
    assert field in form.errors
    assert PointsRule.objects.filter(county=world.zhuji, code="visit_month").count() == 1


@pytest.mark.parametrize("username", ["fengqiao", "helper", "auditor", "shangyu"])
def test_only_the_county_changes_rules(world, login, username):
    points.ensure_default_rules()
    rule = PointsRule.objects.get(county=world.zhuji, code="visit_month")
    response = login(username).post(f"/points/rules/{rule.pk}/change/", {
        f"r{rule.pk}-label": "x", f"r{rule.pk}-points": "3",
        f"r{rule.pk}-effective_from": "2027-01"})
    assert response.status_code in (403, 404)
    assert PointsRule.objects.filter(county=world.zhuji, code="visit_month").count() == 1


def test_the_county_adds_its_own_rule_and_records_points_by_hand(world, work, login):
    client = login("zhuji")
    response = client.post(f"/points/rules/county/{world.zhuji.pk}/add/", {
        "add-code": "commendation", "add-label": "获县级表彰", "add-points": "5",
        "add-effective_from": "2026-11"})
    assert response.status_code == 302
    rule = PointsRule.objects.get(code="commendation")
    leader = work.pairings["fq1"].partner_person
    response = client.post(f"/points/people/{leader.pk}/record/", {
        "rule": rule.pk, "village": world.fq1.pk, "period": "2026-11", "reason": "县委表彰"})
    assert response.status_code == 302
    assert PointsEntry.objects.get(code="commendation").points == 5
    response = client.post(f"/points/people/{leader.pk}/record/", {
        "rule": rule.pk, "village": world.fq1.pk, "period": "2027-02", "reason": "未来"})
    assert response.status_code == 400 and "period" in response.context["record_form"].errors


# --- API --------------------------------------------------------------------------------------


def test_the_api_lists_entries_with_their_rule_and_source(posted, world, login):
    client = login("zhuji")
    entry = posted["fq1"]
    data = client.get(f"/api/v1/points-entries/?person={entry.person_id}&year=2026").json()
    assert data["count"] == 1
    [row] = data["results"]
    assert (row["rule_code"], row["rule_version"], row["period"], row["points"], row["pairing"],
            row["recorded_by"], row["reversed_by"]) == (
        "visit_month", 1, "2026-10", 1, entry.pairing_id, None, None)
    assert client.get(f"/api/v1/points-entries/?region={world.diankou.pk}").json()["count"] == 1
    assert client.get("/api/v1/points-entries/?year=2025").json()["count"] == 0
    since = client.get("/api/v1/points-entries/?since=2026-11-21T00:00:00%2B08:00").json()
    assert since["count"] == 0


@pytest.mark.parametrize(("query", "field"), [
    ("colour=red", "colour"), ("year=20x6", "year"), ("since=yesterday", "since"),
    ("year=1800", "year")])
def test_the_api_refuses_bad_or_unknown_parameters(posted, login, query, field):
    response = login("zhuji").get(f"/api/v1/points-entries/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_the_api_never_changes_an_entry(posted, login):
    client = login("zhuji")
    url = f"/api/v1/points-entries/{posted['fq1'].pk}/"
    assert client.patch(url, {"points": 5}, content_type="application/json").status_code == 405
    assert client.put(url, {"points": 5}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert client.post("/api/v1/points-entries/", {}).status_code == 405
    assert login("diankou").get(url).status_code == 404
    assert PointsEntry.objects.get(pk=posted["fq1"].pk).points == 1


def test_the_api_needs_a_login(client):
    assert client.get("/api/v1/points-entries/").status_code == 401


def test_the_admin_shows_entries_and_changes_nothing(posted, login):
    client = login("zhuji")
    entry = posted["fq1"]
    assert client.get("/admin/casework/pointsentry/").status_code == 200
    url = f"/admin/casework/pointsentry/{entry.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"points": 9}).status_code == 403
    assert client.post(f"/admin/casework/pointsentry/{entry.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert PointsEntry.objects.get(pk=entry.pk).points == 1
