"""The village list's serializer-free rows say exactly what the serializer says for a village."""

from decimal import Decimal

from django.utils import timezone

from earlywarning.models.ratings import RatingStatus, WarningRating
from tests.villages.factories import VillageFactory
from villages.models import Village


def test_list_rows_equal_the_detail_representation_of_each_village(world, client):
    client.force_login(world.users["city"])
    # A village without a party branch, with cents in its figures, and a rated one.
    VillageFactory(township=world.fengqiao, code="330681108299", name="无支部村",
                   collective_income=Decimal("1234.5"), income_per_head=Decimal("3.25"))
    WarningRating.objects.create(village=world.fq1, period="2026-11-H1", color="red",
                                 reason="班子软弱", status=RatingStatus.SUBMITTED,
                                 rated_by=world.users["fengqiao"], rated_at=timezone.now(),
                                 submitted_at=timezone.now())

    rows = client.get("/api/v1/villages/?page_size=500").json()["results"]

    assert len(rows) == Village.objects.count()
    for row in rows:
        assert row == client.get(f"/api/v1/villages/{row['id']}/").json()
    by_code = {row["code"]: row for row in rows}
    assert by_code["330681108299"]["party_branch"] is None
    assert by_code["330681108299"]["collective_income"] == "1234.50"
    assert by_code[world.fq1.code]["current_color"] == "red"


def test_filters_and_pages_still_apply_to_the_list(world, client):
    client.force_login(world.users["city"])

    body = client.get(f"/api/v1/villages/?township={world.fengqiao.pk}&page_size=1").json()

    assert body["count"] == Village.objects.filter(township=world.fengqiao).count() > 1
    assert len(body["results"]) == 1 and body["next"] is not None
