"""Dashboard server time at 2,000 and 20,000 villages (goal: under 3x for 10x the data).

Each size lives in its own PostgreSQL database (rectify_bench_dash2k, rectify_bench_dash20k),
created on first use next to the one in DATABASE_URL and filled with ``load_demo --villages N``,
so the benchmark never disturbs another one's data. Each size is measured in a child process
(Django binds its database at start-up); the parent prints the ratio. The baseline is the same
page at 2,000 villages.
"""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from bench.common import report

SIZES = {2_000: "rectify_bench_dash2k", 20_000: "rectify_bench_dash20k"}


def database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("bench dashboard needs PostgreSQL: set DATABASE_URL=postgres://...")
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432,
                             user=parts.username or "postgres", password=parts.password,
                             dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path[1:]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{parts.path[1:]}"')
    admin.close()


def measure(villages: int) -> None:
    """Child process: migrate, load the demo once, time the dashboard for the city user."""
    from bench.common import ensure_villages, median_seconds, setup_django

    setup_django()
    from django.test import Client

    from villages.models import User

    ensure_villages(villages)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="city"))

    def dashboard():
        response = client.get("/")
        assert response.status_code == 200

    print(json.dumps({"villages": villages, "ms": median_seconds(dashboard) * 1000}),
          flush=True)


def run() -> None:
    results = {}
    for villages, name in SIZES.items():
        url = database_url(name)
        ensure_database(url)
        child = subprocess.run(
            [sys.executable, "-m", "bench.dashboard", str(villages)],
            env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
            check=True)
        for line in child.stdout.splitlines():
            if line.startswith("{"):
                results[villages] = json.loads(line)["ms"]
            else:
                print(line, flush=True)
    small, large = results[2_000], results[20_000]
    report("dashboard 20,000 vs 2,000 villages", large, small, "ms", "< 3.0")


if __name__ == "__main__":
    measure(int(sys.argv[1]))
