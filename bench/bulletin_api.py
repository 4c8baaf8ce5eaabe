"""Monthly bulletins on the 20,000-village data set.

1. **Build.** Every county's and the city's draft for the current month through
   ``bulletins.build_draft`` (what each region's beat task does): total time, and SQL queries per
   bulletin, which must be the same for every region whatever its size. Baseline: the same
   regions' ``contents()`` alone (the read, no writes). Goal ≤ 1.5.
2. **Detail API.** A published bulletin of 500 entries: ``GET /api/v1/bulletins/<id>/`` with the
   ``api`` account's token, requests/s under gunicorn with ``wrk``, against a plain Django view
   that returns the same stored snapshot as ``JsonResponse``, same server, same run. Goal ≥ 0.9.
   The API sends the snapshot as PostgreSQL stores it, without decoding it; a second line
   compares it with a plain view doing the same, which isolates DRF's own cost.

The 500-entry bulletin belongs to a county made for the benchmark (基准县, under 绍兴市: five
townships of 100 villages, each rated in both halves of last month); it is built and published
through the domain functions once and reused by later runs.
"""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.common import report

ENTRIES = 500
COUNTY_CODE = "330699000000"
ROOT = Path(__file__).resolve().parents[1]
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "8"))
ROUNDS = 3


def run(villages: int) -> None:
    bench_build(villages)
    bench_detail_api()


# --- 1. Build -------------------------------------------------------------------------------


def bench_build(villages: int) -> None:
    from earlywarning import bulletins

    month = bulletins.Month.containing(timezone.localdate())
    regions = list(bulletins.regions_to_build().select_related("parent"))
    built, queries, read = [], [], 0.0
    for region in regions:
        started = time.perf_counter()
        bulletins.contents(region=region, month=month)
        read += time.perf_counter() - started
    started_all = time.perf_counter()
    for region in regions:
        with CaptureQueriesContext(connection) as captured:
            try:
                bulletin = bulletins.build_draft(actor=None, region=region, month=month)
            except bulletins.BulletinAlreadyPublished:
                continue
        built.append((region.name, bulletin.entries.count(), len(captured)))
        queries.append(len(captured))
    total = time.perf_counter() - started_all
    sizes = ", ".join(f"{name} {count}/{n}" for name, count, n in built)
    print(f"bulletin build {month}: {len(built)} regions, entries/SQL queries: {sizes}; "
          f"queries per bulletin {min(queries)}..{max(queries)} (one more for a township under "
          "the Shangyu rule, one fewer for an empty bulletin)", flush=True)
    report(f"bulletin build, {len(built)} regions of {villages:,} villages", total, read, "s",
           "≤ 1.5", key="bulletin build", scaled=True)


# --- 2. Detail API under gunicorn -----------------------------------------------------------


