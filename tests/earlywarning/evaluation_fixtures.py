"""Factories and fixtures for quarterly evaluations; test modules import the fixtures they use.

(Not a conftest: another engineer's tests share this folder.) Fixtures are named explicitly and
imported as ``*_fixture`` so the import never shadows a test's parameter.
"""

import io
from decimal import Decimal

import factory
import pytest
import time_machine
from openpyxl import Workbook

from earlywarning import tiering
from earlywarning.models.evaluations import Evaluation, Indicator, IndicatorSet
from tests.villages.factories import VillageFactory
from villages.models import Village

# Every test here runs inside 2026Q4, so 2026Q3 and 2026Q4 are open quarters and 2027Q1 is not.
NOW = "2026-11-20 10:00 +0800"


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


def upload(content: bytes, name="scores.csv"):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


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


@pytest.fixture(name="frozen_time")
def frozen_time_fixture():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(name="catalogue")
def catalogue_fixture(world, frozen_time) -> IndicatorSet:
    """The city's set for 2026, which every world village is scored with."""
    return make_set(world.city)


@pytest.fixture(name="login")
def login_fixture(world, client):
    def login_as(username):
        client.force_login(world.users[username])
        return client
    return login_as


__all__ = ["VillageFactory", "catalogue_fixture", "frozen_time_fixture", "login_fixture"]
