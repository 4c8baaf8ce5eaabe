"""Campaigns: run by the staff over their region, validated in the domain, counted once."""

from datetime import date
from decimal import Decimal

import pytest

from casework import campaigns
from casework.models import Campaign, Outcome
from core.errors import DomainError, NotAllowed
from tests.casework.factories import CampaignFactory

pytestmark = pytest.mark.usefixtures("frozen")


def create(world, user="zhuji", **changes):
    fields = {"region": world.zhuji, "name": "百日集中整转", "start": date(2026, 7, 1),
              "end": date(2026, 10, 9), "target_share": Decimal("0.80"), **changes}
    return campaigns.create_campaign(actor=world.users[user], **fields)


def test_county_staff_run_a_campaign_and_the_history_names_them(world):
    campaign = create(world)

    assert campaign.history.get().history_user == world.users["zhuji"]


@pytest.mark.parametrize("user", ["shangyu", "fengqiao", "helper", "api", "auditor"])
def test_only_the_staff_over_the_region_may_run_its_campaign(world, user):
    with pytest.raises(NotAllowed):
        create(world, user)
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("changes, field", [
    ({"end": date(2026, 7, 1)}, "end"),
    ({"end": date(2026, 6, 1)}, "end"),
    ({"name": "  "}, "name"),
    ({"target_share": Decimal("1.5")}, "target_share"),
    ({"target_share": Decimal("0")}, "target_share"),
])
def test_a_campaign_that_makes_no_sense_is_refused_naming_the_field(world, changes, field):
    with pytest.raises(DomainError) as error:
        create(world, **changes)
    assert error.value.field == field
    assert not Campaign.objects.exists()


def test_a_township_runs_no_campaign(world):
    with pytest.raises(DomainError) as error:
        create(world, region=world.fengqiao)
    assert error.value.field == "region"


def test_the_same_campaign_twice_is_refused(world):
    create(world)
    with pytest.raises(DomainError) as error:
        create(world)
    assert error.value.field == "name"
    assert Campaign.objects.count() == 1


def test_moving_a_campaign_to_another_county_needs_rights_there_too(world):
    campaign = create(world)
    with pytest.raises(NotAllowed):
        campaigns.update_campaign(actor=world.users["zhuji"], campaign=campaign,
                                  region=world.shangyu)
    campaign.refresh_from_db()
    assert campaign.region == world.zhuji


def test_the_api_creates_and_updates_through_the_domain(world, work, login):
    client = login("zhuji")
    created = client.post("/api/v1/campaigns/", {
        "region": world.zhuji.pk, "name": "百日集中整转", "start": "2026-07-01",
        "end": "2026-10-09", "target_share": "0.80"}, content_type="application/json")
    assert created.status_code == 201, created.json()
    campaign = Campaign.objects.get()
    assert created.json()["case_count"] == 0

    backwards = client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"end": "2026-06-01"},
                             content_type="application/json")
    assert backwards.status_code == 400 and "end" in backwards.json()
    refused = login("shangyu").patch(f"/api/v1/campaigns/{campaign.pk}/", {"name": "x"},
                                     content_type="application/json")
    assert refused.status_code == 404
    township = login("fengqiao").patch(f"/api/v1/campaigns/{campaign.pk}/", {"name": "x"},
                                       content_type="application/json")
    assert township.status_code == 403
    campaign.refresh_from_db()
    assert (campaign.name, campaign.end) == ("百日集中整转", date(2026, 10, 9))


def test_the_list_and_the_progress_count_the_same_cases(world, work, login):
    campaign = CampaignFactory(region=world.zhuji)
    work.cases["fq1"].campaign = work.cases["dk1"].campaign = campaign
    work.cases["fq1"].outcome = Outcome.MOVED_UP
    work.cases["fq1"].outcome_override_reason = "县委研判晋位"
    for key in ("fq1", "dk1"):
        work.cases[key].save()

    listed = login("fengqiao").get("/api/v1/campaigns/").json()["results"]
    progress = campaigns.campaign_progress(world.users["fengqiao"], date(2026, 11, 20))

    assert [(row["case_count"], row["moved_up"]) for row in listed] == [(1, 1)]
    assert [(p.cases, p.moved_up) for p in progress] == [(1, 1)]
