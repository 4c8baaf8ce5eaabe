from datetime import date

import pytest
from django.db import IntegrityError, transaction

from core.errors import DomainError
from core.periods import HalfMonth
from earlywarning import bulletins
from earlywarning.models.bulletins import Bulletin, BulletinEntry, BulletinStatus
from earlywarning.models.ratings import RatingStatus, WarningRating
from tests.earlywarning.factories import OCTOBER, at, rate_september_and_october
from tests.villages.factories import make_village
from villages.models import Grade, Person, TownshipPost, TownshipPostKind

pytestmark = pytest.mark.usefixtures("frozen", "english")


@pytest.fixture
def rated(world):
    rate_september_and_october(world)
    return world


def entry(bulletin, village):
    return BulletinEntry.objects.get(bulletin=bulletin, village=village)


def test_county_bulletin_counts_colors_moves_and_new_red(rated):
    draft = bulletins.build_draft(actor=rated.users["zhuji"], region=rated.zhuji, month=OCTOBER)
    totals = draft.summary["totals"]
    assert (totals["villages"], totals["red"], totals["green"], totals["yellow"]) == (2, 1, 1, 0)
    assert (totals["up"], totals["down"]) == (1, 1)
    assert entry(draft, rated.fq1).change == "down"
    assert (entry(draft, rated.dk1).previous_color, entry(draft, rated.dk1).color) == (
        "red", "green")
    assert [v["name"] for v in draft.summary["new_red"]] == ["枫源村"]
    by_name = {t["name"]: t for t in draft.summary["townships"]}
    assert (by_name["枫桥镇"]["red"], by_name["枫桥镇"]["red_previous"]) == (1, 0)
    assert (by_name["店口镇"]["green"], by_name["店口镇"]["up"]) == (1, 1)


def test_shangyu_rule_flags_township_whose_red_count_rose_with_its_officials(rated):
    person = Person.objects.create(name="周建国", region=rated.fengqiao)
    TownshipPost.objects.create(person=person, township=rated.fengqiao,
                                post=TownshipPostKind.DEPUTY_SECRETARY, start=date(2024, 1, 1))
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    flagged = draft.summary["award_ineligible"]
    assert [t["name"] for t in flagged] == ["枫桥镇"]
    # The deputy secretary by name; the posts nobody holds on record by their title.
    assert flagged[0]["officials_for_talk"] == [
        {"post": "deputy_secretary", "name": "周建国"},
        {"post": "organization_member", "name": ""},
        {"post": "county_organizer", "name": ""}]


def test_cumulative_moves_count_from_the_first_rated_month(rated):
    city = bulletins.build_draft(actor=None, region=rated.city, month=OCTOBER)
    cumulative = city.summary["cumulative"]
    assert cumulative["since"] == "2026-09"
    assert (cumulative["up"], cumulative["down"]) == (1, 1)
    assert cumulative["up_to"] == {"green": 1, "yellow": 0}
    assert cumulative["colors"] == {"green": 1, "yellow": 0, "red": 2}


def test_missing_and_late_ratings_are_counted_per_half_month(rated):
    WarningRating.objects.filter(village=rated.dk1, period="2026-10-H1").update(
        submitted_at=at(30))
    city = bulletins.build_draft(actor=None, region=rated.city, month=OCTOBER)
    assert entry(city, rated.bg1).missing_periods == "2026-10-H2"
    assert entry(city, rated.dk1).late_periods == "2026-10-H1"
    assert (city.summary["ratings_missing"], city.summary["ratings_late"]) == (1, 1)


def test_open_half_month_is_not_yet_missing(rated):
    # 2026-11-20: the first half closed on the 18th, the second is still open.
    november = bulletins.build_draft(actor=None, region=rated.zhuji,
                                     month=bulletins.Month(2026, 11))
    assert entry(november, rated.fq1).missing_periods == "2026-11-H1"


def test_building_twice_updates_the_one_draft(rated):
    first = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    WarningRating.objects.filter(village=rated.fq1, period="2026-10-H2").update(color="green")
    second = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    assert second.pk == first.pk
    assert Bulletin.objects.filter(region=rated.zhuji, month="2026-10").count() == 1
    assert BulletinEntry.objects.filter(bulletin=first).count() == 2
    assert entry(second, rated.fq1).color == "green"


