"""Deterministic demo data: 绍兴市 as the report describes it, plus 余姚市 (宁波市).

Region names are real (county-level units of 2012 and their townships); the 12-digit codes follow
the statistical scheme (city 3306, county 330681, township 330681xxx) but the township and village
numbers are illustrative. Village names, people and every figure are generated from ``seed``:
the same seed and size give the same rows. Loading twice changes nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from core.db import analyze
from core.periods import Month
from rectify.demo.bulletins import build_bulletins
from rectify.demo.casework import build_rectification, settle_outcomes
from rectify.demo.common import DEMO_PASSWORD, person_name
from rectify.demo.lineage import build_lineage
from rectify.demo.points import build_points
from rectify.demo.ratings import build_ratings
from rectify.demo.scores import build_demo_scores
from villages.models import (
    AnnualGrade,
    BranchKind,
    Gender,
    Grade,
    PartyBranch,
    Person,
    Post,
    PostAssignment,
    Region,
    RegionLevel,
    Role,
    Terrain,
    TownshipPost,
    TownshipPostKind,
    Village,
)

DEFAULT_VILLAGES = 2000
# The report: 95 branches graded 较差 in 绍兴市, 34 secretaries replaced, 27 first secretaries
# sent down, 1285 stationed instructors. Figures scale with --villages.
SHAOXING_POOR = 95
SECRETARIES_REPLACED = 34
FIRST_SECRETARIES = 27
INSTRUCTORS = 1285
GRADE_YEARS = (2023, 2024, 2025)
YUYAO_POOR_SHARE = 0.06
# Rows held at once before they are written (people, posts, grades): a province's do not fit.
PEOPLE_BATCH = 20_000
# A village's code numbers it within its township from 201 (three digits): the allocation puts
# up to about 1.5 times the average in one township, so the average stays below 500.
VILLAGES_PER_TOWNSHIP = 500

# (code, name, [(county code, name, [townships])]); townships are real names of 2012.
TREE = [
    ("330600000000", "绍兴市", [
        ("330602000000", "越城区", ["塔山街道", "府山街道", "北海街道", "城南街道", "稽山街道",
                                 "迪荡街道", "东湖镇", "鉴湖镇", "灵芝镇", "皋埠镇", "斗门镇",
                                 "马山镇"]),
        ("330621000000", "绍兴县", ["柯桥街道", "柯岩街道", "华舍街道", "湖塘街道", "齐贤镇",
                                 "安昌镇", "福全镇", "钱清镇", "杨汛桥镇", "兰亭镇", "平水镇",
                                 "王坛镇", "稽东镇", "夏履镇", "漓渚镇", "孙端镇", "陶堰镇",
                                 "富盛镇"]),
        ("330624000000", "新昌县", ["南明街道", "七星街道", "羽林街道", "沙溪镇", "澄潭镇",
                                 "梅渚镇", "大市聚镇", "小将镇", "儒岙镇", "回山镇", "镜岭镇",
                                 "东茗乡", "城南乡", "新林乡", "巧英乡", "双彩乡"]),
        ("330681000000", "诸暨市", ["暨阳街道", "浣东街道", "陶朱街道", "大唐镇", "次坞镇",
                                 "店口镇", "阮市镇", "江藻镇", "枫桥镇", "赵家镇", "马剑镇",
                                 "草塔镇", "牌头镇", "同山镇", "安华镇", "街亭镇", "璜山镇",
                                 "陈宅镇", "岭北镇", "五泄镇", "应店街镇", "山下湖镇",
                                 "东白湖镇", "东和乡", "王家井镇", "姚江镇", "浬浦镇"]),
        ("330682000000", "上虞市", ["百官街道", "曹娥街道", "东关街道", "道墟镇", "长塘镇",
                                 "上浦镇", "汤浦镇", "章镇镇", "下管镇", "丰惠镇", "永和镇",
                                 "梁湖镇", "驿亭镇", "谢塘镇", "盖北镇", "崧厦镇", "小越镇",
                                 "沥海镇", "岭南乡", "陈溪乡"]),
        ("330683000000", "嵊州市", ["剡湖街道", "三江街道", "鹿山街道", "浦口街道", "甘霖镇",
                                 "长乐镇", "崇仁镇", "黄泽镇", "三界镇", "石璜镇", "谷来镇",
                                 "仙岩镇", "金庭镇", "北漳镇", "下王镇", "贵门乡", "里南乡",
                                 "竹溪乡", "雅璜乡", "王院乡", "通源乡"]),
    ]),
    ("330200000000", "宁波市", [
        ("330281000000", "余姚市", ["凤山街道", "阳明街道", "梨洲街道", "兰江街道", "低塘街道",
                                 "朗霞街道", "临山镇", "黄家埠镇", "小曹娥镇", "泗门镇",
                                 "马渚镇", "牟山镇", "丈亭镇", "三七市镇", "河姆渡镇", "大隐镇",
                                 "陆埠镇", "梁弄镇", "大岚镇", "四明山镇", "鹿亭乡"]),
    ]),
]

MOUNTAIN_HINTS = ("山", "岭", "岙", "坑", "岩")
NAME_HEADS = "东西南北上下前后新大小石竹枫梅杨柳桃荷金龙凤青白黄里外中横"
NAME_TAILS = "山岭溪坞岙湾塘桥畈宅岸港坑岩田园林江浦墩村坂头口"
# The apps whose tables the demo fills (the user model lives in villages).
DEMO_APPS = ("villages", "casework", "earlywarning", "rectify")



@dataclass
class Report:
    regions: int = 0
    villages: int = 0
    people: int = 0
    posts: int = 0
    grades: int = 0
    users: list[str] = field(default_factory=list)


def demo_tables() -> list:
    """Every table the demo fills: the models (with history and link tables) of the apps."""
    return [model for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in DEMO_APPS and model._meta.managed]


def township_code(county_code: str, index: int, name: str) -> str:
    # 街道 are numbered 001.., 镇 100.., 乡 200.. as in the statistical scheme.
    base = 1 if name.endswith("街道") else 200 if name.endswith("乡") else 100
    return f"{county_code[:6]}{base + index:03d}000"


def village_names(rng: random.Random, count: int) -> list[str]:
    names = [h + t for h in NAME_HEADS for t in NAME_TAILS if h != t]
    rng.shuffle(names)
    result = []
    for i in range(count):
        name = names[i % len(names)]
        if i >= len(names):
            name += "一二三四五六七八九"[(i // len(names) - 1) % 9]
        result.append(name + "村")
    return result


class DemoBuilder:
    def __init__(self, *, villages: int = DEFAULT_VILLAGES, seed: int = 2026):
        self.total = villages
        self.seed = seed
        self.rng = random.Random(seed)
        self.report = Report()

    @transaction.atomic
    def build(self) -> Report:
        townships = self.build_regions()
        new_villages = self.build_villages(townships)
        self.build_branches_and_grades(new_villages)
        self.build_people(new_villages)
        self.build_township_posts(new_villages)
        self.build_users()
        build_demo_scores(seed=self.seed)
        build_rectification(self, new_villages)
        # Last: who is rated depends on grades, tiers and open cases.
        build_ratings(self, new_villages)
        settle_outcomes()
        build_bulletins(self)
        # Points are posted month by month as the task would have, around the lineage events
        # (a merger in 2026-09, a split in 2026-10), so earlier months name the old villages.
        build_points(self, last=Month(2026, 8))
        build_lineage(self, new_villages)
        build_points(self, first=Month(2026, 9))
        analyze(*demo_tables())
        return self.report

    # --- regions --------------------------------------------------------------------------------

    def region(self, code, name, level, parent) -> Region:
        region, created = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent})
        self.report.regions += created
        return region

    def build_regions(self) -> list[Region]:
        townships = []
        counties = [county for _code, _name, in_city in TREE for county in in_city]
        real = sum(len(names) for _code, _name, names in counties)
        extra = max(0, -(-self.total // VILLAGES_PER_TOWNSHIP) - real)
        for city_code, city_name, in_city in TREE:
            city = self.region(city_code, city_name, RegionLevel.CITY, None)
            for county_code, county_name, names in in_city:
                county = self.region(county_code, county_name, RegionLevel.COUNTY, city)
                # A province-sized data set outgrows the real townships (a village's code has
                # three digits); further, illustrative ones share the load.
                share = extra // len(counties) + (counties.index(
                    (county_code, county_name, names)) < extra % len(counties))
                names = names + [f"{county_name[:2]}示例{n}镇" for n in range(1, share + 1)]
                counters = {}
                for name in names:
                    kind = "街道" if name.endswith("街道") else name[-1]
                    index = counters.get(kind, 0)
                    counters[kind] = index + 1
                    townships.append(self.region(township_code(county_code, index, name), name,
                                                 RegionLevel.TOWNSHIP, county))
        return townships

    # --- villages -------------------------------------------------------------------------------

    def allocate(self, townships: list[Region]) -> dict[int, int]:
        """Spread the villages over townships; 街道 get fewer, 枫桥镇 and 店口镇 at least 5."""
        weights = [0.4 if t.name.endswith("街道") else 1.0 + self.rng.random() for t in townships]
        scale = self.total / sum(weights)
        counts = {t.pk: int(w * scale) for t, w in zip(townships, weights, strict=True)}
        shortfall = self.total - sum(counts.values())
        for township in self.rng.sample(townships, k=min(shortfall, len(townships))):
            counts[township.pk] += 1
        for township in townships:
            if township.name in ("枫桥镇", "店口镇"):
                counts[township.pk] = max(counts[township.pk], 5)
        return counts

    def build_villages(self, townships: list[Region]) -> list[Village]:
        counts = self.allocate(townships)
        existing = set(Village.objects.values_list("code", flat=True))
        new = []
        for township in townships:
            names = village_names(self.rng, counts[township.pk])
            for number, name in enumerate(names, start=1):
                code = f"{township.code[:9]}{200 + number:03d}"
                # Draw every figure even for existing villages so the stream stays aligned.
                village = self.make_village(code, name, township)
                if code not in existing:
                    new.append(village)
        Village.objects.bulk_create(new, batch_size=2000)
        self.report.villages = len(new)
        # bulk_create returns ids on PostgreSQL and SQLite >= 3.35; read back to be sure.
        by_code = dict(Village.objects.filter(code__in=[v.code for v in new])
                       .values_list("code", "id"))
        for village in new:
            village.pk = by_code[village.code]
        return new

    def make_village(self, code: str, name: str, township: Region) -> Village:
        rng = self.rng
        if any(hint in name for hint in MOUNTAIN_HINTS):
            terrain = Terrain.MOUNTAIN
        elif township.parent.name == "上虞市" and rng.random() < 0.3:
            terrain = Terrain.COASTAL
        else:
            terrain = rng.choice([Terrain.PLAIN, Terrain.PLAIN, Terrain.MOUNTAIN])
        households = rng.randint(180, 1400)
        population = int(households * rng.uniform(2.6, 3.4))
        income = Decimal(int(rng.lognormvariate(13.0, 0.9))).quantize(Decimal("1"))
        return Village(
            code=code, name=name, township=township, terrain=terrain, population=population,
            households=households, collective_income=income,
            income_per_head=(income / population).quantize(Decimal("0.01")),
            star_rating=rng.choices(range(6), weights=[10, 20, 30, 20, 12, 8])[0],
        )

    # --- branches and grades --------------------------------------------------------------------

    def build_branches_and_grades(self, villages: list[Village]) -> None:
        rng = self.rng
        branches = []
        for village in villages:
            members = max(8, int(village.population * rng.uniform(0.025, 0.05)))
            kind = (BranchKind.COMMITTEE if members > 100 else
                    BranchKind.GENERAL_BRANCH if members > 50 else BranchKind.BRANCH)
            suffix = {BranchKind.COMMITTEE: "党委", BranchKind.GENERAL_BRANCH: "党总支",
                      BranchKind.BRANCH: "党支部"}[kind]
            branches.append(PartyBranch(
                village=village, name=f"{village.name}{suffix}", kind=kind, member_count=members,
                founded=date(rng.randint(1950, 1990), rng.randint(1, 12), 1)))
        PartyBranch.objects.bulk_create(branches, batch_size=2000)
        branch_ids = dict(PartyBranch.objects.filter(village__in=[v.pk for v in villages])
                          .values_list("village_id", "id"))

        poor = self.choose_poor(villages)
        grades = []
        for village in villages:
            if len(grades) >= PEOPLE_BATCH:
                self.save_grades(grades)
            branch_id = branch_ids[village.pk]
            is_poor = village.pk in poor
            for year in GRADE_YEARS:
                if year == GRADE_YEARS[-1]:
                    grade = Grade.POOR if is_poor else self.ordinary_grade(village)
                elif is_poor and rng.random() < 0.6:
                    grade = Grade.POOR  # most backward villages were backward before
                else:
                    grade = self.ordinary_grade(village)
                    if grade == Grade.AVERAGE and rng.random() < 0.06:
                        grade = Grade.POOR  # and some of last year's have moved up
                grades.append(AnnualGrade(branch_id=branch_id, year=year, grade=grade,
                                          graded_on=date(year, 11, 20)))
        self.save_grades(grades)

    def save_grades(self, grades: list[AnnualGrade]) -> None:
        AnnualGrade.objects.bulk_create(grades, batch_size=5000)
        self.report.grades += len(grades)
        grades.clear()

    def ordinary_grade(self, village: Village) -> str:
        return self.rng.choices([Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE],
                                weights=[30 + village.star_rating * 6, 40, 30])[0]

    def choose_poor(self, villages: list[Village]) -> set[int]:
        """95 in 绍兴市 at the default size (scaled with it); weak, mountain villages likelier."""
        shaoxing = [v for v in villages if v.code.startswith("3306")]
        yuyao = [v for v in villages if v.code.startswith("330281")]
        chosen = set()
        for group, count in ((shaoxing, round(SHAOXING_POOR * self.total / DEFAULT_VILLAGES)),
                             (yuyao, round(len(yuyao) * YUYAO_POOR_SHARE))):
            weighted = sorted(group, key=lambda v: self.rng.random() * (
                2.0 if v.terrain == Terrain.MOUNTAIN else 1.0) * (
                3.0 if v.collective_income <= 200_000 else 1.0), reverse=True)
            for village in weighted[:count]:
                chosen.add(village.pk)
                # A backward village is a weak one: at most 200,000 yuan of collective income.
                if village.collective_income > 200_000:
                    village.collective_income = Decimal(self.rng.randint(30_000, 200_000))
                    village.income_per_head = (village.collective_income / max(
                        village.population, 1)).quantize(Decimal("0.01"))
                    village.star_rating = min(village.star_rating, 1)
                    Village.objects.filter(pk=village.pk).update(
                        collective_income=village.collective_income,
                        income_per_head=village.income_per_head, star_rating=village.star_rating)
        return chosen

    # --- people in post -------------------------------------------------------------------------

    def build_township_posts(self, villages: list[Village]) -> None:
        """The township leaders a Shangyu talk (约谈) calls: deputy secretary, organization
        committee member and the county's organizer. Every seventh township has no organizer on
        record, so the talk list names the post instead."""
        townships = sorted({v.township_id: v.township for v in villages}.values(),
                           key=lambda t: t.code)
        people, posts = [], []
        for index, township in enumerate(townships):
            for post in TownshipPostKind:
                if post == TownshipPostKind.COUNTY_ORGANIZER and index % 7 == 6:
                    continue
                region = township.parent if post == TownshipPostKind.COUNTY_ORGANIZER else township
                person = Person(name=person_name(self.rng), region=region,
                                employer=f"{region.name}党委" if region == township
                                else f"{region.name}委组织部")
                people.append(person)
                posts.append(TownshipPost(person=person, township=township, post=post,
                                          start=date(2024, 1, 8)))
        Person.objects.bulk_create(people, batch_size=5000)
        TownshipPost.objects.bulk_create(posts, batch_size=5000)

    def build_people(self, villages: list[Village]) -> None:
        rng = self.rng
        if not villages:
            return
        share = len(villages) / self.total
        poor_ids = set(AnnualGrade.objects.filter(
            year=GRADE_YEARS[-1], grade=Grade.POOR,
            branch__village__in=[v.pk for v in villages]).values_list("branch__village_id",
                                                                    flat=True))
        poor = [v for v in villages if v.pk in poor_ids]
        shaoxing_poor = [v for v in poor if v.code.startswith("3306")]
        replaced = set(v.pk for v in rng.sample(
            shaoxing_poor, k=min(len(shaoxing_poor), round(SECRETARIES_REPLACED * share))))
        first_secretary = set(v.pk for v in rng.sample(
            shaoxing_poor, k=min(len(shaoxing_poor), round(FIRST_SECRETARIES * share))))
        shaoxing = [v for v in villages if v.code.startswith("3306")]
        instructed = set(v.pk for v in rng.sample(
            shaoxing, k=min(len(shaoxing), round(INSTRUCTORS * share))))

        people, posts = [], []

        def hold(village, post, start, end=None, reason="", employer="", region=None):
            person = Person(name=person_name(rng), gender=rng.choice(Gender.values),
                            birth_year=rng.randint(1960, 1998), employer=employer,
                            region=region or village.township)
            people.append(person)
            posts.append(PostAssignment(person=person, village=village, post=post, start=start,
                                        end=end, end_reason=reason))

        for village in villages:
            if len(people) >= PEOPLE_BATCH:  # a province's people do not fit in memory at once
                self.save_people(people, posts)
            term = date(2021, rng.randint(1, 6), rng.randint(1, 28))
            if village.pk in replaced:
                switch = date(2026, rng.randint(1, 9), rng.randint(1, 28))
                hold(village, Post.SECRETARY, term, switch - timedelta(days=1),
                     reason="不胜任现职，组织调整")
                hold(village, Post.SECRETARY, switch)
            else:
                hold(village, Post.SECRETARY, term)
            for _ in range(rng.randint(3, 5)):
                hold(village, Post.COMMITTEE_MEMBER, term)
            reserves = rng.choices([0, 1, 2, 3], weights=[8, 22, 45, 25])[0]
            for _ in range(reserves):
                hold(village, Post.RESERVE_CADRE, date(rng.randint(2022, 2025), 3, 1))
            if rng.random() < 0.06 or (village.pk in poor_ids and rng.random() < 0.3):
                hold(village, Post.SECRETARY_RESERVE, date(rng.randint(2023, 2025), 6, 1))
            county = village.township.parent
            if village.pk in first_secretary:
                unit = rng.choice(["农业农村局", "财政局", "组织部", "民政局"])
                hold(village, Post.FIRST_SECRETARY, date(2026, rng.randint(1, 6), 1),
                     employer=f"{county.name}{unit}", region=county)
            if village.pk in instructed:
                hold(village, Post.STATIONED_INSTRUCTOR, date(2026, rng.randint(1, 4), 1),
                     employer=f"{village.township.name}机关", region=village.township)
        self.save_people(people, posts)

    def save_people(self, people: list[Person], posts: list[PostAssignment]) -> None:
        """Insert the people and their posts collected so far, and empty both lists."""
        Person.objects.bulk_create(people, batch_size=5000)
        for post in posts:
            post.person_id = post.person.pk
        PostAssignment.objects.bulk_create(posts, batch_size=5000)
        self.report.people += len(people)
        self.report.posts += len(posts)
        people.clear()
        posts.clear()

    # --- users ----------------------------------------------------------------------------------

    def build_users(self) -> None:
        User = get_user_model()
        regions = {r.name: r for r in Region.objects.filter(
            name__in=["绍兴市", "诸暨市", "上虞市", "枫桥镇", "店口镇"],
            code__startswith="3306")}
        accounts = [
            ("city", "市委组织部", Role.CITY_STAFF, "绍兴市", True),
            ("zhuji", "诸暨市委组织部", Role.COUNTY_STAFF, "诸暨市", True),
            ("shangyu", "上虞市委组织部", Role.COUNTY_STAFF, "上虞市", True),
            ("fengqiao", "枫桥镇党委", Role.TOWNSHIP_OFFICIAL, "枫桥镇", False),
            ("diankou", "店口镇党委", Role.TOWNSHIP_OFFICIAL, "店口镇", False),
            ("api", "数据接口", Role.API_CLIENT, "绍兴市", False),
            ("auditor", "诸暨市审计（只读）", Role.AUDITOR, "诸暨市", False),
            ("helper", "枫桥镇帮扶干部", Role.HELPER, "枫桥镇", False),
        ]
        for username, first_name, role, region_name, is_staff in accounts:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first_name, "role": role,
                          "region": regions[region_name], "is_staff": is_staff})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                if role == Role.HELPER:
                    user.assigned_villages.set(
                        Village.objects.filter(township=regions[region_name]).order_by("code")[:3])
            self.report.users.append(username)
