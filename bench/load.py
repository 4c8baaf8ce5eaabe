"""``make load``: deadline day against gunicorn + PostgreSQL + Redis with production settings.

On a fresh copy of the 20,000-village load (``bench/common.py``): 100 townships get a sheet of
20–60 warning-list villages and an official who can log in (``bench/sheets.py``); gunicorn
serves the project with ``DJANGO_DEBUG=False``, a generated secret, whitenoise and the
collected static files, on 127.0.0.1 over plain HTTP (the TLS settings switched off through
their environment variables, as on a closed intranet). Locust (``bench/locustfile.py``,
headless, bounded in users and time) runs the officials' submissions alongside county staff
reading the dashboard and completeness and REST clients polling bulletins, ``LOAD_RUNS``
times (ratings of the period reset between runs). Printed: p50/p95/p99 per request type and
the errors (medians over the runs), and the submit's p95 against the trivial authenticated
page's p95 (an official's notifications) under the same load. Goal: 0 errors, ratio ≤ 3.
"""

import csv
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from bench.common import (
    ROOT,
    copy_database,
    database_url,
    ensure_loaded,
    report,
    setup_django,
)

VILLAGES = int(os.environ.get("LOAD_VILLAGES", "20000"))
OFFICIALS = int(os.environ.get("LOAD_OFFICIALS", "100"))
STAFF_USERS = int(os.environ.get("LOAD_STAFF", "10"))
REST_CLIENTS = int(os.environ.get("LOAD_REST_CLIENTS", "10"))
RUN_SECONDS = int(os.environ.get("LOAD_SECONDS", "75"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "3"))
RUNS = int(os.environ.get("LOAD_RUNS", "3"))  # the README's figures: the median of 3
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
PASSWORD = "deadline-day-2026"
STAFF = ["city", "zhuji", "shangyu", "yuyao"]
PERCENTILES = ("50%", "95%", "99%")


def production_env(database: str) -> dict:
    """The project as deployed (README, "Configuration"), on the loopback without TLS."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "rectify.settings", "DATABASE_URL": database,
            "DJANGO_DEBUG": "False", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DJANGO_SECURE_COOKIES": "False", "DJANGO_SECURE_HSTS_SECONDS": "0",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
            "DJANGO_LOG_LEVEL": "WARNING"}


def prepare(plan_path: Path) -> dict:
    """Accounts, sheets and the REST client's token in the load database; the plan for locust."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from bench.sheets import payload, township_sheets
    from core.periods import HalfMonth
    from earlywarning.models.bulletins import Bulletin, BulletinStatus
    from villages.models import User

    period = str(HalfMonth.current())
    rng = random.Random(2026)
    sheets = township_sheets(OFFICIALS, password=PASSWORD)
    api = User.objects.get(username="api")
    token, _created = Token.objects.get_or_create(user=api)
    published = list(Bulletin.objects.filter(status=BulletinStatus.PUBLISHED)
                     .order_by("-month").values_list("pk", flat=True)[:10])
    plan = {
        "password": PASSWORD, "staff": STAFF, "staff_password": "demo-pass-2026",
        "staff_users": STAFF_USERS, "rest_clients": REST_CLIENTS, "token": token.key,
        "bulletins": published, "since": (timezone.now() - timedelta(days=30)).isoformat(),
        "period": period,
        "sheets": [{"username": sheet.username, "payload": payload(sheet, period, rng)}
                   for sheet in sheets],
    }
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    return plan


def reset(plan: dict) -> None:
    """Take back the period's ratings of the sheets' villages, so each run submits anew."""
    from bench.sheets import take_back

    take_back(plan["period"], [item["village"] for sheet in plan["sheets"]
                               for item in sheet["payload"]])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict, port: int) -> subprocess.Popen:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input",
                    "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "rectify.wsgi", "--workers",
         str(WORKERS), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
         "--log-level", "warning"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not answer /healthz")


def run_locust(env: dict, port: int, plan_path: Path, prefix: Path) -> dict[str, dict]:
    users = OFFICIALS + STAFF_USERS + REST_CLIENTS
    log = Path(f"{prefix}.log")
    with log.open("w") as output:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("locust")), "-f",
             str(ROOT / "bench/locustfile.py"), "--headless", "--users", str(users),
             "--spawn-rate", str(SPAWN_RATE), "--run-time", f"{RUN_SECONDS}s",
             "--stop-timeout", "10", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
             "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            cwd=ROOT, env={**env, "LOAD_PLAN": str(plan_path)}, stdout=output,
            stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"locust failed:\n{log.read_text()[-3000:]}")
    with open(f"{prefix}_stats.csv") as stream:
        return {row["Name"]: row for row in csv.DictReader(stream)}


def summarize(runs: list[dict[str, dict]]) -> None:
    names = [name for name in runs[0] if name != "Aggregated"]
    for name in names:
        rows = [run[name] for run in runs if name in run]
        figures = [statistics.median(float(row[p]) for row in rows) for p in PERCENTILES]
        count = statistics.median(int(row["Request Count"]) for row in rows)
        errors = max(int(row["Failure Count"]) for row in rows)
        print(f"load {name}: p50 {figures[0]:.0f} ms, p95 {figures[1]:.0f} ms, "
              f"p99 {figures[2]:.0f} ms ({count:.0f} requests a run, {errors} errors at most)",
              flush=True)
    errors = [int(run["Aggregated"]["Failure Count"]) for run in runs]
    print(f"load errors: {sum(errors)} in {len(runs)} runs (goal 0)", flush=True)
    ratios = [float(run["submit"]["95%"]) / float(run["trivial page"]["95%"]) for run in runs]
    submit = statistics.median(float(run["submit"]["95%"]) for run in runs)
    trivial = statistics.median(float(run["trivial page"]["95%"]) for run in runs)
    report(f"load: submit p95 vs trivial page p95, {OFFICIALS} officials + {STAFF_USERS} staff "
           f"+ {REST_CLIENTS} REST clients, {RUN_SECONDS} s x {len(runs)}", submit, trivial,
           "ms", "≤ 3", ratio=statistics.median(ratios))


def main() -> int:
    loaded = ensure_loaded(VILLAGES)
    work = database_url("load")
    copy_database(loaded, work)
    os.environ["DATABASE_URL"] = work
    setup_django()
    env = production_env(work)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        plan_path = Path(folder) / "plan.json"
        plan = prepare(plan_path)
        sizes = sorted(len(sheet["payload"]) for sheet in plan["sheets"])
        print(f"(load: {len(plan['sheets'])} township sheets of {sizes[0]}–{sizes[-1]} ratings, "
              f"{sum(sizes)} in all; gunicorn {WORKERS} workers, DEBUG off)", flush=True)
        server = start_server(env, port)
        try:
            runs = []
            for number in range(RUNS):
                reset(plan)
                runs.append(run_locust(env, port, plan_path, Path(folder) / f"run{number}"))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    summarize(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
