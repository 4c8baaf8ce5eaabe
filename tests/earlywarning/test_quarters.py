"""Quarters: "2026Q3" parsing, order and neighbours."""

from datetime import date

import pytest

from core.errors import DomainError
from core.periods import Quarter, parse_open_quarter, parse_quarter


def test_parse_and_print_round_trip():
    assert str(parse_quarter(" 2026Q3 ")) == "2026Q3"


@pytest.mark.parametrize("text", ["2026Q0", "2026Q5", "2026-Q3", "26Q3", "2026q3", "", None,
                                  "1999Q4", "2101Q1"])
def test_bad_quarters_are_refused_naming_the_field(text):
    with pytest.raises(DomainError) as caught:
        parse_quarter(text, field="q")
    assert caught.value.field == "q"


def test_previous_and_next_cross_the_year():
    assert str(Quarter(2026, 1).previous()) == "2025Q4"
    assert str(Quarter(2025, 4).next()) == "2026Q1"
    assert Quarter(2025, 4) < Quarter(2026, 1)
    assert "2025Q4" < "2026Q1"  # the stored text orders the same way


def test_start_and_end_dates():
    assert (Quarter(2026, 3).start, Quarter(2026, 3).end) == (date(2026, 7, 1),
                                                              date(2026, 9, 30))
    assert Quarter(2026, 4).end == date(2026, 12, 31)


@pytest.mark.usefixtures("frozen")
def test_only_quarters_that_have_begun_are_open():
    assert str(parse_open_quarter("2026Q4")) == "2026Q4"
    with pytest.raises(DomainError):
        parse_open_quarter("2027Q1")
    assert str(Quarter.current()) == "2026Q4"
