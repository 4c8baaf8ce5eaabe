"""Half-month rating periods: "2026-11-H1" is the 1st–15th, "2026-11-H2" the 16th–month end.

A period accepts ratings from its first day until ``RATING_DEADLINE_DAYS`` days after its last
day (DHIS2's "expiry days"), then locks; the county can grant a lock exception for one township
and period. Dates are local (Asia/Shanghai): a deadline is the end of that local day.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from rectify.errors import DomainError

PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])-H([12])$")
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


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
