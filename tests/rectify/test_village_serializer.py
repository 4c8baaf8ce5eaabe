from django.test import RequestFactory

from rectify.villages import village_rows
from villages.serializers import VillageSerializer


def test_fast_representation_has_exactly_the_declared_fields(world):
    request = RequestFactory().get("/")
    request.user = world.users["city"]
    village = village_rows(request.user).get(pk=world.fq1.pk)

    data = VillageSerializer(village, context={"request": request}).data

    assert list(data) == VillageSerializer.Meta.fields
    assert data["township"] == world.fengqiao.pk
    assert data["county"] == world.zhuji.pk
    assert data["county_name"] == "诸暨市"
    assert data["annual_grade"] == "poor"
    assert data["collective_income"] == "0.00"
