"""The periods the system counts in: Month ("2026-11"), HalfMonth ("2026-11-H1" is the
1st–15th, "2026-11-H2" the 16th–month end) and Quarter ("2026Q3").

Each parses its text form (refusing anything else with a DomainError naming the field), formats,
steps to its neighbours and knows its first and last day. The text forms sort the same way as
time, so the database stores and orders them as plain text.

A half-month accepts ratings from its first day until ``RATING_DEADLINE_DAYS`` days after its last
day (DHIS2's "expiry days"), then locks; the county can grant a lock exception for one township
and period. Dates are local (Asia/Shanghai): a deadline is the end of that local day.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError

# The text forms, also used by the models' CHECK constraints.
PERIOD_REGEX = r"^[0-9]{4}-(0[1-9]|1[0-2])-H[12]$"
MONTH_REGEX = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
QUARTER_PATTERN = r"^[0-9]{4}Q[1-4]$"
PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])-H([12])$")
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, order=True)
class HalfMonth:
    year: int
    month: int
    half: int

    @classmethod
    def parse(cls, value: str, *, field: str = "period") -> "HalfMonth":
        match = PATTERN.match(str(value or "").strip())
        if not match:
            raise DomainError(
                _("“%(value)s” is not a half-month period; write it like 2026-11-H1 "
                  "(1st–15th) or 2026-11-H2 (16th–end of month).") % {"value": value},
                field=field)
        return cls(int(match[1]), int(match[2]), int(match[3]))

    @classmethod
    def containing(cls, day: date) -> "HalfMonth":
        return cls(day.year, day.month, 1 if day.day <= 15 else 2)

    @classmethod
    def current(cls) -> "HalfMonth":
        return cls.containing(timezone.localdate())

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-H{self.half}"

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1 if self.half == 1 else 16)

    @property
    def end(self) -> date:
        if self.half == 1:
            return date(self.year, self.month, 15)
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def deadline(self) -> date:
        """The last local day on which ratings for this period are accepted."""
        return self.end + timedelta(days=settings.RATING_DEADLINE_DAYS)

    @property
    def deadline_at(self) -> datetime:
        """The first instant after the deadline day, as an aware datetime."""
        return timezone.make_aware(datetime.combine(self.deadline + timedelta(days=1), time.min))

    def next(self) -> "HalfMonth":
        return HalfMonth.containing(self.end + timedelta(days=1))

    def previous(self) -> "HalfMonth":
        return HalfMonth.containing(self.start - timedelta(days=1))

    def is_future(self, today: date | None = None) -> bool:
        return self.start > (today or timezone.localdate())

    def is_past_deadline(self, today: date | None = None) -> bool:
        return (today or timezone.localdate()) > self.deadline

    def label(self) -> str:
        half = _("first half") if self.half == 1 else _("second half")
        return _("%(year)d-%(month)02d, %(half)s") % {
            "year": self.year, "month": self.month, "half": half}


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, value, *, field: str = "month") -> "Month":
        match = MONTH_PATTERN.match(str(value or "").strip())
        if not match or not 2000 <= int(match[1]) <= 2100:
            raise DomainError(_("“%(value)s” is not a month; write it like 2026-11.")
                              % {"value": value}, field=field)
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next_start(self) -> date:
        return date(self.year + 1, 1, 1) if self.month == 12 else date(self.year, self.month + 1, 1)

    def previous(self) -> "Month":
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> "Month":
        return Month.containing(self.next_start())

    def back(self, count: int) -> list["Month"]:
        """The ``count`` months ending with this one, oldest first."""
        months = [self]
        while len(months) < count:
            months.insert(0, months[0].previous())
        return months

    def halves(self) -> tuple[HalfMonth, HalfMonth]:
        return HalfMonth(self.year, self.month, 1), HalfMonth(self.year, self.month, 2)

    @property
    def quarter(self) -> str:
        return f"{self.year}Q{(self.month - 1) // 3 + 1}"

    def is_future(self, today: date | None = None) -> bool:
        return self.start > (today or timezone.localdate())


def periods_between(first: HalfMonth, last: HalfMonth) -> list[HalfMonth]:
    periods, period = [], first
    while period <= last:
        periods.append(period)
        period = period.next()
    return periods


def open_periods(today: date | None = None) -> list[HalfMonth]:
    """Periods that accept ratings today: the current one and any past one before its deadline."""
    current = HalfMonth.containing(today or timezone.localdate())
    periods = [current]
    previous = current.previous()
    while not previous.is_past_deadline(today):
        periods.insert(0, previous)
        previous = previous.previous()
    return periods


# --- Quarters ---------------------------------------------------------------------------------


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
        raise DomainError(format_lazy(gettext_lazy(
            "“{value}” is not a quarter: write the year, Q and the quarter, e.g. 2026Q3."),
            value=value or ""), field=field)
    year, number = int(match.group(1)), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(format_lazy(
            gettext_lazy("The year of a quarter lies between {min} and {max}."),
            min=MIN_YEAR, max=MAX_YEAR), field=field)
    return Quarter(year, number)


def parse_open_quarter(value, *, field: str = "quarter") -> Quarter:
    """A quarter that has already begun: scores cannot be entered for the future."""
    quarter = parse_quarter(value, field=field)
    if quarter > Quarter.current():
        raise DomainError(format_lazy(gettext_lazy("Quarter {quarter} has not begun yet."),
                                      quarter=quarter), field=field)
    return quarter
