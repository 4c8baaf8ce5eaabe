"""20,000 ratings through POST /api/v1/ratings/ in batches of 500 vs bulk_create of the rows.

The API path does everything a township's submission does — scope and warning-list checks,
period lock, reasons, upsert, history rows; the baseline only inserts. Printed, no goal.
"""

import time

from django.test import Client
from django.utils import timezone

from bench.common import REPEATS, ensure_villages, report

VILLAGES = 20_000
BATCH = 500


def run() -> None:
    from core.periods import HalfMonth
    from earlywarning.models.ratings import (
        RatingStatus,
        WarningListAction,
        WarningListChange,
        WarningRating,
    )
    from villages.models import User, Village

    ensure_villages(VILLAGES)
    admin, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    active_changes = WarningListChange.objects.filter(ended_at__isnull=True)
    unlisted = Village.objects.filter(is_active=True).exclude(
        pk__in=active_changes.values("village"))
    WarningListChange.objects.bulk_create(
        [WarningListChange(village_id=pk, action=WarningListAction.ADD, reason="bench",
                           made_by=admin) for pk in unlisted.values_list("pk", flat=True)])
    ids = list(Village.objects.filter(is_active=True).exclude(
        pk__in=active_changes.filter(action=WarningListAction.REMOVE).values("village"))
        .order_by("pk").values_list("pk", flat=True))
    period = HalfMonth.current()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)

    def clear():
        WarningRating.history.filter(period=str(period)).delete()
        WarningRating.objects.filter(period=str(period)).delete()

    def api():
        for start in range(0, len(ids), BATCH):
            payload = [{"village": pk, "period": str(period), "color": "yellow",
                        "reason": "整改推进"} for pk in ids[start:start + BATCH]]
            response = client.post("/api/v1/ratings/", payload, content_type="application/json")
            assert response.status_code == 201, response.content[:500]

    def bulk():
        now = timezone.now()
        WarningRating.objects.bulk_create(
            [WarningRating(village_id=pk, period=str(period), color="yellow", reason="整改推进",
                           status=RatingStatus.SUBMITTED, rated_by=admin, rated_at=now,
                           submitted_at=now) for pk in ids], batch_size=BATCH)

    def rate_per_second(action) -> float:
        rates = []
        for _repeat in range(max(3, REPEATS // 2)):
            clear()
            started = time.perf_counter()
            action()
            rates.append(len(ids) / (time.perf_counter() - started))
        clear()
        return sorted(rates)[len(rates) // 2]

    project, baseline = rate_per_second(api), rate_per_second(bulk)
    report(f"rating submit ({len(ids)} ratings, batches of {BATCH})", project, baseline,
           "ratings/s", "printed")
