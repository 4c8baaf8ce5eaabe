"""Demo quarterly evaluations: an illustrative 111-indicator set and four quarters of scores.

The catalogue is **illustrative (示例)**: the report names Zhuji's 111 indicators but does not
list them, so these follow its eight themes and are not an official text. Every village gets
scores for 2025Q4–2026Q3, drawn from a random stream seeded by the builder's seed and the
village code, so a village's scores do not depend on which other villages exist and loading
again adds only what is missing. The 较差 (poor) branches score low and mostly land in class 3;
about a third of them improve quarter by quarter and climb out of the warning zone.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.periods import Quarter, parse_quarter
from earlywarning import catalogue, scoring, tiering
from earlywarning.models import QuarterApproval
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    Indicator,
    IndicatorSet,
    TrackingAssignment,
)
from earlywarning.scorerows import write_score_rows
from villages.models import (
    AnnualGrade,
    Grade,
    LineageLink,
    Post,
    PostAssignment,
    Region,
    RegionLevel,
    Role,
    Village,
)

QUARTERS = ("2025Q4", "2026Q1", "2026Q2", "2026Q3")
SET_YEAR = 2025
SET_NAME = "村级组织运行情况量化评价指标（示例）"

# Eight themes of Zhuji's evaluation; 111 items. The first number is each item's maximum: 22
# half-point items and 89 one-point items make 100 points. Items marked "-" are deductions.
CATALOGUE = [
    ("组织建设", [
        ("班子建设", ["村党组织班子配备齐全", "班子成员分工明确", "班子团结协作", "书记履职尽责",
                  "“三会一课”按时开展", "主题党日每月开展", "组织生活会规范召开",
                  "民主评议党员开展"]),
        ("阵地建设", ["党群服务中心规范建设", "党建阵地日常开放", "党务公开栏及时更新",
                  "党建资料台账规范", "村级组织换届规范", "村规民约修订完善",
                  "党组织领导作用发挥", "上级部署任务落实"]),
    ]),
    ("干部队伍", [
        ("村干部", ["村干部坐班值班", "村干部年度述职", "村干部廉洁自律", "村干部学历结构",
                 "村干部年龄结构", "村干部培训参训率", "村干部联系群众"]),
        ("后备力量", ["后备干部2至3名", "书记后备人选明确", "后备干部培养计划", "年轻干部比例",
                  "驻村指导员在村天数", "第一书记作用发挥", "结对干部走访"]),
    ]),
    ("党员管理", [
        ("党员教育", ["党员集中学习", "党员远程教育", "流动党员管理", "党员示范岗设立",
                  "党员承诺践诺", "党员设岗定责", "无职党员作用发挥", "党员联系农户不少于10户"]),
        ("党员发展", ["发展党员计划完成", "入党积极分子培养", "党费按时足额收缴", "党员档案管理",
                  "老党员关爱", "党员星级评定", "不合格党员处置"]),
    ]),
    ("民主管理", [
        ("决策程序", ["阳光村务八步工作法执行", "重大事项民主决策", "村民代表会议召开",
                  "党员大会审议", "联签联章制度执行", "决议公开"]),
        ("公开监督", ["村务公开及时", "财务公开规范", "党务公开规范", "村务监督委员会履职",
                  "群众满意度测评", "民主评议村干部", "信息公开平台使用", "议事记录完整"]),
    ]),
    ("三资管理", [
        ("资金", ["财务制度健全", "资金审批规范", "票据管理规范", "现金管理合规",
                "离任审计完成"]),
        ("资产资源", ["任期审计完成", "资产台账完整", "资源发包公开", "合同管理规范",
                  "债务化解进度", "违规资金清收", "工程项目招投标", "专项资金使用"]),
    ]),
    ("集体经济", [
        ("收入", ["村级集体经济收入", "经营性收入增长", "人均可支配收入", "集体经济项目",
                "结对企业帮扶项目", "惠民工程落实"]),
        ("发展", ["发展规划制定", "特色产业培育", "村企结对", "股份合作社运行",
                "物业经济开发", "消薄任务完成"]),
    ]),
    ("服务群众", [
        ("便民服务", ["便民服务代办", "服务窗口开放", "群众办事满意度", "困难群众帮扶",
                  "留守老人儿童关爱", "医疗养老服务", "文化活动开展"]),
        ("人居环境", ["环境卫生整治", "垃圾分类落实", "道路设施维护", "饮水安全保障",
                  "志愿服务开展", "网格化管理", "民情日记记录"]),
    ]),
    ("和谐稳定", [
        ("矛盾化解", ["矛盾纠纷排查调处", "领导接访问题办结", "历史遗留问题化解",
                  "人民调解组织运行", "平安创建", "法治宣传"]),
        ("安全稳定", ["安全生产检查", "防汛防台准备", "消防安全", "禁毒宣传",
                  "-越级上访扣分", "-群体性事件扣分", "-违法违纪问题扣分"]),
    ]),
]
# Items (by position) worth half a point; the rest are worth one. 22 × 0.5 + 89 × 1 = 100.
HALF_POINT_POSITIONS = frozenset(range(5, 111, 5))
TENTHS = [(Decimal(n) / 10).quantize(Decimal("0.01")) for n in range(11)]
# Villages written per step: bounds the model instances held at once for a province.
CHUNK = 10_000


@dataclass
class DemoScoresReport:
    indicator_sets: int = 0
    evaluations: int = 0
    scores: int = 0


def build_indicator_sets() -> list[IndicatorSet]:
    """One illustrative set per city that has villages (绍兴市 and 宁波市 in the demo)."""
    sets = []
    for city in Region.objects.filter(level=RegionLevel.CITY).order_by("code"):
        indicator_set, created = IndicatorSet.objects.get_or_create(
            region=city, year=SET_YEAR, name=SET_NAME,
            defaults={"is_illustrative": True, "description": (
                "示例指标：按诸暨“111项指标”量化评价的八个方面编写，仅用于演示，不是正式文件。")})
        if created:
            Indicator.objects.bulk_create(_indicators(indicator_set))
        sets.append(indicator_set)
    return sets


def _indicators(indicator_set: IndicatorSet) -> list[Indicator]:
    items, position = [], 0
    letters = "ABCDEFGH"
    for letter, (category, groups) in zip(letters, CATALOGUE, strict=True):
        number = 0
        for subcategory, names in groups:
            for name in names:
                position += 1
                number += 1
                deduction = name.startswith("-")
                items.append(Indicator(
                    indicator_set=indicator_set, code=f"{letter}{number:02d}", position=position,
                    category=category, subcategory=subcategory, name=name.lstrip("-"),
                    description=("扣分项：填写扣除的分数。" if deduction else ""),
                    max_score=Decimal("0.5") if position in HALF_POINT_POSITIONS else Decimal(1),
                    higher_is_better=not deduction))
    if len(items) != 111:
        raise AssertionError(f"the demo catalogue must have 111 indicators, not {len(items)}")
    return items


class _Village:
    """A village's latent strength and its seeded stream of scores."""

    def __init__(self, seed: int, village_id: int, code: str, grade: str | None):
        self.rng = random.Random(f"{seed}:scores:{code}")
        base = {Grade.GOOD: 0.88, Grade.FAIRLY_GOOD: 0.8, Grade.AVERAGE: 0.72,
                Grade.POOR: 0.5}.get(grade, 0.76)
        self.strength = base + self.rng.gauss(0, 0.05)
        # A third of the backward villages improve every quarter (晋位升级).
        self.climbs = grade == Grade.POOR and self.rng.random() < 0.35
        self.village_id = village_id

    def tenths(self, quarter_index: int, indicators: list[Indicator]) -> bytes:
        rng = self.rng
        strength = self.strength + rng.gauss(0, 0.02)
        if self.climbs:
            strength += 0.09 * quarter_index
        values = []
        for indicator in indicators:
            top = 5 if indicator.max_score == Decimal("0.5") else 10
            share = min(1.0, max(0.0, rng.gauss(strength, 0.15)))
            if not indicator.higher_is_better:
                share = 1.0 - share
            values.append(round(share * top))
        return bytes(values)


