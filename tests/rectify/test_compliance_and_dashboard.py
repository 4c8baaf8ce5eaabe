"""Compliance checks, the cadre points table and the dashboard, with constant query counts."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from casework import campaigns, points_posting, points_summary
from casework.models import (
    Case,
    CaseStatus,
    HouseholdContact,
    InstructorDays,
    LedgerItem,
    Pairing,
    PairingKind,
    Project,
    Visit,
)
from core.periods import Month
from earlywarning.models import WarningRating
from rectify import compliance
from tests.casework.factories import CampaignFactory, CaseFactory, LedgerItemFactory
from tests.villages.factories import PersonFactory, PostAssignmentFactory
from villages.models import Grade, Post, Village

pytestmark = pytest.mark.usefixtures("frozen")


def by_code(checks):
    return {c.code: c for c in checks}


def test_instructor_with_fewer_than_20_days_is_a_breach(world):
    short = PostAssignmentFactory(village=world.fq1, post=Post.STATIONED_INSTRUCTOR,
                                  start=date(2026, 1, 1))
    full = PostAssignmentFactory(village=world.fq2, post=Post.STATIONED_INSTRUCTOR,
                                 start=date(2026, 1, 1))
    unlogged = PostAssignmentFactory(village=world.dk1, post=Post.STATIONED_INSTRUCTOR,
                                     start=date(2026, 1, 1))
    InstructorDays.objects.create(person=short.person, village=world.fq1, month="2026-10",
                                  days=19)
    InstructorDays.objects.create(person=full.person, village=world.fq2, month="2026-10",
                                  days=20)
    check = compliance.instructor_days(world.users["zhuji"], "2026-10")
    assert (check.checked, check.breaches) == (3, 2)
    assert {p.pk: p.days_logged for p in check.rows} == {short.pk: 19, unlogged.pk: 0}


def test_leader_without_a_visit_in_the_month_is_a_breach(world, work):
    Visit.objects.create(village=world.fq1, pairing=work.pairings["fq1"],
                         date=date(2026, 10, 5), visitor="领导", purpose="走访",
                         logged_by=world.users["zhuji"])
    Visit.objects.create(village=world.dk1, pairing=work.pairings["dk1"],
                         date=date(2026, 9, 30), visitor="领导", purpose="走访",
                         logged_by=world.users["zhuji"])
    check = compliance.leader_visits(world.users["zhuji"], "2026-10")
    assert (check.checked, check.breaches) == (2, 1)
    assert [p.village_id for p in check.rows] == [world.dk1.pk]


def test_department_without_a_project_is_a_breach(world):
    idle = Pairing.objects.create(kind=PairingKind.DEPARTMENT, village=world.fq1,
                                  partner_name="县水利局", start=date(2026, 3, 1))
    busy = Pairing.objects.create(kind=PairingKind.DEPARTMENT, village=world.dk1,
                                  partner_name="县财政局", start=date(2026, 3, 1))
    Project.objects.create(village=world.dk1, pairing=busy, name="村道", funds=Decimal("1"))
    check = compliance.department_projects(world.users["city"], date(2026, 11, 20))
    assert (check.checked, check.breaches) == (2, 1)
    assert [p.pk for p in check.rows] == [idle.pk]


def test_reserve_cadres_are_checked_for_villages_with_an_open_case(world, work):
    for _ in range(2):
        PostAssignmentFactory(village=world.fq1, post=Post.RESERVE_CADRE,
                              start=date(2025, 3, 1))
    check = compliance.reserve_cadres(world.users["zhuji"], date(2026, 11, 20))
    assert (check.checked, check.breaches) == (2, 1)
    assert [v.pk for v in check.rows] == [world.dk1.pk]


def test_member_with_fewer_than_10_households_is_a_breach(world):
    HouseholdContact.objects.create(village=world.fq1, member=PersonFactory(
        region=world.fengqiao), households=9)
    HouseholdContact.objects.create(village=world.fq1, member=PersonFactory(
        region=world.fengqiao), households=10)
    check = compliance.household_contacts(world.users["fengqiao"])
    assert (check.checked, check.breaches) == (2, 1)


def rate(world, village, period, color):
    WarningRating.objects.create(village=village, period=period, color=color,
                                 reason="原因" if color == "red" else "", status="submitted",
                                 rated_by=world.users["zhuji"], rated_at=timezone.now(),
                                 submitted_at=timezone.now())


def test_shangyu_rule_flags_a_township_whose_red_villages_increase(world):
    # 枫桥镇: 0 → 1 red (breach) — fq2's red rating does not count, fq2 is not on the
    # roster; 店口镇: 1 → 1 (not an increase).
    rate(world, world.fq1, "2026-10-H2", "yellow")
    rate(world, world.fq1, "2026-11-H1", "red")
    rate(world, world.fq2, "2026-11-H1", "red")
    rate(world, world.dk1, "2026-10-H2", "red")
    rate(world, world.dk1, "2026-11-H1", "red")
    check = compliance.red_count_rule(world.users["zhuji"], "2026-11")
    assert (check.checked, check.breaches) == (2, 1)
    assert [(r.township.name, r.red_before, r.red) for r in check.rows] == [("枫桥镇", 0, 1)]


def test_campaign_behind_its_target_is_a_breach(world):
    campaign = CampaignFactory(region=world.zhuji, start=date(2026, 7, 1),
                               end=date(2026, 10, 9))
    for key, outcome in (("fq1", "moved_up"), ("dk1", "not_moved_up")):
        CaseFactory(village=getattr(world, key), campaign=campaign, status=outcome,
                    outcome=outcome, opened_by=world.users["zhuji"])
    [progress] = campaigns.campaign_progress(world.users["zhuji"], date(2026, 11, 20))
    assert (progress.cases, progress.moved_up, progress.share_percent) == (2, 1, 50)
    assert progress.ended and progress.behind


def test_points_table_reads_the_ledger_and_names_the_rule_behind_each_point(world, work):
    for month in (9, 10):
        Visit.objects.create(village=world.fq1, pairing=work.pairings["fq1"],
                             date=date(2026, month, 5), visitor="领导", purpose="走访",
                             logged_by=world.users["zhuji"])
    LedgerItem.objects.filter(pk=work.items["fq1"].pk).update(due=date(2026, 10, 15))
    Case.objects.filter(pk=work.cases["fq1"].pk).update(
        status="moved_up", outcome="moved_up", outcome_override_reason="县委研判晋位",
        outcome_at=timezone.make_aware(datetime(2026, 10, 20, 9)))
    for month in (Month(2026, 9), Month(2026, 10)):
        points_posting.post_month(month=month)
    [row] = [r for r in points_summary.points_table(world.users["zhuji"], year=2026)
             if r.person == work.pairings["fq1"].partner_person]
    assert {(line.rule.code, line.count, line.points) for line in row.lines} == {
        ("visit_month", 2, 2), ("ledger_overdue", 1, -1), ("case_moved_up", 1, 10)}
    assert row.total == 11 and row.villages == ["枫源村"]
    assert points_summary.points_table(world.users["zhuji"], year=2025) == []


def test_dashboard_shows_the_rectification_figures_with_links(world, work, login):
    LedgerItem.objects.filter(pk=work.items["fq1"].pk).update(overdue=True)
    rate(world, world.fq1, "2026-11-H1", "red")
    page = login("zhuji").get("/").content.decode()
    assert 'href="/cases/?status=rectifying" data-figure="2">2<' in page
    assert 'href="/ledger/?overdue=true"' in page and work.items["fq1"].problem in page
    assert 'href="/village-list' not in page
    assert '/roster/?period=2026-11-H1&amp;color=red"' in page
    assert "<svg" in page and "polyline" in page
    assert 'href="/compliance/?month=2026-10#instructor_days"' in page
    # 店口镇 has an open case and no rating for 2026-11-H1: late.
    assert "店口镇" in page.split('id="dash-late"')[1]


def test_township_official_dashboard_counts_only_the_township(world, work, login):
    page = login("fengqiao").get("/").content.decode()
    assert 'href="/cases/?status=rectifying" data-figure="1">1<' in page
    assert "湖西村" not in page


def build_villages(world, count, year=2025):
    """``count`` villages in 枫桥镇, every tenth backward with an open case and two items."""
    from villages.models import AnnualGrade, PartyBranch

    base = Village.objects.count()
    villages = Village.objects.bulk_create([
        Village(code=f"3306819{base + n:05d}", name=f"村{base + n}", township=world.fengqiao)
        for n in range(count)])
    branches = PartyBranch.objects.bulk_create([
        PartyBranch(village=v, name=f"{v.name}党支部") for v in villages])
    AnnualGrade.objects.bulk_create([
        AnnualGrade(branch=b, year=year, grade=Grade.POOR if i % 10 == 0 else Grade.GOOD)
        for i, b in enumerate(branches)])
    staff = world.users["zhuji"]
    cases = Case.objects.bulk_create([
        Case(village=v, source="grade", status=CaseStatus.RECTIFYING, opened_by=staff,
             opened_at=timezone.now(), confirmed_at=timezone.now())
        for i, v in enumerate(villages) if i % 10 == 0])
    LedgerItem.objects.bulk_create([
        LedgerItemFactory.build(village_id=c.village_id, case=c, number=n, listed_by=staff,
                                listed_at=timezone.make_aware(datetime(2026, 3 + n, 1)),
                                overdue=n == 1)
        for c in cases for n in (1, 2)])


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/", "/ledger/", "/ledger/?overdue=true", "/cases/",
                                 "/compliance/", "/api/v1/ledger-items/?page_size=500"])
def test_pages_run_a_constant_number_of_queries(world, work, login, url):
    client = login("zhuji")
    # One overdue item in the small world too, so both runs fill a page.
    LedgerItem.objects.filter(pk=work.items["fq1"].pk).update(overdue=True)
    client.get(url)  # the periods' rosters are made on first access (a one-time write)
    small = count_queries(client, url)
    build_villages(world, 300)
    assert count_queries(client, url) == small


def test_dashboard_and_ledger_list_queries_on_20000_villages(world, work, login,
                                                             django_assert_max_num_queries):
    build_villages(world, 20_000)
    client = login("zhuji")
    client.get("/")  # the periods' rosters are made on first access (a one-time write)
    with django_assert_max_num_queries(40):
        page = client.get("/").content.decode()
    assert 'href="/cases/?status=rectifying" data-figure="2002">2002<' in page
    with django_assert_max_num_queries(12):
        response = client.get("/ledger/?page_size=200")
    assert response.context["page"].paginator.count == 4002
    with django_assert_max_num_queries(12):
        assert client.get("/ledger/?overdue=true").context["page"].paginator.count == 2000
