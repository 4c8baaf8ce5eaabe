import pytest
from django.test import Client

from earlywarning.models.ratings import WarningRating
from tests.earlywarning.factories import rate
from tests.villages.factories import make_village


@pytest.fixture
def w(world, frozen):
    return world


def browser(user):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def sheet_post(village_colors, action="submit", period="2026-11-H2", **extra):
    data = {"period": period, "action": action, "village": [str(v.pk) for v, _c in village_colors]}
    for village, color in village_colors:
        data[f"color-{village.pk}"] = color
        data[f"reason-{village.pk}"] = "整改见效"
    return data | extra


def test_township_sheet_lists_only_its_warning_list_villages(w):
    page = browser(w.users["fengqiao"]).get("/ratings/").content.decode()
    assert "枫源村" in page
    assert "栎桥村" not in page      # 枫桥镇 but not on the warning list
    assert "湖西村" not in page      # 店口镇


def test_township_submits_the_sheet_in_one_go(w):
    response = browser(w.users["fengqiao"]).post("/ratings/", sheet_post([(w.fq1, "yellow")]))
    assert response.status_code == 302
    rating = WarningRating.objects.get(village=w.fq1)
    assert (rating.color, rating.status) == ("yellow", "submitted")


def test_sheet_post_smuggling_another_townships_village_saves_nothing(w):
    response = browser(w.users["fengqiao"]).post(
        "/ratings/", sheet_post([(w.fq1, "green"), (w.dk1, "green")]))
    assert response.status_code == 400
    assert not WarningRating.objects.exists()


def test_submitting_with_a_row_unrated_is_refused_and_draft_is_allowed(w):
    response = browser(w.users["fengqiao"]).post("/ratings/", sheet_post([(w.fq1, "")]))
    assert response.status_code == 400
    response = browser(w.users["fengqiao"]).post(
        "/ratings/", sheet_post([(w.fq1, "yellow")], action="draft"))
    assert response.status_code == 302
    assert WarningRating.objects.get().status == "draft"


def test_sheet_after_the_deadline_is_read_only(w):
    client = browser(w.users["fengqiao"])
    page = client.get("/ratings/?period=2026-11-H1").content.decode()
    assert 'type="radio"' not in page
    response = client.post("/ratings/", sheet_post([(w.fq1, "green")], period="2026-11-H1"))
    assert response.status_code == 302
    assert not WarningRating.objects.exists()


def test_future_or_malformed_period_is_404(w):
    client = browser(w.users["fengqiao"])
    assert client.get("/ratings/?period=2026-12-H1").status_code == 404
    assert client.get("/ratings/?period=nonsense").status_code == 404


def test_county_picks_a_township_and_cannot_open_another_countys(w):
    assert "枫源村" in browser(w.users["zhuji"]).get(
        f"/ratings/?township={w.fengqiao.pk}").content.decode()
    assert browser(w.users["shangyu"]).get(
        f"/ratings/?township={w.fengqiao.pk}").status_code == 404


@pytest.mark.parametrize("role", ["api", "auditor", "helper"])
def test_roles_that_do_not_rate_get_403(w, role):
    assert browser(w.users[role]).get("/ratings/").status_code == 403


def test_sheet_of_60_villages_loads_and_submits_in_constant_queries(
        w, django_assert_max_num_queries):
    villages = [w.fq1, *[make_village(w.fengqiao, grade="poor") for _ in range(59)]]
    client = browser(w.users["fengqiao"])
    with django_assert_max_num_queries(14):
        assert client.get("/ratings/").status_code == 200
    with django_assert_max_num_queries(24):
        response = client.post("/ratings/", sheet_post([(v, "red") for v in villages]))
    assert response.status_code == 302
    assert WarningRating.objects.count() == 60


def test_completeness_shows_late_townships_to_the_county_only(w):
    rate(w.users["zhuji"], w.fq1, "green")
    page = browser(w.users["zhuji"]).get("/ratings/completeness/?period=2026-11-H2")
    assert page.status_code == 200
    text = page.content.decode()
    assert "枫桥镇" in text and "店口镇" in text
    assert browser(w.users["fengqiao"]).get("/ratings/completeness/").status_code == 403


def test_county_grants_a_lock_exception_from_the_completeness_page(w):
    client = browser(w.users["zhuji"])
    client.post("/ratings/lock-exceptions/", {"township": w.diankou.pk, "period": "2026-11-H1",
                                              "reason": "系统故障补录"})
    response = browser(w.users["diankou"]).post(
        "/ratings/", sheet_post([(w.dk1, "yellow")], period="2026-11-H1"))
    assert response.status_code == 302
    assert WarningRating.objects.filter(village=w.dk1, period="2026-11-H1").exists()
    # 上虞市 cannot reach a 诸暨市 township.
    assert browser(w.users["shangyu"]).post(
        "/ratings/lock-exceptions/", {"township": w.fengqiao.pk, "period": "2026-11-H1",
                                      "reason": "x"}).status_code == 404


def test_village_page_shows_color_timeline_and_change_history(w):
    rate(w.users["fengqiao"], w.fq1, "red", reason="班子涣散")
    rate(w.users["zhuji"], w.fq1, "yellow", reason="书记调整")
    page = browser(w.users["fengqiao"]).get(f"/villages/{w.fq1.pk}/").content.decode()
    assert 'id="warning-ratings"' in page
    assert "2026-11-H2" in page and "书记调整" in page and "zhuji" in page


def test_roster_page_adds_a_village_with_reason_and_townships_cannot(w):
    client = browser(w.users["zhuji"])
    client.post("/roster/decide/", {"code": w.fq2.code, "action": "add", "reason": "新增信访"})
    assert "栎桥村" in browser(w.users["fengqiao"]).get("/ratings/").content.decode()
    official = browser(w.users["fengqiao"])
    assert official.post("/roster/decide/", {"code": w.fq1.code, "action": "remove",
                                              "reason": "x"}).status_code == 403
    assert "栎桥村" in official.get("/roster/").content.decode()


def test_admin_shows_ratings_read_only_and_scoped(w):
    rate(w.users["zhuji"], w.fq1, "green")
    rate(w.users["shangyu"], w.bg1, "red", reason="矛盾")
    client = browser(w.users["shangyu"])
    page = client.get("/admin/earlywarning/warningrating/").content.decode()
    assert "五星村" in page and "枫源村" not in page
    other = WarningRating.objects.get(village=w.fq1)
    client.post(f"/admin/earlywarning/warningrating/{other.pk}/delete/", {"post": "yes"})
    assert WarningRating.objects.filter(pk=other.pk).exists()
    assert browser(w.users["fengqiao"]).get(
        "/admin/earlywarning/warningrating/").status_code == 302
