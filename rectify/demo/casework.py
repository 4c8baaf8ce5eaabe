"""Demo rectification work at the report's scale, built from the demo builder's random stream.

- a case for every backward village (较差 in the latest grading), confirmed, with problem
  types, methods, a one-village-one-policy plan and a ledger of 2–4 items, about half of them
  struck off with a small real evidence file under MEDIA_ROOT;
- 17 help teams in 嵊州市, each led by a city leader with a responsible person, a member and a
  liaison, the county's backward villages divided among them, two coordination meetings each;
- 14 five-star ↔ weak village pairs in 新昌县;
- a paired county leader for every backward village in 绍兴市 with monthly visits, department
  pairings with 0–2 welfare projects, enterprise pairings with funds in 余姚市;
- day logs for every stationed instructor for three months (a few under 20 days);
- 百日集中整转 in 余姚市 (100 days, target 80%) ending near its target.

Only villages created in this run are touched, so a second ``load_demo`` adds nothing.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from casework import ledger, targets
from casework.evidence import store_bytes
from casework.models import (
    Campaign,
    Case,
    CaseMeasure,
    CaseSource,
    CaseStatus,
    CoordinationMeeting,
    HelpTeam,
    HelpTeamMember,
    HelpTeamVillage,
    HouseholdContact,
    InstructorDays,
    LedgerItem,
    LedgerStatus,
    MeasureKind,
    Method,
    Pairing,
    PairingKind,
    PersonnelMeasure,
    ProblemGroup,
    ProblemType,
    Project,
    ProjectKind,
    ProjectStatus,
    TeamRole,
    Visit,
)
from rectify.demo.common import DEMO_PASSWORD, person_name
from villages.models import (
    AnnualGrade,
    Grade,
    Person,
    Post,
    PostAssignment,
    Region,
    Role,
    Village,
)

HELP_TEAMS = 17
XINCHANG_PAIRS = 14
OVERRIDE = "县委组织部综合研判：整改事项全部销号，党员群众评议满意"
CAMPAIGN_NAME = "百日集中整转"
CAMPAIGN_START = date(2026, 7, 1)
CAMPAIGN_TARGET = Decimal("0.80")
CAMPAIGN_MOVED_UP_SHARE = 0.78
DAY_MONTHS = ("2026-08", "2026-09", "2026-10")
VISIT_MONTHS = ((2026, 6), (2026, 7), (2026, 8), (2026, 9), (2026, 10))
GRADE_YEAR = 2025

PROBLEMS = {
    "soft": ["书记长期不在岗", "班子不团结、战斗力弱", "组织生活不规范"],
    "chaotic": ["信访积案未化解", "宅基地纠纷反复", "群体性上访苗头"],
    "scattered": ["三务公开不及时", "未落实联签联章", "村民代表会议不规范"],
    "weak": ["集体经济无稳定收入", "村级债务偏高", "物业出租收益低"],
    "lax_organization": ["班子软弱涣散", "党员长期不参加组织生活"],
    "chaotic_assets": ["三资台账混乱", "离任审计未完成", "应收款未清收"],
    "autocratic_decisions": ["重大事项未经八步法", "决策不公开"],
    "weak_economy": ["经营性收入不足10万元", "人均可支配收入低"],
    "legacy_problems": ["征地遗留问题", "历史欠款纠纷"],
    "interest_imbalance": ["低保评定争议", "项目分配不均"],
    "loose_membership": ["党员评议未开展", "五亮制度未落实"],
    "missing_services": ["党员责任区未划分", "便民服务缺位"],
    "no_successors": ["后备干部不足", "书记后备人选空缺"],
}
MEASURES = ["调整配强村班子", "落实三务公开", "清理三资台账", "引进结对项目增收",
            "化解信访积案", "建立党员责任区", "培养后备干部", "规范民主决策程序"]
DEPARTMENTS = ["县农业农村局", "县财政局", "县交通运输局", "县水利局", "县民政局",
               "县住建局", "县供电公司", "县卫健局"]
ENTERPRISES = ["万丰奥特集团", "三花控股", "京新药业", "日发集团", "舜宇光学", "方太厨具",
               "公牛集团", "宁波远洋渔业"]
PROJECTS = ["村道硬化", "文化礼堂修缮", "饮用水提升", "路灯亮化", "来料加工点", "光伏发电",
            "农产品冷库", "民宿改造"]

# A minimal valid PNG (1×1 pixel); each file gets its own text chunk so contents differ.
PNG_HEAD = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                         "1f15c489")
PNG_TAIL = bytes.fromhex("0000000d49444154789c6360000002000185d4d0c60000000049454e44ae426082")


def evidence_pdf(title: str) -> bytes:
    text = title.encode("ascii", "replace")
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 80]>>endobj\n"
            b"% " + text + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def evidence_png(title: str) -> bytes:
    import struct
    import zlib

    data = b"Comment\x00" + title.encode("ascii", "replace")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    return PNG_HEAD + chunk + PNG_TAIL


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 30)))


class RectifyDemo:
    def __init__(self, builder, villages: list[Village]):
        self.rng = builder.rng
        self.builder = builder
        self.villages = villages
        self.ids = {v.pk for v in villages}
        self.today = timezone.localdate()

    # --- helpers ------------------------------------------------------------------------------

    def actor_for(self, village: Village):
        return self.yuyao_user if village.code.startswith("330281") else self.city_user

    def person(self, region: Region, employer: str) -> Person:
        return Person(name=person_name(self.rng), region=region, employer=employer,
                      is_party_member=True)

    def choose(self, seq, k):
        return self.rng.sample(list(seq), k=min(k, len(seq)))

    # --- build --------------------------------------------------------------------------------

    def build(self) -> None:
        User = get_user_model()
        self.city_user = User.objects.filter(username="city").first()
        if self.city_user is None:
            return
        yuyao = Region.objects.filter(code="330281000000").first()
        self.yuyao_user = self.city_user
        if yuyao is not None:
            self.yuyao_user, created = User.objects.get_or_create(
                username="yuyao", defaults={"first_name": "余姚市委组织部",
                                            "role": Role.COUNTY_STAFF, "region": yuyao,
                                            "is_staff": True})
            if created:
                self.yuyao_user.set_password(DEMO_PASSWORD)
                self.yuyao_user.save(update_fields=["password"])
            self.builder.report.users.append("yuyao")
        self.types = {t.code: t for t in ProblemType.objects.all()}
        poor_ids = set(AnnualGrade.objects.filter(
            year=GRADE_YEAR, grade=Grade.POOR, branch__village__in=self.ids)
            .values_list("branch__village_id", flat=True))
        self.backward = [v for v in self.villages if v.pk in poor_ids]
        self.campaign = self.build_campaign(yuyao)
        self.cases = self.build_cases()
        self.build_ledgers()
        self.build_help_teams()
        self.build_pairings()
        self.build_instructor_days()
        self.build_personnel()
        ledger.flag_overdue()

    def build_campaign(self, yuyao):
        if yuyao is None or not any(v.code.startswith("330281") for v in self.backward):
            return None
        campaign, _ = Campaign.objects.get_or_create(
            region=yuyao, name=CAMPAIGN_NAME, start=CAMPAIGN_START,
            defaults={"end": CAMPAIGN_START + timedelta(days=100),
                      "target_share": CAMPAIGN_TARGET})
        return campaign

    def build_cases(self) -> dict[int, Case]:
        rng = self.rng
        classification = [t for t in self.types.values()
                          if t.group == ProblemGroup.CLASSIFICATION]
        yuyao_types = [t for t in self.types.values() if t.group == ProblemGroup.YUYAO]
        in_campaign = [v for v in self.backward if v.code.startswith("330281")]
        moved_in_campaign = set(v.pk for v in self.choose(
            in_campaign, round(len(in_campaign) * CAMPAIGN_MOVED_UP_SHARE)))
        cases, links, measures = [], [], []
        for village in self.backward:
            is_yuyao = village.code.startswith("330281")
            opened = date(2026, 2, 1) + timedelta(days=rng.randint(0, 50))
            if is_yuyao:
                opened = CAMPAIGN_START - timedelta(days=rng.randint(5, 20))
                status = CaseStatus.MOVED_UP if village.pk in moved_in_campaign else (
                    CaseStatus.NOT_MOVED_UP)
            else:
                status = rng.choices([CaseStatus.RECTIFYING, CaseStatus.MOVED_UP,
                                      CaseStatus.NOT_MOVED_UP, CaseStatus.OPENED],
                                     weights=[62, 28, 5, 5])[0]
            outcome = status if status in (CaseStatus.MOVED_UP, CaseStatus.NOT_MOVED_UP) else ""
            outcome_day = (CAMPAIGN_START + timedelta(days=rng.randint(40, 99)) if is_yuyao
                           else date(2026, rng.randint(5, 11), rng.randint(1, 20)))
            actor = self.actor_for(village)
            case = Case(
                village=village, campaign=self.campaign if is_yuyao else None,
                source=CaseSource.GRADE, status=status,
                methods=self.choose(Method.values, rng.randint(2, 4)),
                summary=f"{village.name}{GRADE_YEAR}年度定级为较差，列入整顿转化对象。",
                opened_by=actor, opened_at=at(opened), confirmed_by=actor,
                confirmed_at=at(opened + timedelta(days=3)), outcome=outcome,
                outcome_at=at(outcome_day) if outcome else None,
                # Settled against the ratings once they exist (``settle_outcomes``).
                outcome_override_reason=OVERRIDE if outcome == CaseStatus.MOVED_UP else "")
            cases.append(case)
            chosen = self.choose(yuyao_types if is_yuyao else classification, rng.randint(1, 3))
            links.append((case, chosen))
        Case.objects.bulk_create(cases, batch_size=2000)
        through = Case.problem_types.through
        through.objects.bulk_create([through(case_id=case.pk, problemtype_id=t.pk)
                                     for case, chosen in links for t in chosen], batch_size=5000)
        for case, chosen in links:
            case.demo_types = chosen
            for n in range(rng.randint(2, 3)):
                due = date(2026, rng.randint(4, 12), rng.randint(1, 28))
                done = case.status != CaseStatus.OPENED and due < self.today and rng.random() < .8
                measures.append(CaseMeasure(
                    case=case, problem_type=chosen[n % len(chosen)],
                    description=rng.choice(MEASURES), owner=rng.choice(
                        ["村党支部", "乡镇党委", "驻村指导员", "结对部门"]), due=due,
                    done=done, done_on=due if done else None))
        CaseMeasure.objects.bulk_create(measures, batch_size=5000)
        return {case.village_id: case for case in cases}

    def build_ledgers(self) -> None:
        rng = self.rng
        items, stored = [], []
        for village in self.backward:
            case = self.cases[village.pk]
            actor = self.actor_for(village)
            for number in range(1, rng.randint(2, 4) + 1):
                problem_type = rng.choice(case.demo_types)
                listed = case.confirmed_at + timedelta(days=rng.randint(1, 20))
                due = listed.date() + timedelta(days=rng.randint(60, 240))
                # A village that moved up has struck off its whole ledger.
                if case.status == CaseStatus.MOVED_UP:
                    status = LedgerStatus.STRUCK_OFF
                elif case.status == CaseStatus.OPENED:
                    status = LedgerStatus.LISTED
                else:
                    status = rng.choices(list(LedgerStatus.values), weights=[25, 35, 40])[0]
                item = LedgerItem(
                    village=village, case=case, number=number,
                    problem=rng.choice(PROBLEMS[problem_type.code]), problem_type=problem_type,
                    responsible=rng.choice(["村党支部书记", "驻村指导员", "乡镇联村干部",
                                            "村委会主任"]),
                    due=due, status=status, listed_by=actor, listed_at=listed)
                if status != LedgerStatus.LISTED:
                    item.started_at = listed + timedelta(days=rng.randint(3, 20))
                if status == LedgerStatus.STRUCK_OFF:
                    done = min(item.started_at + timedelta(days=rng.randint(20, 150)),
                               at(self.today - timedelta(days=1)))
                    item.struck_off_at = max(done, item.started_at)
                    item.resolution = f"已整改到位：{item.problem}问题解决，经乡镇党委验收。"
                    item.verified_by = actor
                    title = f"{village.code}-{number} rectified"
                    if number % 2:
                        content, ext, kind = evidence_pdf(title), "pdf", "application/pdf"
                    else:
                        content, ext, kind = evidence_png(title), "png", "image/png"
                    stored.append((item, content, ext, kind))
                items.append(item)
        for item, content, ext, kind in stored:
            item.evidence = store_bytes(content=content, name=f"整改验收-{item.number}.{ext}",
                                        ext=ext, content_type=kind, village=item.village,
                                        actor=item.verified_by)
        LedgerItem.objects.bulk_create(items, batch_size=2000)

    def build_help_teams(self) -> None:
        rng = self.rng
        county = Region.objects.filter(code="330683000000").first()  # 嵊州市
        city = Region.objects.filter(code="330600000000").first()
        if county is None or city is None:
            return
        villages = [v for v in self.villages if v.township.parent_id == county.pk]
        if not villages:
            return
        backward = [v for v in villages if v.pk in self.cases]
        others = [v for v in villages if v.pk not in self.cases]
        covered = backward + self.choose(others, max(HELP_TEAMS * 2, 0))
        people, teams, members = [], [], []
        for n in range(HELP_TEAMS):
            lead = self.person(city, "绍兴市领导")
            people.append(lead)
            team = HelpTeam(county=county, name=f"嵊州市第{n + 1}帮扶团队", lead=lead,
                            formed_on=date(2026, 3, 1))
            teams.append(team)
            for role, unit in ((TeamRole.RESPONSIBLE, "乡镇党委书记"),
                               (TeamRole.RESPONSIBLE, rng.choice(DEPARTMENTS) + "局长"),
                               (TeamRole.MEMBER, rng.choice(ENTERPRISES)),
                               (TeamRole.LIAISON, "市委组织部")):
                person = self.person(county, unit)
                people.append(person)
                members.append(HelpTeamMember(team=team, person=person, role=role, unit=unit))
        Person.objects.bulk_create(people, batch_size=2000)
        for team in teams:
            team.lead_id = team.lead.pk
        HelpTeam.objects.bulk_create(teams)
        for member in members:
            member.team_id, member.person_id = member.team.pk, member.person.pk
        HelpTeamMember.objects.bulk_create(members)
        HelpTeamVillage.objects.bulk_create([
            HelpTeamVillage(team=teams[i % HELP_TEAMS], village=v)
            for i, v in enumerate(covered)])
        meetings = [CoordinationMeeting(team=team, date=date(2026, month, 10),
                                        decisions=decision)
                    for team in teams for month, decision in (
                        (4, "分片包干到村，明确责任人和整改时限"),
                        (9, "通报整转进度，未见效村不撤离，调整帮扶项目"))]
        CoordinationMeeting.objects.bulk_create(meetings)
        through = CoordinationMeeting.attendees.through
        by_team = {}
        for member in members:
            by_team.setdefault(member.team.pk, []).append(member.person.pk)
        through.objects.bulk_create([
            through(coordinationmeeting_id=m.pk, person_id=pid)
            for m in meetings for pid in [m.team.lead.pk, *by_team[m.team.pk]]])

    def build_pairings(self) -> None:
        rng = self.rng
        pairings, visits, projects, people = [], [], [], []
        shaoxing_backward = [v for v in self.backward if v.code.startswith("3306")]
        for village in shaoxing_backward:
            county = village.township.parent
            leader = self.person(county, f"{county.name}副处级领导")
            people.append(leader)
            pairing = Pairing(kind=PairingKind.LEADER, village=village, partner_person=leader,
                              start=date(2026, 3, 1),
                              commitments="每月至少走访一次，帮助理清发展思路")
            pairings.append(pairing)
            for year, month in VISIT_MONTHS:
                # Most leaders visit every month; a few miss the last one (a breach to see).
                if (year, month) == VISIT_MONTHS[-1] and rng.random() < 0.15:
                    continue
                visits.append(Visit(village=village, pairing=pairing,
                                    date=date(year, month, rng.randint(1, 28)),
                                    visitor=leader.name, purpose=rng.choice(
                                        ["召开村班子会议，研究整改措施", "走访困难党员和群众",
                                         "协调结对项目落地", "督查台账销号进度"]),
                                    logged_by=self.actor_for(village)))
            if rng.random() < 0.6:
                department = Pairing(kind=PairingKind.DEPARTMENT, village=village,
                                     partner_name=f"{county.name}{rng.choice(DEPARTMENTS)[1:]}",
                                     start=date(2026, 3, 1), commitments="办好1至2件惠民实事")
                pairings.append(department)
                for _n in range(rng.choices([0, 1, 2], weights=[15, 45, 40])[0]):
                    projects.append(Project(
                        village=village, pairing=department, name=rng.choice(PROJECTS),
                        kind=ProjectKind.WELFARE, partner=department.partner_name,
                        funds=Decimal(rng.randint(5, 80) * 10_000),
                        status=rng.choice(ProjectStatus.values)))
        pairings += self.yuyao_enterprise_pairs(projects)
        pairings += self.xinchang_pairs()
        Person.objects.bulk_create(people, batch_size=2000)
        for pairing in pairings:
            if pairing.partner_person is not None:
                pairing.partner_person_id = pairing.partner_person.pk
        instructors = (PostAssignment.objects.filter(
            village__in=list(self.cases), post=Post.STATIONED_INSTRUCTOR, end__isnull=True)
            .select_related("person"))
        for post in instructors:
            pairings.append(Pairing(kind=PairingKind.INSTRUCTOR, village_id=post.village_id,
                                    partner_person_id=post.person_id, start=post.start,
                                    commitments="每月驻村不少于20天"))
        Pairing.objects.bulk_create(pairings, batch_size=2000)
        for row in visits + projects:
            row.pairing_id = row.pairing.pk
        Visit.objects.bulk_create(visits, batch_size=5000)
        Project.objects.bulk_create(projects, batch_size=5000)

    def yuyao_enterprise_pairs(self, projects: list[Project]) -> list[Pairing]:
        """余姚市's backward villages each paired with an enterprise, with 1–2 co-built
        projects (added to ``projects``)."""
        rng = self.rng
        pairings = []
        for village in [v for v in self.backward if v.code.startswith("330281")]:
            enterprise = Pairing(kind=PairingKind.ENTERPRISE, village=village,
                                 partner_name=rng.choice(ENTERPRISES), start=CAMPAIGN_START,
                                 commitments="村企结对，共建增收项目")
            pairings.append(enterprise)
            for _n in range(rng.randint(1, 2)):
                projects.append(Project(
                    village=village, pairing=enterprise, name=rng.choice(PROJECTS),
                    kind=ProjectKind.CO_BUILT, partner=enterprise.partner_name,
                    funds=Decimal(rng.randint(10, 60) * 5_000) + Decimal("0.85"),
                    status=rng.choice(ProjectStatus.values)))
        return pairings

    def xinchang_pairs(self) -> list[Pairing]:
        villages = [v for v in self.villages if v.code.startswith("330624")]
        if len(villages) < XINCHANG_PAIRS * 2:
            return []
        weak = [v for v in villages if v.pk in self.cases]
        weak += sorted((v for v in villages if v.pk not in self.cases),
                       key=lambda v: v.collective_income)[:max(XINCHANG_PAIRS - len(weak), 0)]
        weak = weak[:XINCHANG_PAIRS]
        weak_ids = {v.pk for v in weak}
        strong = sorted((v for v in villages if v.pk not in weak_ids),
                        key=lambda v: (-v.star_rating, -v.collective_income))[:XINCHANG_PAIRS]
        # The report pairs them with "five-star" villages.
        Village.objects.filter(pk__in=[v.pk for v in strong]).update(star_rating=5)
        return [Pairing(kind=PairingKind.STRONG_VILLAGE, village=w, partner_village=s,
                        start=date(2026, 3, 1), commitments="强村带弱村，共建产业项目")
                for w, s in zip(weak, strong, strict=True)]

    def build_instructor_days(self) -> None:
        rng = self.rng
        posts = PostAssignment.objects.filter(
            village__in=self.ids, post=Post.STATIONED_INSTRUCTOR, end__isnull=True).values_list(
            "person_id", "village_id", "start")
        rows = []
        for person_id, village_id, start in sorted(posts):
            for month in DAY_MONTHS:
                if start.strftime("%Y-%m") > month:
                    continue
                days = rng.randint(20, 26) if rng.random() > 0.08 else rng.randint(9, 19)
                rows.append(InstructorDays(person_id=person_id, village_id=village_id,
                                           month=month, days=days))
        InstructorDays.objects.bulk_create(rows, batch_size=5000)

    def build_personnel(self) -> None:
        rng = self.rng
        case_villages = list(self.cases)
        posts = (PostAssignment.objects.filter(village__in=case_villages)
                 .filter(Q(post=Post.SECRETARY, end__isnull=False)
                         | Q(post=Post.FIRST_SECRETARY) | Q(post=Post.COMMITTEE_MEMBER))
                 .order_by("village_id", "post", "start", "pk")
                 .values_list("pk", "person_id", "village_id", "post", "start", "end"))
        measures, contacts = [], []
        members_by_village = {}
        for pk, person_id, village_id, post, start, end in posts:
            case = self.cases[village_id]
            if post == Post.SECRETARY:
                measures.append(PersonnelMeasure(
                    village_id=village_id, case=case, kind=MeasureKind.SECRETARY_REPLACED,
                    person_id=person_id, post_id=pk, date=end, note="不胜任现职，组织调整"))
            elif post == Post.FIRST_SECRETARY:
                measures.append(PersonnelMeasure(
                    village_id=village_id, case=case, kind=MeasureKind.FIRST_SECRETARY_SENT,
                    person_id=person_id, post_id=pk, date=start))
            else:
                members_by_village.setdefault(village_id, []).append(person_id)
        for village_id, members in members_by_village.items():
            case = self.cases[village_id]
            if rng.random() < 0.3:
                measures.append(PersonnelMeasure(
                    village_id=village_id, case=case, kind=MeasureKind.ADMONITION_TALK,
                    person_id=members[0], date=date(2026, rng.randint(3, 9), 15),
                    note="诫勉谈话，限期整改"))
            for person_id in members:
                contacts.append(HouseholdContact(
                    village_id=village_id, member_id=person_id,
                    households=rng.randint(10, 16) if rng.random() > 0.1 else rng.randint(5, 9)))
        PersonnelMeasure.objects.bulk_create(measures, batch_size=5000)
        HouseholdContact.objects.bulk_create(contacts, batch_size=5000)


def build_rectification(builder, villages: list[Village]) -> None:
    """Called once from ``DemoBuilder.build()`` with the villages created in that run."""
    if not villages:
        return
    villages = list(Village.objects.filter(pk__in=[v.pk for v in villages])
                    .select_related("township__parent").order_by("code"))
    RectifyDemo(builder, villages).build()


def settle_outcomes() -> int:
    """Where the data shows a demo case's village moved up (its color improved and held, a better
    approved tier or grade), record that in place of the county's reason; the rest keep the
    county's reason, as a county would give it."""
    settled = 0
    for case in (Case.objects.filter(outcome=CaseStatus.MOVED_UP, outcome_evidence="")
                 .select_related("village__township")):
        evidence = targets.moved_up_evidence(case)
        if evidence:
            Case.objects.filter(pk=case.pk).update(outcome_evidence="\n".join(evidence),
                                                   outcome_override_reason="")
            settled += 1
    return settled
