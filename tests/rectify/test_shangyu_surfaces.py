"""One Shangyu rule: the bulletin, the compliance page and the dashboard agree on a month of
ratings, because all three call ``earlywarning/shangyu.py``.

The month: November 2026, seen on 2026-12-05 (its second half closed on the 3rd).
- 枫桥镇 fq1: Oct-H1 red, Oct-H2 red, Nov-H1 yellow, Nov-H2 red → October 1, November 1: equal,
  not an increase (the month's color is its last rated half-month).
- 店口镇 dk1: Oct-H2 yellow, Nov-H2 red → 0 → 1: flagged.
- 百官街道 bg1: nothing in October, Nov-H1 red → no baseline: never flagged.
"""

import re
from datetime import datetime

import pytest
from django.utils import timezone

from core.periods import Month
from earlywarning import bulletins
from earlywarning.models import AwardEligibility, RatingStatus, Talk, WarningRating
from rectify import compliance
from tests.conftest import SHANGHAI

NOVEMBER = Month(2026, 11)
RATINGS = [("fq1", "2026-10-H1", "red"), ("fq1", "2026-10-H2", "red"),
           ("fq1", "2026-11-H1", "yellow"), ("fq1", "2026-11-H2", "red"),
           ("dk1", "2026-10-H2", "yellow"), ("dk1", "2026-11-H2", "red"),
           ("bg1", "2026-11-H1", "red")]


@pytest.fixture
def november(world, time_machine):
    time_machine.move_to(datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI), tick=False)
    for key, period, color in RATINGS:
        WarningRating.objects.create(
            village=getattr(world, key), period=period, color=color, reason="原因",
            status=RatingStatus.SUBMITTED, rated_by=world.users["city"],
            rated_at=timezone.now(), submitted_at=timezone.now())
    return world


def test_bulletin_compliance_page_and_dashboard_flag_the_same_townships(november, login):
    city = november.users["city"]
    bulletin = bulletins.build_draft(actor=None, region=november.city, month=NOVEMBER)
    in_bulletin = {t["name"] for t in bulletin.summary["award_ineligible"]}

    check = compliance.red_count_rule(city, str(NOVEMBER))
    on_compliance_page = {row.township.name for row in check.rows}

    page = login("city").get("/").content.decode()
    shown = re.search(r'#red_count" data-figure="(\d+)"', page)
    compliance_page = login("city").get("/compliance/?month=2026-11").content.decode()

    assert in_bulletin == on_compliance_page == {"店口镇"}
    assert int(shown.group(1)) == check.breaches == 1
    assert 'id="h-red_count" data-count="1"' in compliance_page
    townships = {t["name"]: t for t in bulletin.summary["townships"]}
    assert townships["枫桥镇"]["red_previous"] == 1 and not townships["枫桥镇"]["red_rose"]
    assert townships["百官街道"]["red_previous"] is None  # no baseline


def test_publishing_records_lost_eligibility_and_a_talk_once(november):
    bulletin = bulletins.build_draft(actor=None, region=november.zhuji, month=NOVEMBER)
    bulletins.publish(actor=None, bulletin=bulletin)
    city = bulletins.build_draft(actor=None, region=november.city, month=NOVEMBER)
    bulletins.publish(actor=None, bulletin=city)

    lost = AwardEligibility.objects.get()
    assert (lost.township, lost.year, lost.lost_month, lost.bulletin) == (
        november.diankou, 2026, "2026-11", bulletin)
    assert (lost.red_count_before, lost.red_count) == (0, 1)
    talk = Talk.objects.get()
    assert (talk.township, talk.month, talk.status) == (november.diankou, "2026-11", "due")
    assert [p["post"] for p in talk.participants] == [
        "deputy_secretary", "organization_member", "county_organizer"]


def test_later_data_does_not_undo_what_a_published_bulletin_established(november):
    bulletin = bulletins.build_draft(actor=None, region=november.zhuji, month=NOVEMBER)
    bulletins.publish(actor=None, bulletin=bulletin)
    WarningRating.objects.filter(village=november.dk1, period="2026-11-H2").update(
        color="green")

    assert not compliance.red_count_rule(november.users["zhuji"], "2026-11").breaches
    assert AwardEligibility.objects.filter(township=november.diankou, year=2026).exists()
    assert Talk.objects.filter(township=november.diankou, month="2026-11").exists()