def test_published_bulletin_does_not_change_when_ratings_are_edited(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    published = bulletins.publish(actor=rated.users["zhuji"], bulletin=draft)
    frozen = published.snapshot
    WarningRating.objects.filter(village=rated.fq1, period="2026-10-H2").update(color="green")
    with pytest.raises(bulletins.BulletinAlreadyPublished):
        bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    again = Bulletin.objects.get(pk=draft.pk)
    assert again.snapshot == frozen
    assert again.status == BulletinStatus.PUBLISHED
    assert entry(again, rated.fq1).color == "red"
    assert bulletins.represent(again) == frozen


def test_publishing_twice_is_refused(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    bulletins.publish(actor=rated.users["zhuji"], bulletin=draft)
    with pytest.raises(DomainError, match="already published"):
        bulletins.publish(actor=rated.users["zhuji"], bulletin=draft)


def test_correction_is_a_new_revision_naming_the_corrected_one(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    bulletins.publish(actor=rated.users["zhuji"], bulletin=draft)
    WarningRating.objects.filter(village=rated.fq1, period="2026-10-H2").update(color="yellow")
    correction = bulletins.correct(actor=rated.users["zhuji"], bulletin=draft,
                                   reason="枫源村10月下半月评定有误")
    assert (correction.revision, correction.corrects_id) == (2, draft.pk)
    assert correction.status == BulletinStatus.DRAFT
    assert entry(correction, rated.fq1).color == "yellow"
    assert entry(Bulletin.objects.get(pk=draft.pk), rated.fq1).color == "red"
    rebuilt = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    assert rebuilt.pk == correction.pk and rebuilt.corrects_id == draft.pk


@pytest.mark.parametrize("reason", ["", "   "])
def test_correction_needs_a_reason(rated, reason):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    bulletins.publish(actor=None, bulletin=draft)
    with pytest.raises(DomainError, match="what the correction corrects"):
        bulletins.correct(actor=rated.users["zhuji"], bulletin=draft, reason=reason)
    assert Bulletin.objects.count() == 1


def test_a_draft_cannot_be_corrected_and_an_old_revision_cannot_be_corrected_twice(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    with pytest.raises(DomainError, match="Only a published"):
        bulletins.correct(actor=rated.users["zhuji"], bulletin=draft, reason="x")
    bulletins.publish(actor=None, bulletin=draft)
    bulletins.correct(actor=rated.users["zhuji"], bulletin=draft, reason="x")
    with pytest.raises(DomainError, match="is newer"):
        bulletins.correct(actor=rated.users["zhuji"], bulletin=draft, reason="y")


@pytest.mark.parametrize("user", ["fengqiao", "api", "auditor", "shangyu", "helper"])
def test_only_staff_over_the_region_may_build(rated, user):
    with pytest.raises(DomainError, match="Only the county or city"):
        bulletins.build_draft(actor=rated.users[user], region=rated.zhuji, month=OCTOBER)
    assert not Bulletin.objects.exists()


def test_township_region_future_and_malformed_months_are_refused(rated):
    with pytest.raises(DomainError, match="not by a"):
        bulletins.build_draft(actor=None, region=rated.fengqiao, month=OCTOBER)
    with pytest.raises(DomainError, match="has not begun"):
        bulletins.build_draft(actor=None, region=rated.zhuji, month=bulletins.Month(2026, 12))
    for value in ("2026-13", "2026/10", "", "26-10", "2026-1"):
        with pytest.raises(DomainError, match="is not a month"):
            bulletins.parse_bulletin_month(value)
    assert not Bulletin.objects.exists()


def test_database_refuses_a_second_draft_and_a_duplicate_revision(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.create(region=rated.zhuji, month="2026-10", revision=2,
                                generated_at=draft.generated_at)
    bulletins.publish(actor=None, bulletin=draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bulletin.objects.create(region=rated.zhuji, month="2026-10", revision=1,
                                generated_at=draft.generated_at)


def test_completeness_figures_match_the_rating_completeness_page(rated):
    from earlywarning.ratings import completeness

    city = bulletins.build_draft(actor=None, region=rated.city, month=OCTOBER)
    by_name = {t["name"]: t for t in city.summary["townships"]}
    for half in OCTOBER.halves():
        for row in completeness(rated.users["city"], rated.city, half):
            assert row.missing <= by_name[row.township.name]["missing"]
    assert sum(t["missing"] for t in by_name.values()) == sum(
        row.missing for half in OCTOBER.halves()
        for row in completeness(rated.users["city"], rated.city, half))


def test_build_runs_the_same_number_of_queries_whatever_the_county_size(
        rated, django_assert_num_queries):
    bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    for index in range(30):
        village = make_village(rated.fengqiao, grade=Grade.POOR, code=f"3306811083{index:02d}")
        WarningRating.objects.create(village=village, period=str(HalfMonth(2026, 10, 2)),
                                     color="yellow", status=RatingStatus.SUBMITTED,
                                     rated_by=rated.users["city"], rated_at=at(31),
                                     submitted_at=at(31))
    with django_assert_num_queries(len(small)):
        big = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    assert big.summary["totals"]["villages"] == 32
