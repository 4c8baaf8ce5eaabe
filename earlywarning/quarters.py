"""Quarters (季度) as the evaluations use them: ``"2026Q3"``, ordered, with neighbours.

The text form sorts the same way as time ("2025Q4" < "2026Q1"), so the database stores and
orders it as plain text.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rectify.errors import DomainError

QUARTER_PATTERN = r"^[0-9]{4}Q[1-4]$"
_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        following = self.next()
        return date.fromordinal(following.start.toordinal() - 1)

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> "Quarter":
        return cls.containing(timezone.localdate())


def parse_quarter(value, *, field: str = "quarter") -> Quarter:
    """``"2026Q3"`` → Quarter(2026, 3); anything else raises DomainError naming the field."""
    if isinstance(value, Quarter):
        return value
    match = _QUARTER_RE.match(str(value or "").strip())
    if not match:
        raise DomainError(format_lazy(
            _("“{value}” is not a quarter: write the year, Q and the quarter, e.g. 2026Q3."),
            value=value or ""), field=field)
    year, number = int(match.group(1)), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(format_lazy(_("The year of a quarter lies between {min} and {max}."),
                                      min=MIN_YEAR, max=MAX_YEAR), field=field)
    return Quarter(year, number)


def parse_open_quarter(value, *, field: str = "quarter") -> Quarter:
    """A quarter that has already begun: scores cannot be entered for the future."""
    quarter = parse_quarter(value, field=field)
    if quarter > Quarter.current():
        raise DomainError(format_lazy(_("Quarter {quarter} has not begun yet."),
                                      quarter=quarter), field=field)
    return quarter

