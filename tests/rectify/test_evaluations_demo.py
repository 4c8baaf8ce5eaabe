"""Demo evaluations: 111 illustrative indicators, four quarters, backward villages in class 3."""

from collections import Counter

import pytest
from django.core.management import call_command

from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    IndicatorScore,
    IndicatorSet,
    TrackingAssignment,
)
from rectify.demo import scores as demo_scores
from rectify.demo.villages import DemoBuilder
from villages.models import AnnualGrade, Grade


@pytest.fixture
def demo(db):
    """A small demo of its own, for the test that deletes and rebuilds every score (on the
    session's 2,000 villages that costs ten times as much)."""
    DemoBuilder(villages=300, seed=7).build()


def score_digest():
    return list(IndicatorScore.objects.order_by(
        "evaluation__village__code", "evaluation__quarter", "indicator__code").values_list(
        "evaluation__village__code", "evaluation__quarter", "indicator__code", "value"))


def test_the_demo_set_has_111_indicators_in_8_categories_and_is_marked_illustrative(demo_data):
    for indicator_set in IndicatorSet.objects.all():
        assert indicator_set.is_illustrative and "示例" in indicator_set.name
        assert indicator_set.indicators.count() == 111
        assert len(set(indicator_set.indicators.values_list("category", flat=True))) == 8
        assert sum(indicator_set.indicators.values_list("max_score", flat=True)) == 100
        assert indicator_set.is_frozen


def test_every_village_has_four_quarters_of_scores(demo_data):
    villages = Evaluation.objects.values("village").distinct().count()

    assert villages >= 290
    assert Counter(Evaluation.objects.values_list("quarter", flat=True)) == {
        quarter: villages for quarter in demo_scores.QUARTERS}
    assert IndicatorScore.objects.count() == villages * 4 * 111
    assert set(Evaluation.objects.filter(quarter="2026Q3").values_list("status", flat=True)) \
        == {EvaluationStatus.SUBMITTED}
    assert set(Evaluation.objects.exclude(quarter="2026Q3").values_list(
        "status", flat=True)) == {EvaluationStatus.APPROVED}


def test_backward_villages_mostly_sit_in_class_3_and_some_move_up(demo_data):
    poor = AnnualGrade.objects.filter(year=2025, grade=Grade.POOR).values("branch__village")
    first = Counter(Evaluation.objects.filter(quarter="2025Q4", village__in=poor)
                    .values_list("tier", flat=True))
    last = Counter(Evaluation.objects.filter(quarter="2026Q3", village__in=poor)
                   .values_list("tier", flat=True))

    assert first[3] >= 0.8 * sum(first.values())
    assert 0 < last[1] + last[2] < sum(last.values())
    assert TrackingAssignment.objects.filter(closed_at__isnull=False).exists()
    assert TrackingAssignment.objects.filter(closed_at__isnull=True).count() == \
        Evaluation.objects.filter(quarter="2026Q3", tier=3).count()


def test_loading_again_changes_nothing_and_is_deterministic(demo, settings):
    before = score_digest()
    tiers = list(Evaluation.objects.order_by("pk").values_list("pk", "tier", "rank"))

    call_command("load_demo", villages=300, seed=7, verbosity=0)
    assert score_digest() == before
    assert list(Evaluation.objects.order_by("pk").values_list("pk", "tier", "rank")) == tiers

    TrackingAssignment.objects.all().delete()
    EvaluationEvent.objects.all().delete()
    IndicatorScore.objects.all().delete()
    Evaluation.objects.all().delete()
    demo_scores.build_demo_scores(seed=7)
    assert score_digest() == before
