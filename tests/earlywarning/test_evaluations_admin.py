"""Admin for evaluations: scoped lists, read-only evaluation rows, frozen sets locked."""

import pytest

from earlywarning.models.evaluations import Evaluation, IndicatorSet
from tests.earlywarning.factories import csv_bytes, row, run, zhuji_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(world, catalogue):
    run(world, csv_bytes(zhuji_rows(world)))
    run(world, csv_bytes([row(world.bg1)]), user="shangyu", region=world.shangyu)


@pytest.mark.parametrize(("username", "visible", "hidden"), [
    ("city", {"fq1", "dk1", "bg1"}, set()),
    ("zhuji", {"fq1", "dk1"}, {"bg1"}),
    ("shangyu", {"bg1"}, {"fq1", "dk1"}),
])
def test_admin_lists_only_evaluations_in_scope(world, scored, login, username, visible, hidden):
    text = login(username).get("/admin/earlywarning/evaluation/").content.decode()

    assert all(getattr(world, key).name in text for key in visible)
    assert not any(getattr(world, key).name in text for key in hidden)


@pytest.mark.parametrize("username", ["fengqiao", "helper", "api", "auditor"])
def test_non_staff_cannot_open_the_admin(world, scored, login, username):
    response = login(username).get("/admin/earlywarning/evaluation/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_evaluations_cannot_be_added_or_changed_in_the_admin(world, scored, login):
    evaluation = Evaluation.objects.get(village=world.fq1)
    client = login("zhuji")

    assert client.get("/admin/earlywarning/evaluation/add/").status_code == 403
    response = client.post(f"/admin/earlywarning/evaluation/{evaluation.pk}/change/",
                           {"total": "99"})
    assert response.status_code == 403
    assert Evaluation.objects.get(pk=evaluation.pk).total != 99


def test_another_county_cannot_open_an_evaluation(world, scored, login):
    evaluation = Evaluation.objects.get(village=world.fq1)

    response = login("shangyu").get(f"/admin/earlywarning/evaluation/{evaluation.pk}/change/")

    assert response.status_code == 302
    assert world.fq1.name not in login("shangyu").get(response["Location"]).content.decode()


def test_a_frozen_set_is_read_only_in_the_admin(world, scored, login):
    indicator_set = IndicatorSet.objects.get()
    client = login("city")

    response = client.post(f"/admin/earlywarning/indicatorset/{indicator_set.pk}/change/", {
        "region": world.city.pk, "year": 2030, "name": "changed"})

    assert response.status_code == 403
    indicator_set.refresh_from_db()
    assert (indicator_set.year, indicator_set.name) == (2026, "测试指标")


def test_a_county_cannot_change_the_citys_set(world, catalogue, login):
    response = login("zhuji").post(
        f"/admin/earlywarning/indicatorset/{catalogue.pk}/change/",
        {"region": world.city.pk, "year": 2030, "name": "changed"})

    assert response.status_code == 403
    catalogue.refresh_from_db()
    assert catalogue.year == 2026
