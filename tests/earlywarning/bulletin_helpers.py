"""A month of ratings to build bulletins from: September and October 2026 in 绍兴市.

On the warning list: fq1 (枫桥镇), dk1 (店口镇), bg1 (百官街道).
September: fq1 yellow, dk1 red, bg1 red.  October: fq1 yellow then red (new red; 枫桥镇's red
count rises 0 → 1), dk1 green (moved up), bg1 red in the first half only (second half missing).
"""

from datetime import datetime

from core.periods import HalfMonth
from earlywarning import bulletins
from tests.earlywarning.ratings_helpers import SHANGHAI, rate

OCTOBER = bulletins.Month(2026, 10)


def at(day: int, month: int = 10):
    return datetime(2026, month, day, 9, 0, tzinfo=SHANGHAI)


def rate_september_and_october(world):
    county = world.users["city"]
    for village, color in ((world.fq1, "yellow"), (world.dk1, "red"), (world.bg1, "red")):
        for half in (1, 2):
            rate(county, village, color, period=HalfMonth(2026, 9, half), now=at(16, 9))
    rate(county, world.fq1, "yellow", period=HalfMonth(2026, 10, 1), now=at(15))
    rate(county, world.fq1, "red", period=HalfMonth(2026, 10, 2), now=at(31), reason="信访反弹")
    rate(county, world.dk1, "green", period=HalfMonth(2026, 10, 1), now=at(15), reason="见效")
    rate(county, world.dk1, "green", period=HalfMonth(2026, 10, 2), now=at(31))
    rate(county, world.bg1, "red", period=HalfMonth(2026, 10, 1), now=at(15))