def _total(tenths: bytes, indicators: list[Indicator]) -> Decimal:
    # In tenths of a point (the demo's indicators weigh 1), summed as integers for speed.
    points = 0
    for value, indicator in zip(tenths, indicators, strict=True):
        top = 5 if indicator.max_score == Decimal("0.5") else 10
        points += scoring.points(value, max_score=top,
                                 higher_is_better=indicator.higher_is_better)
    return Decimal(points) / 10


@transaction.atomic
def build_demo_scores(*, seed: int) -> DemoScoresReport:
    """Create what is missing of the four demo quarters, and tier every county for each."""
    report = DemoScoresReport()
    sets = {s.region_id: s for s in build_indicator_sets()}
    report.indicator_sets = len(sets)
    indicators = {region_id: list(s.indicators.order_by("position", "code"))
                  for region_id, s in sets.items()}
    # The demo quarters end before the demo's lineage events: a village a merger or split
    # retired was scored then, one a split created did not exist yet.
    links = LineageLink.objects.values("village_id")
    villages = [row for row in Village.objects.filter(
        Q(is_active=True) | Q(code__in=links.filter(retired=True)))
        .exclude(code__in=links.filter(created=True)).values_list(
        "pk", "code", "township__parent_id", "township__parent__parent_id").order_by("code")
        if row[3] in sets]
    latest_year = AnnualGrade.objects.latest_year()
    grades = dict(AnnualGrade.objects.filter(year=latest_year).values_list(
        "branch__village_id", "grade"))
    done = set(Evaluation.objects.filter(quarter__in=QUARTERS).values_list(
        "village_id", "quarter"))
    # Every quarter of a village is drawn at once from its own stream and kept as bytes: a
    # province's 100,000 live generators would hold 250 MB.
    tenths = {}
    for pk, code, _county, city_id in villages:
        stream = _Village(seed, pk, code, grades.get(pk))
        tenths[pk] = [stream.tenths(index, indicators[city_id])
                      for index in range(len(QUARTERS))]
    approvers = _county_approvers()
    for index, text in enumerate(QUARTERS):
        todo = [row for row in villages if (row[0], text) not in done]
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start:start + CHUNK]
            _write_quarter(index, chunk, {pk: tenths[pk][index] for pk, *_rest in chunk},
                           sets, indicators, approvers, report)
        if todo:
            tiering.tier_counties(quarter=parse_quarter(text))
    for indicator_set in sets.values():
        catalogue.freeze(indicator_set)
    if report.evaluations:
        _name_tracking_people()
    return report


