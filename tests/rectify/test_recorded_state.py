"""The early-warning state is recorded fact: a county's draft import moves nothing.

The scenario that prompted it, on the demo data: 诸暨市 imports DRAFT 2026Q4 scores for two of its
townships (枫桥镇 and 店口镇), the worst possible. Before, the warning list took class 3 from "the
latest tiered quarter anywhere", drafts included: 上虞市's list shrank, closed periods' completeness
and the November bulletin changed, and 枫桥镇's locked 2026-10-H2 sheet showed villages it never
had. Now every one of them stays as it was; only the county's approval moves 诸暨市's current
roster, and never 上虞市's.
"""

import io
import json
from datetime import datetime

import pytest

from core.periods import HalfMonth, periods_between
from earlywarning import catalogue, evaluations, imports, ratings, roster
from earlywarning.models import Bulletin, BulletinStatus, RosterEntry
from tests.conftest import SHANGHAI
from villages.models import Region, User, Village

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=SHANGHAI)
CURRENT = HalfMonth(2026, 11, 2)
CLOSED = periods_between(HalfMonth(2025, 12, 1), HalfMonth(2026, 11, 1))


def draft_file(townships) -> io.BytesIO:
    """The townships' villages scored at the bottom, spread by their first indicator, so a fifth
    of them fall in class 3 (equal totals would all share the better class)."""
    indicators = list(catalogue.applicable_set(townships[0], 2026).indicators.order_by(
        "position"))
    lines = [",".join(["village_code", *(i.code for i in indicators)])]
    villages = Village.objects.filter(township__in=townships, is_active=True).order_by("code")
    for index, village in enumerate(villages):
        cells = []
        for position, indicator in enumerate(indicators):
            worst = 0 if indicator.higher_is_better else indicator.max_score
            value = indicator.max_score * (index % 10) / 10 if position == 0 else worst
            cells.append(f"{value:.2f}")
        lines.append(",".join([village.code, *cells]))
    stream = io.BytesIO(("\n".join(lines) + "\n").encode())
    stream.name = "scores.csv"
    return stream


def snapshot(client) -> dict:
    city, shangyu = (User.objects.get(username=name) for name in ("city", "shangyu"))
    county = Region.objects.get(name="上虞市")
    return {
        "shangyu_roster": sorted(RosterEntry.objects.filter(
            period=str(CURRENT), county=county).values_list(
            "village_id", "poor_grade_year", "class_three_quarter", "open_case_id",
            "removed_at")),
        "shangyu_rows": list(roster.rows(shangyu, CURRENT).values_list("village_id", flat=True)),
        "completeness": {str(p): [(c.township.pk, c.expected, c.submitted, c.on_time)
                                  for c in ratings.completeness(city, county.parent, p)]
                         for p in CLOSED},
        "bulletins": {b.pk: json.dumps(b.snapshot, sort_keys=True) for b in
                      Bulletin.objects.filter(status=BulletinStatus.PUBLISHED)},
        "fengqiao_sheet": client.get("/ratings/?period=2026-10-H2").content.decode().count(
            'name="village"'),
    }


def test_a_draft_import_in_one_county_changes_no_roster_history_or_bulletin(
        demo_data, db, client, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(User.objects.get(username="fengqiao"))
    zhuji = User.objects.get(username="zhuji")
    townships = list(Region.objects.filter(name__in=["枫桥镇", "店口镇"], parent__name="诸暨市"))
    zhuji_roster = set(roster.entries(CURRENT).filter(county=zhuji.region)
                       .values_list("village_id", flat=True))
    before = snapshot(client)
    assert before["fengqiao_sheet"] > 0 and before["bulletins"]

    for township in townships:
        imports.import_scores(actor=zhuji, region=township, quarter="2026Q4",
                              file=draft_file([township]))

    assert snapshot(client) == before
    assert set(roster.entries(CURRENT).filter(county=zhuji.region)
               .values_list("village_id", flat=True)) == zhuji_roster

    # Once 诸暨市 approves its quarter, its own current roster takes the class-3 villages in;
    # 上虞市's roster, the closed periods and the published bulletins still do not move.
    for township in townships:
        evaluations.submit_evaluations(actor=zhuji, region=township, quarter="2026Q4")
    evaluations.approve_evaluations(actor=zhuji, region=zhuji.region, quarter="2026Q4")
    grown = set(roster.entries(CURRENT).filter(county=zhuji.region)
                .values_list("village_id", flat=True))
    assert grown > zhuji_roster
    assert snapshot(client) == before


@pytest.mark.parametrize("period", ["2026-10-H2", "2026-11-H1"])
def test_a_locked_sheet_shows_the_villages_of_its_own_period(demo_data, db, client,
                                                               time_machine, period):
    time_machine.move_to(NOW, tick=False)
    client.force_login(User.objects.get(username="fengqiao"))
    page = client.get(f"/ratings/?period={period}").content.decode()
    expected = set(RosterEntry.objects.filter(period=period, township__name="枫桥镇",
                                              removed_at__isnull=True)
                   .values_list("village__code", flat=True))
    assert expected and all(code in page for code in expected)
    assert page.count('name="village"') == len(expected)
