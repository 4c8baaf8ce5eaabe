"""Township sheets of 20–60 ratings through ``POST /api/v1/ratings/`` vs ``bulk_create``.

Forty townships each get a sheet of 20–60 warning-list villages (``bench/sheets.py``); each
township's official submits the whole sheet in one request, as on deadline day. The API path
does everything a submission does — scope and warning-list checks, period lock, reasons,
upsert, history rows; the baseline only inserts the same rows with ``bulk_create``, one batch
per sheet. Goal: at least half the baseline's ratings/s.
"""

import random
import time

from django.test import Client
from django.utils import timezone

from bench.common import REPEATS, report
from bench.sheets import payload, take_back, township_sheets

SHEETS = 40


def run(villages: int) -> None:
    from core.periods import HalfMonth
    from earlywarning.models.ratings import RatingStatus, WarningRating
    from villages.models import User

    sheets = township_sheets(SHEETS)
    period = str(HalfMonth.current())
    rng = random.Random(2026)
    bodies = [payload(sheet, period, rng) for sheet in sheets]
    officials = {user.username: user for user in User.objects.filter(
        username__in=[sheet.username for sheet in sheets])}
    clients = []
    for sheet in sheets:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(officials[sheet.username])
        clients.append(client)
    ratings = sum(len(body) for body in bodies)
    village_ids = [pk for sheet in sheets for pk in sheet.village_ids]

    def clear():
        take_back(period, village_ids)

    def api():
        for client, body in zip(clients, bodies, strict=True):
            response = client.post("/api/v1/ratings/", body, content_type="application/json")
            assert response.status_code == 201, response.content[:500]

    def bulk():
        now = timezone.now()
        for sheet, body in zip(sheets, bodies, strict=True):
            rater = officials[sheet.username]
            WarningRating.objects.bulk_create([WarningRating(
                village_id=item["village"], period=period, color=item["color"],
                reason=item["reason"], status=RatingStatus.SUBMITTED, rated_by=rater,
                rated_at=now, submitted_at=now) for item in body])

    def rate_per_second(action) -> float:
        clear()
        started = time.perf_counter()
        action()
        return ratings / (time.perf_counter() - started)

    # Interleaved, so a burst of load from elsewhere hits both alike.
    rates = {"api": [], "bulk": []}
    for _repeat in range(REPEATS):
        rates["bulk"].append(rate_per_second(bulk))
        rates["api"].append(rate_per_second(api))
    clear()
    project, baseline = (sorted(rates[k])[len(rates[k]) // 2] for k in ("api", "bulk"))
    sizes = sorted(len(body) for body in bodies)
    report(f"rating submit, {SHEETS} township sheets of {sizes[0]}–{sizes[-1]} "
           f"({ratings} ratings), {villages:,} villages", project, baseline, "ratings/s",
           "≥ 0.5", key="rating submit")
