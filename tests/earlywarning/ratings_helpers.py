"""Shared set-up for the warning-rating tests: a frozen clock and quick rating helpers."""

from datetime import datetime
from zoneinfo import ZoneInfo

from core.periods import HalfMonth
from earlywarning import ratings

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-11-20: the open period is 2026-11-H2; 2026-11-H1 closed on 2026-11-18.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
OPEN = HalfMonth(2026, 11, 2)
CLOSED = HalfMonth(2026, 11, 1)


def rate(user, village, color, *, period=OPEN, reason="整改推进中", submit=True, now=None):
    return ratings.save_ratings(actor=user, period=period, submit=submit, now=now,
                                entries=[ratings.RatingInput(village.pk, color, reason)])