def bench_detail_api() -> None:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("bulletin detail API: skipped, wrk is not installed (apt-get install wrk)")
        return
    bulletin = five_hundred_entry_bulletin()
    token = api_token()
    port = free_port()
    server = start_gunicorn(port)
    try:
        base = f"http://127.0.0.1:{port}"
        api_url = f"{base}/api/v1/bulletins/{bulletin.pk}/"
        plain_url = f"{base}/bench/plain-bulletins/{bulletin.pk}/"
        text_url = f"{plain_url}text/"
        wait_until_up(plain_url)
        auth = {"Authorization": f"Token {token}"}
        api_body = fetch(api_url, auth)
        assert json.loads(api_body) == json.loads(fetch(plain_url, {})) == json.loads(
            fetch(text_url, {})), "the API and the plain views must return the same JSON"
        rates = {"api": [], "plain": [], "text": []}
        for _round in range(ROUNDS):  # interleaved, so drift hits all alike
            rates["plain"].append(requests_per_second(wrk, plain_url, {}))
            rates["api"].append(requests_per_second(wrk, api_url, auth))
            rates["text"].append(requests_per_second(wrk, text_url, {}))
        project, baseline, text = (statistics.median(rates[k]) for k in ("api", "plain", "text"))
        report(f"bulletin detail API, {ENTRIES} entries ({len(api_body) // 1024} KiB), "
               f"gunicorn 2 workers, wrk {WRK_SECONDS} s x {ROUNDS}", project, baseline,
               "req/s", "≥ 0.9", key="bulletin detail API")
        report("bulletin detail API vs a plain view also sending the stored text", project,
               text, "req/s", "printed", compare=False)
        etag = urllib.request.urlopen(urllib.request.Request(api_url, headers=auth)) \
            .headers["ETag"]
        cached = statistics.median(requests_per_second(
            wrk, api_url, {**auth, "If-None-Match": etag}) for _round in range(ROUNDS))
        report("bulletin detail API answering 304 (If-None-Match)", cached, baseline, "req/s",
               "printed", key="bulletin detail API 304")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def five_hundred_entry_bulletin():
    from earlywarning import bulletins
    from earlywarning.models.bulletins import Bulletin, BulletinStatus

    month = bulletins.Month.containing(timezone.localdate()).previous()
    existing = (Bulletin.objects.filter(region__code=COUNTY_CODE, month=str(month),
                                        status=BulletinStatus.PUBLISHED)
                .order_by("-revision").first())
    if existing is not None and existing.entries.count() == ENTRIES:
        return existing
    with transaction.atomic():
        county = make_county_with_ratings(month)
        draft = bulletins.build_draft(actor=None, region=county, month=month)
        bulletin = bulletins.publish(actor=None, bulletin=draft)
    assert bulletin.entries.count() == ENTRIES, bulletin.entries.count()
    print(f"(made 基准县 and published its {month} bulletin of {ENTRIES} entries)", flush=True)
    return bulletin


def make_county_with_ratings(month):
    import random

    from earlywarning.models.ratings import RatingStatus, WarningRating
    from villages.models import Region, RegionLevel, User, Village

    rng = random.Random(500)
    city = Region.objects.get(code="330600000000")
    county, _created = Region.objects.get_or_create(
        code=COUNTY_CODE, defaults={"name": "基准县", "level": RegionLevel.COUNTY, "parent": city})
    townships = [Region.objects.get_or_create(
        code=f"{COUNTY_CODE[:6]}{100 + index:03d}000",
        defaults={"name": f"基准{index + 1}镇", "level": RegionLevel.TOWNSHIP,
                  "parent": county})[0] for index in range(5)]
    per_township = ENTRIES // len(townships)
    Village.objects.bulk_create([
        Village(code=f"{township.code[:9]}{200 + number:03d}",
                name=f"基准{township.name[2]}镇{number}村", township=township,
                population=1200, households=400, collective_income=500_000,
                income_per_head=416) for township in townships
        for number in range(1, per_township + 1)], ignore_conflicts=True)
    villages = list(Village.objects.filter(township__parent=county))
    rater = User.objects.filter(is_superuser=True).first() or User.objects.first()
    now = timezone.now()
    colors = ["green"] * 6 + ["yellow"] * 3 + ["red"]
    WarningRating.objects.bulk_create([
        WarningRating(village=village, period=str(half), color=(color := rng.choice(colors)),
                      reason="基准数据" if color == "red" else "", status=RatingStatus.SUBMITTED,
                      rated_by=rater, rated_at=now, submitted_at=now)
        for village in villages for half in month.halves()], ignore_conflicts=True)
    return county


def api_token() -> str:
    from rest_framework.authtoken.models import Token

    from villages.models import User

    token, _created = Token.objects.get_or_create(user=User.objects.get(username="api"))
    return token.key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    # Connections kept between requests, as docker-compose.yml deploys it.
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings",
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                            f"{db['PORT'] or 5432}/{db['NAME']}",
               DATABASE_CONN_MAX_AGE=os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "rectify.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env)


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url}")


def fetch(url: str, headers: dict) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        assert response.status == 200, response.status
        return response.read()


def requests_per_second(wrk: str, url: str, headers: dict) -> float:
    command = [wrk, "-t1", "-c4", f"-d{WRK_SECONDS}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"wrk saw errors from {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
