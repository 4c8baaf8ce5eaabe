"""Tiering: 30/50/20 by competition rank, rounding half up, ties never split (better class)."""

from collections import Counter

import pytest

from earlywarning import tiering
from earlywarning.models.evaluations import Evaluation, TrackingAssignment
from tests.earlywarning.factories import evaluate, many_villages

pytestmark = pytest.mark.django_db


def tiers_of(evaluations):
    return Counter(e.tier for e in evaluations)


@pytest.mark.parametrize(("villages", "first", "third"), [
    (97, 29, 19),    # 29.1 → 29, 19.4 → 19
    (45, 14, 9),     # 13.5 → 14 (half up), 9.0
    (25, 8, 5),      # 7.5 → 8, 5
    (5, 2, 1),       # 1.5 → 2, 1
    (1, 0, 0),       # 0.3 → 0, 0.2 → 0: a lone village is class 2
    (20000, 6000, 4000),
])
def test_class_sizes_round_half_up(villages, first, third):
    assert tiering.class_sizes(villages) == (first, third)


def test_97_distinct_totals_split_29_49_19(world, catalogue):
    villages = many_villages(world.fengqiao, 97)
    # Totals 97, 96, ... 1: the code order is the total order, best first.
    evaluations = evaluate(villages, [97 - n for n in range(97)], indicator_set=catalogue,
                           county=world.zhuji)

    assert tiers_of(evaluations) == {1: 29, 2: 49, 3: 19}
    assert [e.rank for e in evaluations] == list(range(1, 98))
    assert evaluations[28].tier == 1 and evaluations[29].tier == 2
    assert evaluations[77].tier == 2 and evaluations[78].tier == 3
    assert evaluations[0].percentile == 1.0 and evaluations[-1].percentile == 0.0


def test_a_tie_across_the_30_percent_line_goes_wholly_into_class_1(world, catalogue):
    villages = many_villages(world.fengqiao, 10)
    # Class 1 has 3 places; places 3 and 4 tie at 80.
    totals = [95, 90, 80, 80, 70, 60, 50, 40, 30, 20]
    evaluations = evaluate(villages, totals, indicator_set=catalogue, county=world.zhuji)

    assert [e.tier for e in evaluations] == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    assert [e.rank for e in evaluations][:5] == [1, 2, 3, 3, 5]


def test_a_tie_across_the_20_percent_line_stays_out_of_the_warning_zone(world, catalogue):
    villages = many_villages(world.fengqiao, 10)
    # Class 3 has 2 places; the 2nd and 3rd lowest tie at 30, so only the lowest is class 3.
    totals = [95, 90, 85, 70, 60, 50, 40, 30, 30, 20]
    evaluations = evaluate(villages, totals, indicator_set=catalogue, county=world.zhuji)

    assert [e.tier for e in evaluations] == [1, 1, 1, 2, 2, 2, 2, 2, 2, 3]


def test_equal_totals_always_share_a_tier(world, catalogue):
    villages = many_villages(world.fengqiao, 40)
    totals = [n // 4 for n in range(40)]  # groups of four equal totals
    evaluations = evaluate(villages, totals, indicator_set=catalogue, county=world.zhuji)

    by_total = {}
    for evaluation in evaluations:
        by_total.setdefault(evaluation.total, set()).add(evaluation.tier)
    assert all(len(tiers) == 1 for tiers in by_total.values())


def test_all_equal_totals_are_all_class_1(world, catalogue):
    evaluations = evaluate(many_villages(world.fengqiao, 7), [50] * 7, indicator_set=catalogue,
                           county=world.zhuji)

    assert tiers_of(evaluations) == {1: 7}
    assert {e.rank for e in evaluations} == {1}


def test_counties_are_ranked_separately(world, catalogue):
    zhuji = evaluate(many_villages(world.fengqiao, 10), range(10, 20), indicator_set=catalogue,
                     county=world.zhuji)
    shangyu = evaluate(many_villages(world.baiguan, 10), range(100, 110),
                       indicator_set=catalogue, county=world.shangyu)

    assert tiers_of(zhuji) == tiers_of(shangyu) == {1: 3, 2: 5, 3: 2}


def test_retiering_is_idempotent(world, catalogue):
    villages = many_villages(world.fengqiao, 30)
    first = evaluate(villages, [n % 17 for n in range(30)], indicator_set=catalogue,
                     county=world.zhuji)
    assignments = list(TrackingAssignment.objects.values_list("village_id", "quarter",
                                                              "closed_at"))

    tiering.tier_county(county=world.zhuji, quarter="2026Q3")
    tiering.tier_county(county=world.zhuji, quarter="2026Q3")

    again = list(Evaluation.objects.filter(county=world.zhuji).order_by("village__code"))
    assert [(e.rank, e.tier, e.percentile) for e in again] == [
        (e.rank, e.tier, e.percentile) for e in first]
    assert list(TrackingAssignment.objects.values_list(
        "village_id", "quarter", "closed_at")) == assignments


def test_class_3_opens_tracking_and_leaving_closes_it(world, catalogue):
    villages = many_villages(world.fengqiao, 10)
    evaluate(villages, range(10, 20), indicator_set=catalogue, county=world.zhuji)
    # Ascending totals: the first two villages (codes in order) are the bottom 20%.
    assert set(TrackingAssignment.objects.filter(closed_at__isnull=True).values_list(
        "village_id", flat=True)) == {villages[0].pk, villages[1].pk}

    # Next quarter the first village does well and another falls behind.
    totals = [30] + list(range(11, 20))
    totals[5] = 1
    evaluate(villages, totals, quarter="2026Q4", indicator_set=catalogue, county=world.zhuji)

    open_now = TrackingAssignment.objects.filter(closed_at__isnull=True)
    assert set(open_now.values_list("village_id", flat=True)) == {villages[1].pk,
                                                                   villages[5].pk}
    closed = TrackingAssignment.objects.get(village=villages[0])
    assert closed.closed_quarter == "2026Q4"
    assert open_now.get(village=villages[1]).quarter == "2026Q3"  # still the same one


def test_retiering_an_older_quarter_leaves_tracking_to_the_latest(world, catalogue):
    villages = many_villages(world.fengqiao, 10)
    evaluate(villages, range(10, 20), indicator_set=catalogue, county=world.zhuji)
    evaluate(villages, range(20, 10, -1), quarter="2026Q4", indicator_set=catalogue,
             county=world.zhuji)
    before = list(TrackingAssignment.objects.order_by("pk").values_list(
        "village_id", "closed_at"))

    result = tiering.tier_county(county=world.zhuji, quarter="2026Q3")

    assert (result.tracking_opened, result.tracking_closed) == (0, 0)
    assert list(TrackingAssignment.objects.order_by("pk").values_list(
        "village_id", "closed_at")) == before


def test_tiering_runs_a_constant_number_of_queries(world, catalogue,
                                                   django_assert_max_num_queries):
    evaluate(many_villages(world.fengqiao, 200), range(200), indicator_set=catalogue,
             county=world.zhuji)
    with django_assert_max_num_queries(8):
        tiering.tier_county(county=world.zhuji, quarter="2026Q3")
