"""Demo half-monthly ratings: a year (2025-12-H1 … 2026-11-H1), each period's warning roster
made as the period began and every village on it rated.

In 上虞市, 69 rostered villages (at least that many are on the roster) start the year red and end
it as the report has it: 24 moved up to green, 41 to yellow, 4 still red; the county's other
rostered villages start yellow or green and end the year out of red. 枫桥镇 and 店口镇 get at least
four villages each, and the current half-month (2026-11-H2) is left for their officials. Villages
that join a later roster (class 3 in an approved quarter, an opened case) are rated from then
on. Other villages walk up and down at random. Only villages created in this run are touched, so
a second ``load_demo`` adds nothing.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.periods import HalfMonth, periods_between
from earlywarning import roster
from earlywarning.models import (
    Color,
    DecisionAction,
    RatingStatus,
    RosterDecision,
    WarningRating,
)
from villages.listing import latest_grade_year
from villages.models import Grade, Role, Village

FIRST = HalfMonth(2025, 12, 1)
LAST = HalfMonth(2026, 11, 1)
SHANGYU_LIST, SHANGYU_GREEN, SHANGYU_YELLOW = 69, 24, 41
LADDER = [Color.GREEN, Color.YELLOW, Color.RED]
RED_REASONS = ["班子软弱涣散，书记长期不在岗", "信访矛盾集中，群体性上访未化解",
               "三资管理混乱，账目未公开", "集体经济薄弱，无稳定收入来源"]
UP_REASONS = ["调整书记后班子运转正常", "信访积案已化解销号", "落实联签联章，三务公开到位",
              "帮扶项目落地，集体收入增加", "驻村指导员蹲点整改见效"]
RATINGS_BATCH = 20_000
DOWN_REASONS = ["整改反弹，新增信访件", "班子成员违纪被查处", "项目停滞，整改进度滞后"]


def _add_to_roster(builder, villages, listed, poor, scale):
    """The county's standing additions, made before the first period: enough 上虞市 villages
    for the report's 69, and four each in 枫桥镇 and 店口镇."""
    rng = builder.rng
    User = get_user_model()
    county_staff = {u.region_id: u for u in User.objects.filter(role=Role.COUNTY_STAFF)}
    made_at = roster.start_of(FIRST) - timedelta(days=5)
    decisions = []

    def add(candidates, count, reason):
        pool = [v for v in candidates if v.pk not in listed]
        for village in rng.sample(pool, k=max(0, min(count, len(pool)))):
            listed.add(village.pk)
            made_by = county_staff.get(village.township.parent_id) or _officer(village.township)
            decisions.append(RosterDecision(village=village, action=DecisionAction.ADD,
                                            reason=reason, made_by=made_by, made_at=made_at))

    shangyu = [v for v in villages if v.code.startswith("330682")]
    add(shangyu, round(SHANGYU_LIST * scale) - sum(1 for v in shangyu if v.pk in listed),
        "上虞市三色预警：整改情况需跟踪评定")
    for township_name in ("枫桥镇", "店口镇"):
        local = [v for v in villages if v.township.name == township_name
                 and v.code.startswith("330681")]
        add(local, 4 - sum(1 for v in local if v.pk in listed), "乡镇党委申请纳入预警管理")
    RosterDecision.objects.bulk_create(decisions)


def _paths(rng, villages, listed, poor, scale, length) -> dict[int, list[str]]:
    """Each village's colors over the year: 上虞市's red-starting cohort climbs to the report's
    ending (24 green, 41 yellow, 4 red); the rest walk."""
    shangyu = sorted((v for v in villages if v.pk in listed and v.code.startswith("330682")),
                     key=lambda v: (v.pk not in poor, v.code))
    target = round(SHANGYU_LIST * scale)
    cohort = shangyu[:target]
    endings = _shangyu_endings(rng, len(cohort), scale)
    paths = {v.pk: _climb(rng, length, end) for v, end in zip(cohort, endings, strict=True)}
    paths |= {v.pk: _walk(rng, length, end_out_of_red=True) for v in shangyu[target:]}
    return paths


