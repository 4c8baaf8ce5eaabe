"""The warning roster as recorded fact: made once per half-month from the data as it stood,
changed only while open (county decisions, approved quarters, opened cases), frozen after."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from casework import cases
from casework.models import CaseSource
from core.errors import DomainError, NotAllowed
from core.periods import HalfMonth
from earlywarning import evaluations, ratings, roster
from earlywarning.models import (
    ChangeKind,
    DecisionAction,
    Evaluation,
    EvaluationStatus,
    IndicatorSet,
    QuarterApproval,
    RosterEntry,
    RosterPeriod,
    RosterReason,
)
from tests.conftest import SHANGHAI
from tests.earlywarning.factories import CLOSED, OPEN, rate
from villages.models import AnnualGrade, Grade

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def w(world, frozen):
    return world


def on(period: HalfMonth) -> set[str]:
    return {e.village.name for e in roster.entries(period).select_related("village")}


def evaluate(village, county, tier, *, quarter="2026Q3", status=EvaluationStatus.SUBMITTED):
    indicator_set, _ = IndicatorSet.objects.get_or_create(
        region=county.parent, year=2026, name="测试指标")
    return Evaluation.objects.create(
        village=village, county=county, quarter=quarter, indicator_set=indicator_set,
        tier=tier, total=50, status=status,
        submitted_at=None if status == EvaluationStatus.DRAFT else timezone.now())


def test_a_period_is_made_once_with_each_villages_reasons(w):
    roster.build(OPEN)
    roster.build(OPEN)

    assert RosterPeriod.objects.filter(period=str(OPEN)).count() == 1
    assert on(OPEN) == {"枫源村", "湖西村", "五星村"}
    entry = RosterEntry.objects.get(period=str(OPEN), village=w.fq1)
    assert [(r.kind, r.detail) for r in roster.reasons(entry)] == [
        (RosterReason.POOR_GRADE, "Graded 较差 in 2025")]
    assert (entry.township, entry.county) == (w.fengqiao, w.zhuji)


def test_a_past_period_is_made_from_the_data_as_the_period_began(w):
    AnnualGrade.objects.create(branch=w.dk2.party_branch, year=2025, grade=Grade.POOR,
                               graded_on=datetime(2026, 11, 10).date())
    assert "紫草坞村" not in on(CLOSED)  # graded on the 10th: after 2026-11-H1 began
    assert "紫草坞村" in on(OPEN)


def test_opening_a_case_puts_the_village_on_the_current_roster_only(w):
    roster.ensure(CLOSED)
    roster.ensure(OPEN)
    AnnualGrade.objects.create(branch=w.dk2.party_branch, year=2025, grade=Grade.POOR)

    case = cases.open_case(actor=w.users["zhuji"], village=w.dk2, source=CaseSource.GRADE)

    entry = RosterEntry.objects.get(period=str(OPEN), village=w.dk2)
    assert entry.open_case == case
    change = entry.changes.get()
    assert (change.kind, change.reason_kind, change.by) == (
        ChangeKind.ADDED, RosterReason.OPEN_CASE, None)
    assert "紫草坞村" not in on(CLOSED)


def test_the_county_removes_a_village_with_a_reason_and_it_is_no_longer_rated(w):
    roster.decide(actor=w.users["zhuji"], village=w.fq1, action=DecisionAction.REMOVE,
                  reason="已晋位升级，经县委研究退出预警")

    entry = RosterEntry.objects.get(period=str(OPEN), village=w.fq1)
    assert entry.removed_at is not None and entry.removal.reason.startswith("已晋位")
    change = entry.changes.get()
    assert (change.kind, change.by) == (ChangeKind.REMOVED, w.users["zhuji"])
    assert "枫源村" not in on(OPEN)
    with pytest.raises(ratings.RatingError):
        rate(w.users["fengqiao"], w.fq1, "green")
    # A later decision to add it back restores the same row, with the history kept.
    roster.decide(actor=w.users["zhuji"], village=w.fq1, action=DecisionAction.ADD,
                  reason="信访反弹，重新纳入")
    entry.refresh_from_db()
    assert entry.removed_at is None
    assert [c.kind for c in entry.changes.order_by("at", "pk")] == [
        ChangeKind.REMOVED, ChangeKind.RESTORED]


@pytest.mark.parametrize("who,reason,error", [
    ("fengqiao", "理由", NotAllowed),      # a township official
    ("shangyu", "理由", NotAllowed),       # another county
    ("zhuji", "  ", DomainError),         # no reason
])
def test_a_roster_change_is_refused_and_changes_nothing(w, who, reason, error):
    roster.ensure(OPEN)
    before = list(RosterEntry.objects.values_list("village_id", "removed_at"))
    with pytest.raises(error):
        roster.decide(actor=w.users[who], village=w.fq1, action=DecisionAction.REMOVE,
                      reason=reason)
    assert list(RosterEntry.objects.values_list("village_id", "removed_at")) == before


def test_a_closed_periods_roster_never_changes(w):
    roster.ensure(CLOSED)
    with pytest.raises(DomainError) as caught:
        roster.decide(actor=w.users["zhuji"], village=w.fq2, action=DecisionAction.ADD,
                      reason="补充纳入", period=CLOSED)
    assert caught.value.field == "period"
    assert on(CLOSED) == {"枫源村", "湖西村", "五星村"}
    # The standing decision was not recorded either: nothing half-saved.
    assert not w.fq2.roster_decisions.exists()


def test_a_lock_exception_reopens_the_townships_part_of_a_closed_roster(w):
    from earlywarning import locks

    roster.ensure(CLOSED)
    locks.grant_lock_exception(actor=w.users["zhuji"], township=w.fengqiao, period=CLOSED,
                               reason="系统故障补录")
    roster.decide(actor=w.users["zhuji"], village=w.fq2, action=DecisionAction.ADD,
                  reason="补充纳入", period=CLOSED)
    assert "栎桥村" in on(CLOSED)


def test_drafts_never_move_the_roster_and_an_approved_quarter_counts_for_its_county(w):
    roster.ensure(OPEN)
    for village in (w.fq2, w.dk2, w.fq1, w.dk1):
        evaluate(village, w.zhuji, 3 if village in (w.fq2, w.dk2) else 1)
    evaluate(w.bg2, w.shangyu, 3)
    evaluate(w.bg1, w.shangyu, 1, status=EvaluationStatus.DRAFT)
    assert on(OPEN) == {"枫源村", "湖西村", "五星村"}

    evaluations.approve_evaluations(actor=w.users["zhuji"], region=w.zhuji, quarter="2026Q3")

    assert QuarterApproval.objects.filter(county=w.zhuji, quarter="2026Q3").exists()
    assert not QuarterApproval.objects.filter(county=w.shangyu).exists()
    assert on(OPEN) == {"枫源村", "湖西村", "五星村", "栎桥村", "紫草坞村"}
    entry = RosterEntry.objects.get(period=str(OPEN), village=w.fq2)
    assert entry.class_three_quarter == "2026Q3"
    assert entry.changes.get().kind == ChangeKind.ADDED


def test_reopening_an_evaluation_withdraws_the_quarter_for_later_rosters_only(w):
    for village in (w.fq2, w.fq1, w.dk1, w.dk2):
        evaluate(village, w.zhuji, 3 if village == w.fq2 else 1)
    evaluations.approve_evaluations(actor=w.users["zhuji"], region=w.zhuji, quarter="2026Q3")
    evaluation = Evaluation.objects.get(village=w.fq2)

    evaluations.reopen_evaluation(actor=w.users["zhuji"], evaluation=evaluation,
                                  reason="分数录入有误")

    approval = QuarterApproval.objects.get(county=w.zhuji, quarter="2026Q3")
    assert approval.revoked_at is not None and approval.revoke_reason == "分数录入有误"
    assert "栎桥村" in on(OPEN)  # made while the quarter counted: it stays
    next_period = OPEN.next()
    roster.build(next_period, now=timezone.now() + timedelta(days=12))
    assert "栎桥村" not in on(next_period)


def test_the_beat_task_makes_the_new_period_once(w, time_machine):
    from earlywarning.tasks import make_roster

    time_machine.move_to(datetime(2026, 12, 1, 0, 5, tzinfo=SHANGHAI), tick=False)
    assert make_roster() == "2026-12-H1"
    assert make_roster() == "2026-12-H1"
    assert RosterPeriod.objects.filter(period="2026-12-H1").count() == 1


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/roster/", "/roster/?color=unrated",
                                 "/ratings/completeness/?period=2026-11-H2",
                                 "/api/v1/warning-roster/?period=2026-11-H2&page_size=500"])
def test_roster_pages_run_a_constant_number_of_queries(w, client, url):
    from tests.villages.factories import make_village

    client.force_login(w.users["zhuji"])
    client.get(url)  # the roster is made on first access
    small = count_queries(client, url)
    for n in range(60):
        village = make_village(w.fengqiao, code=f"330681108{300 + n}", name=f"新村{n}",
                               grade=Grade.POOR)
        roster.decide(actor=w.users["zhuji"], village=village, action=DecisionAction.ADD,
                      reason="批量纳入")
    assert count_queries(client, url) == small
