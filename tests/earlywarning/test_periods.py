from datetime import date

import pytest
from django.test import override_settings

from core.errors import DomainError
from core.periods import HalfMonth, open_periods, periods_between


def test_period_text_round_trips_and_orders():
    period = HalfMonth.parse("2026-11-H1")
    assert str(period) == "2026-11-H1"
    assert HalfMonth.parse("2026-11-H1") < HalfMonth.parse("2026-11-H2") < HalfMonth.parse(
        "2026-12-H1")


@pytest.mark.parametrize("text", ["2026-13-H1", "2026-11-H3", "2026-11", "26-11-H1", "", None,
                                  "2026-1-H1", "2026-11-h1"])
def test_malformed_period_is_refused_naming_the_field(text):
    with pytest.raises(DomainError) as caught:
        HalfMonth.parse(text)
    assert caught.value.field == "period"
    assert "2026-11-H1" in str(caught.value.message)


def test_first_half_is_1st_to_15th_and_second_half_runs_to_month_end():
    assert HalfMonth.parse("2026-11-H1").start == date(2026, 11, 1)
    assert HalfMonth.parse("2026-11-H1").end == date(2026, 11, 15)
    assert HalfMonth.parse("2026-11-H2").start == date(2026, 11, 16)
    assert HalfMonth.parse("2026-11-H2").end == date(2026, 11, 30)
    assert HalfMonth.parse("2028-02-H2").end == date(2028, 2, 29)


def test_previous_and_next_cross_the_year():
    assert str(HalfMonth.parse("2026-01-H1").previous()) == "2025-12-H2"
    assert str(HalfMonth.parse("2025-12-H2").next()) == "2026-01-H1"
    assert HalfMonth.containing(date(2026, 11, 15)) == HalfMonth(2026, 11, 1)
    assert HalfMonth.containing(date(2026, 11, 16)) == HalfMonth(2026, 11, 2)
    assert len(periods_between(HalfMonth(2025, 12, 1), HalfMonth(2026, 11, 1))) == 23


def test_deadline_is_three_days_after_the_end_by_default():
    assert HalfMonth.parse("2026-11-H1").deadline == date(2026, 11, 18)
    with override_settings(RATING_DEADLINE_DAYS=5):
        assert HalfMonth.parse("2026-11-H1").deadline == date(2026, 11, 20)


def test_previous_period_stays_open_until_its_deadline():
    assert [str(p) for p in open_periods(date(2026, 11, 17))] == ["2026-11-H1", "2026-11-H2"]
    assert [str(p) for p in open_periods(date(2026, 11, 18))] == ["2026-11-H1", "2026-11-H2"]
    assert [str(p) for p in open_periods(date(2026, 11, 19))] == ["2026-11-H2"]