def build_ratings(builder, villages: list[Village]) -> None:
    """Each period's roster made as the period began, then its villages rated."""
    if not villages:
        return
    rng = builder.rng
    new_ids = {v.pk for v in villages}
    scale = builder.total / 2000
    start = roster.start_of(FIRST)
    listed = set(roster.candidates(Village.objects.filter(pk__in=new_ids), start)
                 .values_list("pk", flat=True))
    poor = set(Village.objects.filter(pk__in=listed, party_branch__grades__grade=Grade.POOR,
                                      party_branch__grades__year=latest_grade_year())
               .values_list("pk", flat=True))
    _add_to_roster(builder, villages, listed, poor, scale)
    periods = periods_between(FIRST, LAST)
    paths = _paths(rng, villages, listed, poor, scale, len(periods))
    officers, ratings = {}, []
    for index, period in enumerate(periods):
        began = roster.start_of(period)
        roster.build(period, as_of=began, now=began)
        for village in (Village.objects.filter(pk__in=roster.entries(period).filter(
                village_id__in=new_ids).values("village_id")).select_related("township")
                .order_by("code")):
            # A village that joins the roster later starts out of red more often than not.
            path = paths.setdefault(village.pk, _walk(rng, len(periods), joining=index > 0))
            if period == LAST and rng.random() < 0.04:
                continue  # a few townships still owe last period's rating
            officer = officers.get(village.township_id)
            if officer is None:
                officer = officers[village.township_id] = _officer(village.township)
            ratings.append(_rating(rng, village, period, path, index, officer))
        if len(ratings) >= RATINGS_BATCH:  # a province's year of ratings, a part at a time
            _save(ratings)
    _save(ratings)


def _save(ratings: list[WarningRating]) -> None:
    """Insert the ratings and their first history rows, and empty the list."""
    WarningRating.objects.bulk_create(ratings, batch_size=5000)
    WarningRating.history.bulk_history_create(ratings, batch_size=5000,
                                              default_date=timezone.now())
    ratings.clear()


def _rating(rng, village, period, path, index, officer) -> WarningRating:
    rated_at = _at(period.end, 16) + timedelta(hours=rng.randint(0, 60))
    if rng.random() < 0.03:
        rated_at = _at(period.deadline, 10) + timedelta(days=rng.randint(1, 3))
    previous = path[index - 1] if index else None
    return WarningRating(village=village, period=str(period), color=path[index],
                         reason=_reason(rng, previous, path[index]),
                         status=RatingStatus.SUBMITTED, rated_by=officer, rated_at=rated_at,
                         submitted_at=rated_at)


def _shangyu_endings(rng, count: int, scale: float) -> list[str]:
    green = min(count, round(SHANGYU_GREEN * scale))
    yellow = min(count - green, round(SHANGYU_YELLOW * scale))
    endings = [Color.GREEN] * green + [Color.YELLOW] * yellow
    endings += [Color.RED] * (count - len(endings))
    rng.shuffle(endings)
    return endings


def _climb(rng, length: int, end: str) -> list[str]:
    """Red at the start, stepping up to ``end``, with the odd one-period relapse on the way."""
    steps = LADDER.index(Color.RED) - LADDER.index(end)
    moves = sorted(rng.sample(range(2, length - 1), k=steps))
    path, level = [], LADDER.index(Color.RED)
    for index in range(length):
        if moves and index == moves[0]:
            moves.pop(0)
            level -= 1
        color = LADDER[level]
        if level < 2 and index < length - 2 and rng.random() < 0.04:
            color = LADDER[level + 1]
        path.append(color)
    return path


def _walk(rng, length: int, *, end_out_of_red: bool = False,
          joining: bool = False) -> list[str]:
    weights = [3, 6, 1] if joining else [2, 5, 0 if end_out_of_red else 3]
    level = rng.choices([0, 1, 2], weights=weights)[0]
    path = []
    for _index in range(length):
        roll = rng.random()
        if roll < 0.10 and level > 0:
            level -= 1
        elif roll > 0.975 and level < 2:
            level += 1
        path.append(LADDER[level])
    if end_out_of_red and path[-1] == Color.RED:
        path[-1] = Color.YELLOW
    return path


def _reason(rng, previous: str | None, color: str) -> str:
    if previous and LADDER.index(color) < LADDER.index(previous):
        return rng.choice(UP_REASONS)
    if previous and LADDER.index(color) > LADDER.index(previous):
        return rng.choice(DOWN_REASONS)
    return rng.choice(RED_REASONS) if color == Color.RED else ""


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _officer(township):
    """The township's rating official; demo logins exist only for 枫桥镇 and 店口镇."""
    User = get_user_model()
    existing = User.objects.filter(role=Role.TOWNSHIP_OFFICIAL, region=township).first()
    if existing:
        return existing
    user = User(username=f"tw{township.code[:9]}", first_name=f"{township.name}党委",
                role=Role.TOWNSHIP_OFFICIAL, region=township)
    user.set_unusable_password()
    user.save()
    return user
