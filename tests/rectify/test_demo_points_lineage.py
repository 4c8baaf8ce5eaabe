"""The demo's points ledger and lineage: something to see on every page, in few queries."""

import pytest

from casework.models import CarriedWork, PointsEntry, PointsRule
from villages.models import LineageEvent, User, Village

pytestmark = pytest.mark.usefixtures("demo_data")


def test_the_demo_has_one_merger_and_one_split_in_zhuji(db):
    events = {e.kind: e for e in LineageEvent.objects.all()}
    assert set(events) == {"merger", "split"}
    assert {e.county.name for e in events.values()} == {"诸暨市"}
    assert CarriedWork.objects.filter(event=events["merger"]).exists()
    assert Village.objects.filter(is_active=False).count() == 2


def test_the_demo_points_ledger_has_versions_a_hand_entry_and_a_correction(db):
    assert PointsRule.objects.filter(county__name="新昌县", code="visit_month").count() == 2
    assert PointsEntry.objects.filter(code="commendation").count() == 1
    assert PointsEntry.objects.filter(reverses__isnull=False).count() == 1
    assert PointsEntry.objects.filter(period="2026-09").exists()


@pytest.mark.parametrize(("username", "url", "queries"), [
    ("zhuji", "/points/", 8), ("city", "/points/?year=2026&page_size=200", 8),
    ("fengqiao", "/points/", 8), ("zhuji", "/points/rules/", 8), ("zhuji", "/lineage/", 9),
    ("fengqiao", "/lineage/", 9), ("zhuji", "/api/v1/points-entries/?page_size=500", 7),
    ("zhuji", "/api/v1/lineage-events/", 9), ("zhuji", "/compliance/", 26),
    ("zhuji", "/points/export.xlsx", 6),
])
def test_demo_pages_show_data_in_a_fixed_number_of_queries(
        db, client, username, url, queries, django_assert_max_num_queries):
    client.force_login(User.objects.get(username=username))
    with django_assert_max_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


def test_the_cadre_page_of_a_demo_cadre_lists_its_entries(db, client,
                                                          django_assert_max_num_queries):
    entry = PointsEntry.objects.filter(code="commendation").get()
    client.force_login(User.objects.get(username="city"))
    with django_assert_max_num_queries(15):
        response = client.get(f"/points/people/{entry.person_id}/")
    assert response.status_code == 200 and entry in response.context["entries"]
