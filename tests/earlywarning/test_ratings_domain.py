from datetime import datetime

import pytest

from core.errors import NotAllowed
from core.periods import HalfMonth
from earlywarning import locks, ratings, roster
from earlywarning.models import DecisionAction, WarningRating
from tests.conftest import SHANGHAI
from tests.earlywarning.factories import CLOSED, OPEN, rate

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def w(world, frozen):
    return world


def test_township_official_rates_own_village_and_history_keeps_who(w):
    rate(w.users["fengqiao"], w.fq1, "yellow")

    rating = WarningRating.objects.get(village=w.fq1, period="2026-11-H2")
    assert (rating.color, rating.status, rating.rated_by) == ("yellow", "submitted",
                                                              w.users["fengqiao"])
    record = rating.history.get()
    assert record.history_user == w.users["fengqiao"]
    assert record.history_type == "+"


def test_township_official_cannot_rate_other_township(w):
    with pytest.raises(ratings.RatingError) as caught:
        rate(w.users["fengqiao"], w.dk1, "yellow")
    assert "village" in caught.value.errors[w.dk1.pk]
    assert not WarningRating.objects.exists()


def test_county_staff_rates_any_village_of_its_county_but_not_another_county(w):
    rate(w.users["zhuji"], w.dk1, "green")
    with pytest.raises(ratings.RatingError):
        rate(w.users["shangyu"], w.fq1, "green")
    assert list(WarningRating.objects.values_list("village", flat=True)) == [w.dk1.pk]


@pytest.mark.parametrize("role", ["api", "auditor", "helper"])
def test_read_only_roles_and_helpers_cannot_rate(w, role):
    with pytest.raises(NotAllowed):
        rate(w.users[role], w.fq1, "green")
    assert not WarningRating.objects.exists()


def test_village_off_the_roster_is_refused_until_the_county_adds_it(w):
    with pytest.raises(ratings.RatingError) as caught:
        rate(w.users["fengqiao"], w.fq2, "green")
    assert "warning roster" in caught.value.errors[w.fq2.pk]["village"][0]

    roster.decide(actor=w.users["zhuji"], village=w.fq2, action=DecisionAction.ADD,
                  reason="信访件多发，纳入预警")
    rate(w.users["fengqiao"], w.fq2, "green")
    assert WarningRating.objects.filter(village=w.fq2).exists()


def test_county_can_remove_a_village_from_the_roster_with_a_reason(w):
    roster.decide(actor=w.users["zhuji"], village=w.fq1, action=DecisionAction.REMOVE,
                  reason="已晋位升级")
    assert w.fq1 not in roster.rostered(w.fq1.township.villages.all(), OPEN)
    with pytest.raises(Exception, match="reason"):
        roster.decide(actor=w.users["zhuji"], village=w.fq1, action=DecisionAction.ADD,
                      reason=" ")
    with pytest.raises(NotAllowed, match="county"):
        roster.decide(actor=w.users["fengqiao"], village=w.fq1, action=DecisionAction.ADD,
                      reason="x")


@pytest.mark.parametrize("color,reason,field", [
    ("red", "", "reason"),
    ("purple", "x", "color"),
])
def test_bad_color_or_missing_reason_is_refused(w, color, reason, field):
    with pytest.raises(ratings.RatingError) as caught:
        rate(w.users["fengqiao"], w.fq1, color, reason=reason)
    assert field in caught.value.errors[w.fq1.pk]
    assert not WarningRating.objects.exists()


def test_a_changed_color_needs_a_reason(w):
    rate(w.users["zhuji"], w.fq1, "red", period=CLOSED.previous(),
         now=datetime(2026, 11, 1, 9, tzinfo=SHANGHAI))
    with pytest.raises(ratings.RatingError) as caught:
        rate(w.users["zhuji"], w.fq1, "yellow", period=CLOSED, reason="",
             now=datetime(2026, 11, 15, 9, tzinfo=SHANGHAI))
    assert "reason" in caught.value.errors[w.fq1.pk]


def test_future_period_is_refused(w):
    with pytest.raises(ratings.RatingError) as caught:
        rate(w.users["fengqiao"], w.fq1, "green", period=OPEN.next())
    assert caught.value.field == "period"


