"""Databases, timing and reporting shared by the benchmarks.

Every database a benchmark uses is named after ``BENCH_DATABASE_URL`` (``make bench`` passes it
as ``DATABASE_URL``) and created on first use, so ``make bench`` works on a fresh machine:

- ``<name>_<size>k_loaded``: migrated and filled by ``load_demo --villages <size>`` once, then
  never touched again (its statistics are the ones ``load_demo``'s own ``ANALYZE`` left);
- ``<name>_<size>k``: a fresh copy of it (``CREATE DATABASE … TEMPLATE``) for each benchmark,
  so each one meets the data as a user meets it after a load, and nothing one benchmark
  writes changes what the next one measures.

A benchmark module has ``run(villages)``; it runs in a child process bound to its copy (Django
binds its database at start-up) and reports through ``report()``, which prints the line and
records the figures for the parent to compare across sizes.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
REPEATS = max(3, int(os.environ.get("BENCH_REPEATS", "5")))


def base_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("make bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    return url


def database_url(suffix: str, base: str | None = None) -> str:
    """The URL of the bench database ``<base name>_<suffix>`` on the same server."""
    parts = urlsplit(base or base_url())
    return urlunsplit(parts._replace(path=f"{parts.path}_{suffix}"))


def size_label(villages: int) -> str:
    return f"{villages // 1000}k" if villages % 1000 == 0 else str(villages)


def _admin(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                                  user=parts.username or "postgres", password=parts.password,
                                  dbname="postgres")
    connection.autocommit = True
    return connection


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def database_exists(url: str) -> bool:
    with closing(_admin(url)) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_name(url)])
        return cursor.fetchone() is not None


def ensure_database(url: str) -> bool:
    """Create the database of ``url`` unless it exists; True when it was created."""
    with closing(_admin(url)) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_name(url)])
        if cursor.fetchone() is not None:
            return False
        cursor.execute(f'CREATE DATABASE "{_name(url)}"')
        return True


def drop_database(url: str) -> None:
    with closing(_admin(url)) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')


def copy_database(source: str, target: str) -> None:
    """``target`` as a fresh copy of ``source`` (planner statistics included)."""
    drop_database(target)
    with closing(_admin(source)) as admin, admin.cursor() as cursor:
        # FILE_COPY copies the files; the default (WAL_LOG) writes every page to the WAL.
        cursor.execute(f'CREATE DATABASE "{_name(target)}" TEMPLATE "{_name(source)}" '
                       "STRATEGY FILE_COPY")


def manage(url: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "rectify.settings"}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                          check=True, **kwargs)


def _loaded_villages(url: str) -> int:
    import psycopg2

    parts = urlsplit(url)
    with closing(psycopg2.connect(
            host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
            user=parts.username or "postgres", password=parts.password,
            dbname=_name(url))) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('villages_village') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM villages_village")
        return cursor.fetchone()[0]


def ensure_loaded(villages: int) -> str:
    """The URL of the loaded database for ``villages``, loading it first if needed."""
    url = database_url(f"{size_label(villages)}_loaded")
    if database_exists(url) and _loaded_villages(url) >= villages * 0.95:
        manage(url, "migrate", "--no-input", "-v0")
        return url
    drop_database(url)  # a load that stopped half-way left nothing usable (one transaction)
    ensure_database(url)
    manage(url, "migrate", "--no-input", "-v0")
    loaded = manage(url, "load_demo", "--villages", str(villages), capture_output=True,
                    text=True)
    # Its last line: "Loaded in … s, peak RSS … MB."
    print(f"(load_demo --villages {villages}: {loaded.stdout.strip().splitlines()[-1]})",
          flush=True)
    return url


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    import django

    django.setup()


def median_seconds(action: Callable[[], object], *, repeats: int = REPEATS,
                   warmup: int = 2) -> float:
    """Median wall time of ``repeats`` calls after ``warmup`` untimed ones (machines are noisy)."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, project: float, baseline: float, unit: str, goal: str,
           ratio: float | None = None, *, key: str | None = None, scaled: bool = False,
           compare: bool = True) -> str:
    """Print one measure. ``key`` (default: the name) matches it across data sizes; ``scaled``
    says the measured work itself grows with the villages (an import of all of them), so a
    rate that holds is linear growth, where for fixed work (one page) the time may grow.
    ``compare=False`` keeps a secondary line (same project figure) out of that comparison."""
    ratio = project / baseline if ratio is None else ratio
    line = (f"{name}: project {project:.4g} {unit}, baseline {baseline:.4g} {unit}, "
            f"ratio {ratio:.2f} (goal {goal})")
    print(line, flush=True)
    if compare:
        record(key or name, project, unit, scaled=scaled)
    return line


def record(key: str, value: float, unit: str, *, scaled: bool = False) -> None:
    """Keep a figure for ``bench/__main__.py`` to compare across data sizes."""
    results = os.environ.get("BENCH_RESULTS")
    if results:
        with open(results, "a") as stream:
            stream.write(json.dumps({"key": key, "project": value, "unit": unit,
                                     "scaled": scaled}) + "\n")
