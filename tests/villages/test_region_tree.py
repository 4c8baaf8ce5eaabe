"""The region tree: levels, materialised paths and moving a subtree."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.villages.adminforms import admin_form_data
from tests.villages.factories import RegionFactory
from villages import scoping
from villages.models import Region, RegionLevel, User, Village


def paths() -> dict[str, str]:
    return dict(Region.objects.values_list("name", "path"))


@pytest.fixture
def ningbo(world):
    return RegionFactory(code="330200000000", name="宁波市", level=RegionLevel.CITY)


def test_paths_are_the_codes_from_the_root(world):
    assert world.fengqiao.path == "330600000000/330681000000/330681108000/"
    assert [r.name for r in world.fengqiao.ancestors()] == ["绍兴市", "诸暨市"]
    assert set(world.zhuji.subtree()) == {world.zhuji, world.fengqiao, world.diankou}


@pytest.mark.parametrize("level, parent, message_field", [
    (RegionLevel.TOWNSHIP, "city", "parent"),
    (RegionLevel.TOWNSHIP, None, "parent"),
    (RegionLevel.TOWNSHIP, "fengqiao", "parent"),
    (RegionLevel.COUNTY, "zhuji", "parent"),
    (RegionLevel.COUNTY, None, "parent"),
    (RegionLevel.CITY, "city", "parent"),
], ids=["township-under-city", "township-at-root", "township-under-township",
        "county-under-county", "county-at-root", "city-under-city"])
def test_clean_refuses_a_parent_of_the_wrong_level(world, level, parent, message_field):
    region = Region(code="330681199000", name="新区", level=level,
                    parent=getattr(world, parent) if parent else None)

    with pytest.raises(ValidationError) as error:
        region.full_clean()

    assert message_field in error.value.message_dict


def test_clean_accepts_a_township_under_a_county(world):
    Region(code="330681199000", name="新镇", level=RegionLevel.TOWNSHIP,
           parent=world.zhuji).full_clean()


def test_moving_a_county_reroots_its_subtree_in_one_update(world, ningbo):
    world.zhuji.parent = ningbo

    with CaptureQueriesContext(connection) as queries:
        world.zhuji.save()

    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2  # the county itself, then every descendant at once
    assert paths()["枫桥镇"] == "330200000000/330681000000/330681108000/"
    assert paths()["店口镇"] == "330200000000/330681000000/330681105000/"
    assert paths()["上虞市"] == "330600000000/330682000000/"


def test_subtree_queries_follow_a_moved_county(world, ningbo):
    world.zhuji.parent = ningbo
    world.zhuji.save()

    assert set(Village.objects.in_region(ningbo)) == {world.fq1, world.fq2, world.dk1, world.dk2}
    assert set(Village.objects.in_region(world.city)) == {world.bg1, world.bg2}
    assert set(ningbo.subtree()) == {ningbo, world.zhuji, world.fengqiao, world.diankou}
    assert [r.name for r in Region.objects.get(pk=world.fengqiao.pk).ancestors()] == [
        "宁波市", "诸暨市"]


def test_users_scope_follows_a_moved_township(world):
    world.fengqiao.parent = world.shangyu
    world.fengqiao.save()

    shangyu = world.users["shangyu"]
    zhuji = world.users["zhuji"]
    assert set(scoping.visible_villages(shangyu)) == {world.fq1, world.fq2, world.bg1, world.bg2}
    assert set(scoping.visible_villages(zhuji)) == {world.dk1, world.dk2}
    assert set(scoping.visible_villages(world.users["fengqiao"])) == {world.fq1, world.fq2}


def test_changing_a_county_code_rewrites_the_codes_in_descendant_paths(world):
    world.zhuji.code = "330681900000"
    world.zhuji.save()

    assert paths()["枫桥镇"] == "330600000000/330681900000/330681108000/"
    assert set(Village.objects.in_region(world.zhuji)) == {
        world.fq1, world.fq2, world.dk1, world.dk2}


def test_city_staff_editing_a_county_code_in_admin_keeps_its_subtree(world, client):
    client.force_login(world.users["city"])
    url = f"/admin/villages/region/{world.zhuji.pk}/change/"
    data = admin_form_data(client.get(url), code="330681900000")

    response = client.post(url, data)

    assert response.status_code == 302
    assert paths()["诸暨市"] == "330600000000/330681900000/"
    assert paths()["枫桥镇"] == "330600000000/330681900000/330681108000/"
    zhuji = User.objects.get(username="zhuji")
    assert set(scoping.visible_villages(zhuji)) == {world.fq1, world.fq2, world.dk1, world.dk2}


def test_county_staff_cannot_edit_its_own_county_in_admin(world, client):
    client.force_login(world.users["zhuji"])
    url = f"/admin/villages/region/{world.zhuji.pk}/change/"
    form = client.get(url)
    data = admin_form_data(form, name="改名市")

    response = client.post(url, data)

    assert response.status_code == 403
    assert Region.objects.get(pk=world.zhuji.pk).name == "诸暨市"


def test_county_staff_can_rename_own_township_in_admin(world, client):
    client.force_login(world.users["zhuji"])
    url = f"/admin/villages/region/{world.fengqiao.pk}/change/"
    data = admin_form_data(client.get(url), name="枫桥新镇")

    response = client.post(url, data)

    assert response.status_code == 302
    assert Region.objects.get(pk=world.fengqiao.pk).name == "枫桥新镇"


def test_county_staff_cannot_place_a_township_under_another_county_in_admin(world, client):
    client.force_login(world.users["zhuji"])
    url = f"/admin/villages/region/{world.fengqiao.pk}/change/"
    data = admin_form_data(client.get(url), parent=world.shangyu.pk)

    response = client.post(url, data)

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert Region.objects.get(pk=world.fengqiao.pk).parent == world.zhuji
