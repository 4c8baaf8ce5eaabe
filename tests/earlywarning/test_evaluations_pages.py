"""HTML: ranked table, export, upload with preview, entry form, movement, tracking, approval,
catalogues and the village page — each with its rights (own region vs another)."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from earlywarning import catalogue as catalogue_module
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    IndicatorScore,
    IndicatorSet,
    ScoreImport,
    TrackingAssignment,
)
from tests.earlywarning.factories import csv_bytes, many_villages, row, run, zhuji_rows
from tests.villages.factories import PersonFactory, PostAssignmentFactory
from villages.models import Post

pytestmark = pytest.mark.django_db

ALL_USERS = ("city", "zhuji", "shangyu", "fengqiao", "diankou", "helper", "api", "auditor")
VISIBLE = {
    "city": {"fq1", "fq2", "dk1", "dk2"}, "zhuji": {"fq1", "fq2", "dk1", "dk2"},
    "shangyu": set(), "fengqiao": {"fq1", "fq2"}, "diankou": {"dk1", "dk2"},
    "helper": {"fq1"}, "api": {"fq1", "fq2", "dk1", "dk2"}, "auditor": {"fq1", "fq2", "dk1", "dk2"},
}


@pytest.fixture
def scored(world, catalogue):
    run(world, csv_bytes(zhuji_rows(world)))


def names_in(content: bytes, world) -> set[str]:
    text = content.decode()
    return {key for key in ("fq1", "fq2", "dk1", "dk2", "bg1", "bg2")
            if getattr(world, key).name in text}


# --- Ranked table -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ALL_USERS)
def test_ranked_page_shows_only_villages_in_scope(world, scored, login, username):
    response = login(username).get(f"/evaluations/?county={world.zhuji.pk}")

    if username == "shangyu":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert names_in(response.content, world) == VISIBLE[username]


def test_ranked_page_defaults_to_the_users_county_and_latest_quarter(world, scored, login):
    response = login("fengqiao").get("/evaluations/")

    content = response.content.decode()
    assert "诸暨市" in content and "2026Q3" in content
    assert 'class="badge badge-tier-1"' in content


def test_ranked_page_filters_by_tier_and_township(world, scored, login):
    tier = Evaluation.objects.get(village=world.dk2).tier
    client = login("zhuji")

    by_tier = client.get(f"/evaluations/?county={world.zhuji.pk}&quarter=2026Q3&tier={tier}")
    by_township = client.get(f"/evaluations/?county={world.zhuji.pk}&quarter=2026Q3"
                             f"&township={world.diankou.pk}")

    assert world.dk2.name in by_tier.content.decode()
    assert names_in(by_township.content, world) == {"dk1", "dk2"}


def test_ranked_page_runs_a_constant_number_of_queries(world, catalogue, login,
                                                       django_assert_max_num_queries):
    client = login("zhuji")
    run(world, csv_bytes(zhuji_rows(world)))
    with django_assert_max_num_queries(14) as few:
        client.get(f"/evaluations/?county={world.zhuji.pk}")

    villages = many_villages(world.fengqiao, 150)
    run(world, csv_bytes([row(v, a01=str(n % 3)) for n, v in enumerate(villages)]),
        user="fengqiao", region=world.fengqiao)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/evaluations/?county={world.zhuji.pk}")
    assert response.content.decode().count('class="badge badge-tier-') >= 100


@pytest.mark.parametrize("username", ["city", "zhuji", "fengqiao", "auditor"])
def test_export_contains_exactly_the_rows_in_scope(world, scored, login, username):
    response = login(username).get(f"/evaluations/export.xlsx?county={world.zhuji.pk}")

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    codes = {r[1] for r in list(sheet.iter_rows(values_only=True))[1:]}
    assert codes == {getattr(world, key).code for key in VISIBLE[username]}


def test_api_client_cannot_export(world, scored, login):
    assert login("api").get("/evaluations/export.xlsx").status_code == 403


# --- Template and upload ------------------------------------------------------------------------


def test_template_has_a_row_per_village_and_a_column_per_indicator(world, catalogue, login):
    response = login("fengqiao").get(
        f"/evaluations/template.xlsx?region={world.fengqiao.pk}&quarter=2026Q4")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("village_code", "village_name", "A01", "A02", "B01", "B02")
    assert rows[1][0].startswith("#")
    assert [r[0] for r in rows[2:]] == [world.fq1.code, world.fq2.code]


def test_the_filled_in_template_uploads_back(world, catalogue, login):
    client = login("fengqiao")
    content = client.get(f"/evaluations/template.xlsx?region={world.fengqiao.pk}"
                         "&quarter=2026Q4").content
    workbook = load_workbook(io.BytesIO(content))
    for cells in workbook.active.iter_rows(min_row=3):
        for cell in cells[2:]:
            cell.value = 1
    stream = io.BytesIO()
    workbook.save(stream)

    preview = client.post("/evaluations/upload/", {
        "region": world.fengqiao.pk, "quarter": "2026Q4",
        "file": SimpleUploadedFile("t.xlsx", stream.getvalue())})
    token = re.search(r'name="token" value="(\w+)"', preview.content.decode()).group(1)
    committed = client.post("/evaluations/upload/", {"token": token})

    assert committed.status_code == 302
    assert Evaluation.objects.filter(quarter="2026Q4").count() == 2
    assert IndicatorScore.objects.count() == 8


def test_upload_shows_every_error_and_stores_nothing(world, catalogue, login):
    content = csv_bytes([row(world.fq1, a01="abc"), row(world.fq2, b01="7")])

    response = login("zhuji").post("/evaluations/upload/", {
        "region": world.zhuji.pk, "quarter": "2026Q3",
        "file": SimpleUploadedFile("bad.csv", content)})

    text = response.content.decode()
    assert response.status_code == 200
    assert "import-errors" in text and "abc" in text and "B01" in text
    assert not Evaluation.objects.exists() and not ScoreImport.objects.exists()


def test_upload_preview_stores_nothing_until_confirmed(world, catalogue, login):
    client = login("zhuji")
    preview = client.post("/evaluations/upload/", {
        "region": world.zhuji.pk, "quarter": "2026Q3",
        "file": SimpleUploadedFile("ok.csv", csv_bytes(zhuji_rows(world)))})

    assert preview.status_code == 200 and 'name="token"' in preview.content.decode()
    assert not Evaluation.objects.exists()
    token = re.search(r'name="token" value="(\w+)"', preview.content.decode()).group(1)

    other = Client(HTTP_HOST="127.0.0.1")
    other.force_login(world.users["diankou"])
    refused = other.post("/evaluations/upload/", {"token": token})
    assert refused.status_code == 302 and not Evaluation.objects.exists()  # not their upload

    committed = client.post("/evaluations/upload/", {"token": token})
    assert committed.status_code == 302
    assert Evaluation.objects.count() == 4


@pytest.mark.parametrize("username", ["api", "auditor", "helper"])
def test_readers_cannot_open_the_upload_page(world, catalogue, login, username):
    assert login(username).get("/evaluations/upload/").status_code == 403


def test_township_cannot_upload_for_another_township(world, catalogue, login):
    response = login("fengqiao").post("/evaluations/upload/", {
        "region": world.diankou.pk, "quarter": "2026Q3",
        "file": SimpleUploadedFile("x.csv", csv_bytes([row(world.dk1)]))})

    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Evaluation.objects.exists()


# --- Entry form ---------------------------------------------------------------------------------


def entry_data(a01="2", a02="1", b01="1", b02="0"):
    return {"A01": a01, "A02": a02, "B01": b01, "B02": b02}


def test_entry_form_groups_fields_by_category_with_maxima(world, catalogue, login):
    response = login("fengqiao").get(f"/evaluations/entry/{world.fq1.pk}/2026Q4/")

    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("组织建设") < text.index("A01") < text.index("集体经济") < text.index("B02")
    assert re.search(r'max="2(\.00)?"', text)
    assert "deduction" in text or "扣" in text


def test_entry_form_saves_and_tiers(world, catalogue, login):
    response = login("fengqiao").post(f"/evaluations/entry/{world.fq1.pk}/2026Q4/",
                                      entry_data())

    assert response.status_code == 302
    evaluation = Evaluation.objects.get(village=world.fq1, quarter="2026Q4")
    assert evaluation.total == Decimal("5.00") and evaluation.tier is not None
    assert evaluation.events.get().action == EvaluationEvent.Action.EDITED


def test_entry_form_refuses_out_of_range_and_saves_nothing(world, catalogue, login):
    response = login("fengqiao").post(f"/evaluations/entry/{world.fq1.pk}/2026Q4/",
                                      entry_data(b01="3"))

    assert response.status_code == 200
    assert "B01" in response.context["form"].errors
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(("username", "status"), [
    ("diankou", 404), ("shangyu", 404), ("helper", 403), ("api", 403), ("auditor", 403)])
def test_entry_form_into_another_township_is_refused(world, catalogue, login, username,
                                                     status):
    response = login(username).post(f"/evaluations/entry/{world.fq1.pk}/2026Q4/",
                                    entry_data())

    assert response.status_code == status
    assert not Evaluation.objects.exists()


def test_an_approved_evaluation_is_locked_in_the_form(world, scored, login):
    Evaluation.objects.filter(village=world.fq1).update(
        status=EvaluationStatus.APPROVED, submitted_at="2026-10-01T00:00Z",
        approved_at="2026-10-02T00:00Z")

    response = login("zhuji").post(f"/evaluations/entry/{world.fq1.pk}/2026Q3/",
                                   entry_data(a01="0"))

    assert response.status_code == 200 and response.context["locked"]
    assert Evaluation.objects.get(village=world.fq1).total == Decimal("5.50")


# --- Movement and tracking ----------------------------------------------------------------------


def test_movement_lists_villages_into_and_out_of_the_warning_zone(world, scored, login):
    # 2026Q3: dk2 is last (class 3). 2026Q4: dk2 recovers, fq2 falls.
    run(world, csv_bytes([row(world.fq1), row(world.fq2, a01="0", a02="0", b01="0"),
                          row(world.dk1), row(world.dk2)]), quarter="2026Q4")

    response = login("zhuji").get(f"/evaluations/movement/?county={world.zhuji.pk}"
                                  "&quarter=2026Q4")

    movement = response.context["movement"]
    assert [e.village_id for e in movement.entered] == [world.fq2.pk]
    assert [e.village_id for e in movement.left] == [world.dk2.pk]
    assert movement.left[0].movement == "up"


def test_county_names_a_tracking_person(world, scored, login):
    assignment = TrackingAssignment.objects.get(village=world.dk2)
    person = PostAssignmentFactory(village=world.dk2, post=Post.STATIONED_INSTRUCTOR).person

    page = login("zhuji").get(f"/evaluations/movement/?county={world.zhuji.pk}")
    assert person.name in page.content.decode()
    response = login("zhuji").post(f"/evaluations/tracking/{assignment.pk}/assign/",
                                   {"person": person.pk})

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.person == person and assignment.assigned_by == world.users["zhuji"]


@pytest.mark.parametrize(("username", "status"), [
    ("diankou", 403), ("fengqiao", 404), ("shangyu", 404), ("auditor", 403), ("api", 403)])
def test_others_cannot_name_a_tracking_person(world, scored, login, username, status):
    assignment = TrackingAssignment.objects.get(village=world.dk2)
    person = PersonFactory(region=world.diankou)

    response = login(username).post(f"/evaluations/tracking/{assignment.pk}/assign/",
                                    {"person": person.pk})

    assert response.status_code == status
    assert TrackingAssignment.objects.get(pk=assignment.pk).person is None


def test_a_person_from_another_county_cannot_be_named(world, scored, login):
    assignment = TrackingAssignment.objects.get(village=world.dk2)
    stranger = PersonFactory(region=world.baiguan)

    login("zhuji").post(f"/evaluations/tracking/{assignment.pk}/assign/",
                        {"person": stranger.pk})

    assert TrackingAssignment.objects.get(pk=assignment.pk).person is None


# --- Approval -----------------------------------------------------------------------------------


def test_township_submits_and_county_approves_on_the_page(world, scored, login):
    submitted = login("fengqiao").post("/evaluations/approval/", {
        "region": world.fengqiao.pk, "quarter": "2026Q3", "action": "submit"})
    approved = login("zhuji").post("/evaluations/approval/", {
        "region": world.zhuji.pk, "quarter": "2026Q3", "action": "approve"})

    assert submitted.status_code == approved.status_code == 302
    statuses = dict(Evaluation.objects.values_list("village__code", "status"))
    assert statuses == {world.fq1.code: "approved", world.fq2.code: "approved",
                        world.dk1.code: "draft", world.dk2.code: "draft"}


@pytest.mark.parametrize(("username", "region", "action", "status"), [
    ("diankou", "fengqiao", "submit", 404),
    ("fengqiao", "fengqiao", "approve", 403),
    ("shangyu", "zhuji", "approve", 404),
    ("auditor", "zhuji", "approve", 403),
    ("helper", "fengqiao", "submit", 403),
])
def test_approval_outside_ones_rights_is_refused(world, scored, login, username, region,
                                                 action, status):
    response = login(username).post("/evaluations/approval/", {
        "region": getattr(world, region).pk, "quarter": "2026Q3", "action": action})

    assert response.status_code == status
    assert set(Evaluation.objects.values_list("status", flat=True)) == {"draft"}
    assert not EvaluationEvent.objects.exists()


def test_county_reopens_with_a_reason_and_it_is_recorded(world, scored, login):
    evaluation = Evaluation.objects.get(village=world.fq1)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=EvaluationStatus.APPROVED, submitted_at="2026-10-01T00:00Z",
        approved_at="2026-10-02T00:00Z")

    empty = login("zhuji").post(f"/evaluations/{evaluation.pk}/reopen/", {"reason": " "})
    done = login("zhuji").post(f"/evaluations/{evaluation.pk}/reopen/",
                               {"reason": "党员数核对有误"})

    assert empty.status_code == 200
    assert done.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT and evaluation.approved_at is None
    assert evaluation.events.get().reason == "党员数核对有误"


def test_township_cannot_reopen(world, scored, login):
    evaluation = Evaluation.objects.get(village=world.fq1)

    assert login("fengqiao").post(f"/evaluations/{evaluation.pk}/reopen/",
                                  {"reason": "x"}).status_code == 403


# --- Catalogues ---------------------------------------------------------------------------------


def set_file(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "category", "subcategory", "name", "description", "max_score",
                  "weight", "higher_is_better"])
    for cells in rows:
        sheet.append(cells)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_set_export_imports_back_as_a_new_set(world, catalogue, login):
    client = login("zhuji")
    exported = client.get(f"/evaluations/sets/{catalogue.pk}/export.xlsx").content

    response = client.post("/evaluations/sets/", {
        "region": world.zhuji.pk, "year": 2027, "name": "诸暨 2027",
        "file": SimpleUploadedFile("set.xlsx", exported)})

    assert response.status_code == 302
    copy = IndicatorSet.objects.get(name="诸暨 2027")
    assert list(copy.indicators.values_list("code", "max_score", "higher_is_better")) == list(
        catalogue.indicators.values_list("code", "max_score", "higher_is_better"))


def test_a_bad_set_file_lists_every_error_and_stores_nothing(world, catalogue, login):
    content = set_file([["A01", "组织", "", "名称", "", "0", 1, 1],
                        ["A01", "", "", "名称", "", "2", 1, "maybe"]])

    response = login("zhuji").post("/evaluations/sets/", {
        "region": world.zhuji.pk, "year": 2027, "name": "坏",
        "file": SimpleUploadedFile("set.xlsx", content)})

    errors = response.context["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {
        (2, "max_score"), (3, "code"), (3, "category"), (3, "higher_is_better")}
    assert not IndicatorSet.objects.filter(name="坏").exists()


def test_a_frozen_set_cannot_be_edited(world, scored, login):
    catalogue = IndicatorSet.objects.get()
    before = list(catalogue.indicators.values_list("code", "max_score"))

    response = login("city").post("/evaluations/sets/", {
        "region": world.city.pk, "year": catalogue.year, "name": catalogue.name,
        "replace": "on", "file": SimpleUploadedFile("set.xlsx", set_file(
            [["A01", "组织", "", "名称", "", "5", 1, 1]]))})

    assert response.status_code == 200
    assert "frozen" in str(response.context["form"].errors).lower() or "冻结" in str(
        response.context["form"].errors)
    assert list(catalogue.indicators.values_list("code", "max_score")) == before


def test_frozen_indicator_refuses_model_validation(world, scored):
    from django.core.exceptions import ValidationError

    indicator = IndicatorSet.objects.get().indicators.first()
    indicator.max_score = Decimal("9")
    with pytest.raises(ValidationError):
        indicator.full_clean()


def test_township_cannot_import_a_set(world, catalogue, login):
    response = login("fengqiao").post("/evaluations/sets/", {
        "region": world.zhuji.pk, "year": 2027, "name": "x",
        "file": SimpleUploadedFile("set.xlsx", set_file([["A01", "组", "", "名", "", 1, 1, 1]]))})

    assert response.status_code == 403
    assert IndicatorSet.objects.count() == 1


def test_the_applicable_set_is_the_latest_year_then_the_nearest_region(world, catalogue):
    from tests.earlywarning.factories import make_set

    county_2026 = make_set(world.zhuji, name="诸暨自定")
    city_2027 = make_set(world.city, year=2027, name="市 2027")

    assert catalogue_module.applicable_set(world.fengqiao, 2026) == county_2026
    assert catalogue_module.applicable_set(world.baiguan, 2026) == catalogue
    assert catalogue_module.applicable_set(world.fengqiao, 2027) == city_2027
    assert catalogue_module.applicable_set(world.fengqiao, 2025) is None


# --- Village page -------------------------------------------------------------------------------


def test_village_page_draws_the_history_and_the_county_comparison(world, scored, login):
    run(world, csv_bytes([row(world.fq1, a01="0"), row(world.dk2)]), quarter="2026Q4")

    response = login("fengqiao").get(f"/villages/{world.fq1.pk}/")

    text = response.content.decode()
    assert "<svg" in text and "<polyline" in text
    assert "2026Q3" in text and "2026Q4" in text
    panel = response.context["evaluation_panel"]["scores"]
    assert [h["quarter"] for h in panel.history] == ["2026Q3", "2026Q4"]
    assert {line.category for line in panel.breakdown} == {"组织建设", "集体经济"}
    # 2026Q4 county average of 组织建设: fq1 has 0 + 1.5, dk2 has 2 + 1.5 → 2.5.
    organisation = next(line for line in panel.breakdown if line.category == "组织建设")
    assert organisation.points == Decimal("1.50") and organisation.county_average == Decimal(
        "2.50")


def test_village_page_queries_do_not_grow_with_quarters(world, scored, login,
                                                        django_assert_max_num_queries):
    client = login("zhuji")
    with django_assert_max_num_queries(40) as one:
        client.get(f"/villages/{world.fq1.pk}/")
    for quarter in ("2026Q1", "2026Q2", "2026Q4"):
        run(world, csv_bytes(zhuji_rows(world)), quarter=quarter)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(f"/villages/{world.fq1.pk}/")


def test_the_approval_events_name_who_and_when(world, scored):
    from earlywarning import evaluations

    evaluations.submit_evaluations(actor=world.users["fengqiao"], region=world.fengqiao,
                                   quarter="2026Q3")

    evaluation = Evaluation.objects.get(village=world.fq1)
    assert evaluation.submitted_by == world.users["fengqiao"]
    assert evaluation.submitted_at is not None


def test_movement_lists_villages_still_in_the_warning_zone_with_their_tracking(world, scored,
                                                                              login):
    run(world, csv_bytes(zhuji_rows(world)), quarter="2026Q4")

    response = login("zhuji").get(f"/evaluations/movement/?county={world.zhuji.pk}"
                                  "&quarter=2026Q4")

    movement = response.context["movement"]
    assert [e.village_id for e in movement.stayed] == [world.dk2.pk]
    assert movement.entered == [] and movement.left == []
    assert f"/evaluations/tracking/{movement.stayed[0].tracking_id}/assign/" in \
        response.content.decode()
