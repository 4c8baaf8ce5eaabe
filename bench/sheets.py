"""Township rating sheets of deadline-day size, shared by ``rating_submit`` and ``make load``.

A township official rates every warning-list village of the township in one submission. The
demo lists a few to a few dozen villages per township; each chosen township gets 20–60
(drawn per township) by the county adding villages to the list, or taking some off where a
province-sized township lists more, as it does on ``/ratings/warning-list/``. The townships'
officials are the demo's rating accounts (``tw<township code>``), created here where the demo
had none.
"""

import random
from dataclasses import dataclass

SEED = 15
REASONS = ["班子调整到位，信访件已化解", "三务公开到位，整改推进中", "帮扶项目落地，集体收入增加",
           "整改进度滞后，需要跟踪"]


@dataclass
class Sheet:
    username: str
    township_id: int
    village_ids: list[int]


def township_sheets(count: int, *, password: str | None = None) -> list[Sheet]:
    """``count`` townships with 20–60 villages each on the warning list, and their officials
    (with ``password``, for a test that logs in). Idempotent: a second call finds the same."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from earlywarning.models.ratings import WarningListAction, WarningListChange
    from earlywarning.ratings import warning_list
    from villages.models import Region, RegionLevel, Role, User, Village

    rng = random.Random(SEED)
    county_staff = User.objects.filter(username="city").first()
    townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code"))
    rng.shuffle(townships)
    sheets = []
    # One hash for all: PBKDF2 takes about half a second each, and logging in still checks it.
    hashed = make_password(password) if password else None
    with transaction.atomic():
        for township in townships:
            if len(sheets) == count:
                break
            size = rng.randint(20, 60)
            villages = Village.objects.filter(township=township, is_active=True)
            listed = list(warning_list(villages).order_by("code").values_list("pk", flat=True))
            changed = set(WarningListChange.objects.filter(ended_at__isnull=True)
                          .values_list("village", flat=True))
            if len(listed) < size:  # the county adds villages
                action, pool = WarningListAction.ADD, [pk for pk in villages.exclude(
                    pk__in=listed).order_by("code").values_list("pk", flat=True)
                    if pk not in changed][:size - len(listed)]
            else:  # a province's township lists 100 and more: the county takes some off
                action, pool = WarningListAction.REMOVE, [
                    pk for pk in listed if pk not in changed][:len(listed) - size]
            if len(pool) < abs(size - len(listed)):
                continue
            WarningListChange.objects.bulk_create([WarningListChange(
                village_id=pk, action=action, reason="预警名单调整（压力测试）",
                made_by=county_staff) for pk in pool])
            listed = sorted(set(listed) | set(pool)) if action == WarningListAction.ADD \
                else sorted(set(listed) - set(pool))
            official, _created = User.objects.get_or_create(
                username=f"tw{township.code[:9]}",
                defaults={"role": Role.TOWNSHIP_OFFICIAL, "region": township,
                          "first_name": f"{township.name}党委"})
            if hashed and official.password != hashed:
                official.password = hashed
                official.save(update_fields=["password"])
            sheets.append(Sheet(official.username, township.pk, sorted(listed)))
    if len(sheets) < count:
        raise RuntimeError(f"only {len(sheets)} townships can hold a sheet of 20–60 villages")
    return sheets


def payload(sheet: Sheet, period: str, rng: random.Random) -> list[dict]:
    """The sheet as ``POST /api/v1/ratings/`` takes it: a color and a reason per village (a
    reason is needed for red and for any change from last period, so every row has one)."""
    return [{"village": pk, "period": period, "color": rng.choice(("green", "yellow", "red")),
             "reason": rng.choice(REASONS)} for pk in sheet.village_ids]


def take_back(period: str, village_ids: list[int]) -> None:
    """Delete the period's ratings of these villages and their history rows, so the next
    round submits anew. Plain SQL: a model delete would write a history row per rating."""
    from django.db import connection

    from earlywarning.models.ratings import WarningRating

    with connection.cursor() as cursor:
        for table in (WarningRating.history.model._meta.db_table, WarningRating._meta.db_table):
            cursor.execute(f"DELETE FROM {table} WHERE period = %s AND village_id = ANY(%s)",
                           [period, list(village_ids)])
