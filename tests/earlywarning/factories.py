"""Factories and builders for earlywarning/: indicator sets, score files, evaluations, ratings
and a month of ratings to build bulletins from."""

import io
from datetime import datetime
from decimal import Decimal

import factory
from openpyxl import Workbook

from core.periods import HalfMonth, Month
from earlywarning import ratings, tiering
from earlywarning.imports import import_scores
from earlywarning.models.evaluations import Evaluation, Indicator, IndicatorSet
from tests.conftest import SHANGHAI
from villages.models import Village

# --- Indicator sets and score files -------------------------------------------------------------


class IndicatorSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorSet

    year = 2026
    name = factory.Sequence(lambda n: f"指标体系{n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"X{n:03d}")
    position = factory.Sequence(lambda n: n)
    category = "组织建设"
    name = factory.Sequence(lambda n: f"指标{n}")
    max_score = Decimal("2")


# Four indicators in two categories; B02 is a deduction item. Maximum total: 2+2+1+1 = 6.
SMALL_SET = [
    ("A01", "组织建设", Decimal("2"), True),
    ("A02", "组织建设", Decimal("2"), True),
    ("B01", "集体经济", Decimal("1"), True),
    ("B02", "集体经济", Decimal("1"), False),
]
CODES = [code for code, _c, _m, _h in SMALL_SET]


def make_set(region, *, year=2026, name="测试指标") -> IndicatorSet:
    indicator_set = IndicatorSetFactory(region=region, year=year, name=name)
    for position, (code, category, max_score, higher) in enumerate(SMALL_SET, start=1):
        IndicatorFactory(indicator_set=indicator_set, code=code, position=position,
                         category=category, max_score=max_score, higher_is_better=higher,
                         name=f"{code}名称")
    return indicator_set


def csv_bytes(rows, *, header=None, encoding="utf-8") -> bytes:
    header = header or ["village_code", "village_name", *CODES]
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows, *, header=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or ["village_code", "village_name", *CODES])
    sheet.append(["# 名称", "", *[f"{code}名称" for code in CODES]])
    for row in rows:
        sheet.append(list(row))
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def row(village, a01="2", a02="1.5", b01="1", b02="0"):
    """A village's row; with the defaults its total is 2 + 1.5 + 1 + (1 − 0) = 5.50."""
    return [village.code, village.name, a01, a02, b01, b02]


def zhuji_rows(world):
    return [row(world.fq1), row(world.fq2, a01="1"), row(world.dk1, b02="1"),
            row(world.dk2, a01="0", a02="0")]


def upload(content: bytes, name="scores.csv"):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def run(world, content, *, user="zhuji", region=None, quarter="2026Q3", name="scores.csv",
        **kwargs):
    """Import a score file as one of the world's users (诸暨市 by default)."""
    return import_scores(actor=world.users[user], region=region or world.zhuji,
                         quarter=quarter, file=upload(content, name), file_name=name, **kwargs)


def many_villages(township, count: int, *, prefix: str = "9") -> list[Village]:
    base = int(township.code[:9]) * 1000
    villages = [Village(code=f"{base + 300 + n:012d}", name=f"测{n}村", township=township)
                for n in range(count)]
    Village.objects.bulk_create(villages)
    return list(Village.objects.filter(code__in=[v.code for v in villages]).order_by("code"))


def evaluate(villages, totals, *, quarter="2026Q3", indicator_set, county) -> list[Evaluation]:
    """Evaluations with given totals (no score rows): what tiering reads."""
    evaluations = [Evaluation(village=village, county=county, quarter=quarter,
                              indicator_set=indicator_set, total=Decimal(str(total)))
                   for village, total in zip(villages, totals, strict=True)]
    Evaluation.objects.bulk_create(evaluations)
    tiering.tier_county(county=county, quarter=quarter)
    return list(Evaluation.objects.filter(county=county, quarter=quarter).select_related(
        "village").order_by("village__code"))


# --- Ratings ------------------------------------------------------------------------------------

# At the frozen NOW (2026-11-20) the open period is 2026-11-H2; 2026-11-H1 closed on the 18th.
OPEN = HalfMonth(2026, 11, 2)
CLOSED = HalfMonth(2026, 11, 1)


def rate(user, village, color, *, period=OPEN, reason="整改推进中", submit=True, now=None):
    return ratings.save_ratings(actor=user, period=period, submit=submit, now=now,
                                entries=[ratings.RatingInput(village.pk, color, reason)])


# --- A month of ratings to build bulletins from -------------------------------------------------
# September and October 2026 in 绍兴市, on the warning list: fq1 (枫桥镇), dk1 (店口镇), bg1
# (百官街道). September: fq1 yellow, dk1 red, bg1 red. October: fq1 yellow then red (new red;
# 枫桥镇's red count rises 0 → 1), dk1 green (moved up), bg1 red in the first half only (second
# half missing).

OCTOBER = Month(2026, 10)


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