def test_locked_period_is_refused_until_the_county_grants_an_exception(w):
    with pytest.raises(ratings.RatingError) as caught:
        rate(w.users["fengqiao"], w.fq1, "green", period=CLOSED)
    assert "closed" in caught.value.errors[w.fq1.pk]["period"][0]

    locks.grant_lock_exception(actor=w.users["zhuji"], township=w.fengqiao, period=CLOSED,
                                 reason="系统故障，补录")
    rate(w.users["fengqiao"], w.fq1, "green", period=CLOSED)
    # The exception is for 枫桥镇 only.
    with pytest.raises(ratings.RatingError):
        rate(w.users["diankou"], w.dk1, "green", period=CLOSED)


def test_township_cannot_grant_itself_a_lock_exception(w):
    with pytest.raises(Exception, match="county"):
        locks.grant_lock_exception(actor=w.users["fengqiao"], township=w.fengqiao,
                                     period=CLOSED, reason="x")


def test_a_batch_is_all_or_nothing(w):
    entries = [ratings.RatingInput(w.fq1.pk, "green", "ok"),
               ratings.RatingInput(w.dk1.pk, "red", "")]
    with pytest.raises(ratings.RatingError) as caught:
        ratings.save_ratings(actor=w.users["zhuji"], period=OPEN, entries=entries, submit=True)
    assert set(caught.value.errors) == {w.dk1.pk}
    assert not WarningRating.objects.exists()


def test_saving_again_updates_the_one_rating_and_history_has_before_and_after(w):
    rate(w.users["fengqiao"], w.fq1, "red", reason="班子涣散")
    rate(w.users["zhuji"], w.fq1, "yellow", reason="书记已调整")

    assert WarningRating.objects.filter(village=w.fq1).count() == 1
    latest = ratings.changes(w.fq1)[0]
    assert (latest.before_color, latest.after_color) == ("red", "yellow")
    assert latest.who == "zhuji"


def test_draft_does_not_count_and_cannot_overwrite_a_submitted_rating(w):
    rate(w.users["fengqiao"], w.fq1, "yellow", submit=False)
    assert ratings.timeline(w.fq1) == []
    rate(w.users["fengqiao"], w.fq1, "yellow", submit=True)
    assert [e.color for e in ratings.timeline(w.fq1)] == ["yellow"]
    with pytest.raises(ratings.RatingError) as caught:
        rate(w.users["fengqiao"], w.fq1, "green", reason="想改", submit=False)
    assert "status" in caught.value.errors[w.fq1.pk]


def test_timeline_classifies_moves_between_consecutive_periods(w):
    steps = [(HalfMonth(2026, 10, 1), "red"), (HalfMonth(2026, 10, 2), "yellow"),
             (HalfMonth(2026, 11, 1), "yellow"), (HalfMonth(2026, 11, 2), "red")]
    for period, color in steps:
        rate(w.users["zhuji"], w.fq1, color, period=period, reason="评定",
             now=datetime.combine(period.end, datetime.min.time(), tzinfo=SHANGHAI))
    moves = [(e.period, e.movement) for e in ratings.timeline(w.fq1)]
    assert moves == [("2026-10-H1", "new"), ("2026-10-H2", "up"), ("2026-11-H1", "same"),
                     ("2026-11-H2", "down")]


def test_completeness_counts_expected_submitted_and_on_time(w):
    period = CLOSED
    rate(w.users["zhuji"], w.fq1, "green", period=period,
         now=datetime(2026, 11, 16, 9, tzinfo=SHANGHAI))
    locks.grant_lock_exception(actor=w.users["zhuji"], township=w.diankou, period=period,
                                 reason="补录")
    rate(w.users["zhuji"], w.dk1, "green", period=period)  # after the deadline: late

    rows = {row.township.name: row for row in ratings.completeness(
        w.users["zhuji"], w.zhuji, period)}
    assert (rows["枫桥镇"].expected, rows["枫桥镇"].submitted, rows["枫桥镇"].on_time) == (1, 1, 1)
    assert (rows["店口镇"].expected, rows["店口镇"].submitted, rows["店口镇"].on_time) == (1, 1, 0)
    assert rows["店口镇"].late and not rows["枫桥镇"].late