def _write_quarter(index, villages, tenths, sets, indicators, approvers, report) -> None:
    """Evaluations, scores and events of one quarter for a chunk of villages."""
    text = QUARTERS[index]
    new = [Evaluation(village_id=pk, county_id=county_id, quarter=text,
                      indicator_set=sets[city_id], total=_total(tenths[pk], indicators[city_id]))
           for pk, _code, county_id, city_id in villages]
    _stamp(new, parse_quarter(text), approvers, last=index == len(QUARTERS) - 1)
    Evaluation.objects.bulk_create(new, batch_size=5000)
    ids = dict(Evaluation.objects.filter(quarter=text, village_id__in=list(tenths))
               .values_list("village_id", "pk"))
    city_of = {pk: city_id for pk, _code, _county, city_id in villages}
    report.scores += write_score_rows(_score_rows(tenths, ids, city_of, indicators))
    report.evaluations += len(new)
    _events(new, ids)
    _record_approvals(new, parse_quarter(text))


def _score_rows(tenths, ids, city_of, indicators):
    for village_id, values in tenths.items():
        evaluation_id = ids[village_id]
        for value, indicator in zip(values, indicators[city_of[village_id]], strict=True):
            yield evaluation_id, indicator.pk, TENTHS[value], indicator.max_score


def _county_approvers() -> dict[int, object]:
    User = get_user_model()
    return {user.region_id: user for user in User.objects.filter(role=Role.COUNTY_STAFF)}


def _stamp(evaluations, quarter: Quarter, approvers, *, last: bool) -> None:
    """Past quarters are approved; the latest is submitted and awaits the county."""
    tz = timezone.get_current_timezone()
    submitted = timezone.make_aware(datetime.combine(quarter.end, time(17, 0)), tz)
    approved = timezone.make_aware(datetime.combine(quarter.next().start, time(10, 0)), tz)
    for evaluation in evaluations:
        evaluation.submitted_at = submitted
        if last:
            evaluation.status = EvaluationStatus.SUBMITTED
        else:
            evaluation.status = EvaluationStatus.APPROVED
            evaluation.approved_at = approved
            evaluation.approved_by = approvers.get(evaluation.county_id)


def _record_approvals(evaluations, quarter: Quarter) -> None:
    """Each county's approved quarter, as ``approvals.record`` would have written it when the
    county approved its last evaluation: only approved quarters move the warning roster."""
    approved = {}
    for evaluation in evaluations:
        if evaluation.status == EvaluationStatus.APPROVED:
            approved.setdefault(evaluation.county_id, evaluation)
    QuarterApproval.objects.bulk_create([QuarterApproval(
        county_id=county_id, quarter=str(quarter), approved_at=evaluation.approved_at,
        approved_by=evaluation.approved_by) for county_id, evaluation in approved.items()],
        ignore_conflicts=True)


def _events(evaluations, ids) -> None:
    events = []
    for evaluation in evaluations:
        pk = ids[evaluation.village_id]
        events.append(EvaluationEvent(evaluation_id=pk, action=EvaluationEvent.Action.SUBMITTED))
        if evaluation.status == EvaluationStatus.APPROVED:
            events.append(EvaluationEvent(evaluation_id=pk, action=EvaluationEvent.Action.APPROVED,
                                          actor=evaluation.approved_by))
    EvaluationEvent.objects.bulk_create(events, batch_size=5000)


def _name_tracking_people() -> None:
    """Where a warned village has a stationed instructor, the instructor follows it."""
    open_ones = TrackingAssignment.objects.filter(closed_at__isnull=True, person__isnull=True)
    instructors = dict(PostAssignment.objects.current().filter(
        post=Post.STATIONED_INSTRUCTOR, village__in=open_ones.values("village_id"))
        .values_list("village_id", "person_id"))
    now = timezone.now()
    assignments = list(open_ones.filter(village_id__in=list(instructors)))
    for assignment in assignments:
        assignment.person_id = instructors[assignment.village_id]
        assignment.assigned_at = now
    TrackingAssignment.objects.bulk_update(assignments, ["person", "assigned_at"],
                                           batch_size=1000)
