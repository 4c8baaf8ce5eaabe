"""A real Celery worker on Redis (not eager mode) builds the monthly bulletins.

The worker is a separate process, so it reads the test database only after the test commits:
``transactional_db`` and the worker pointed at the same PostgreSQL test database by name.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from kombu import Connection

from earlywarning import tasks
from earlywarning.models.bulletins import Bulletin
from tests.earlywarning.factories import rate_september_and_october

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/7"


def start_worker(**env_extra: str) -> subprocess.Popen:
    """A solo Celery worker in its own process, on the test broker and the test database."""
    db = connection.settings_dict
    env = dict(os.environ, REDIS_URL=BROKER, DJANGO_SETTINGS_MODULE="rectify.settings",
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                            f"{db['PORT'] or 5432}/{db['NAME']}", **env_extra)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rectify", "worker", "-P", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def broker(require_postgres, require_redis, transactional_db):
    """An empty broker database; every worker started through it is stopped afterwards."""
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    started: list[subprocess.Popen] = []

    def start(**env_extra: str) -> subprocess.Popen:
        started.append(start_worker(**env_extra))
        return started[-1]

    yield start
    for process in started:
        stop(process)


@pytest.fixture
def worker(broker):
    return broker()


def trigger(month: str) -> None:
    with Connection(BROKER) as broker:
        tasks.build_monthly_bulletins.apply_async(args=(month,), connection=broker)


def wait_for(condition, *, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_monthly_job_on_a_real_worker_builds_one_draft_per_region_without_duplicates(
        worker, world, settings):
    rate_september_and_october(world)
    regions = {world.city.pk, world.zhuji.pk, world.shangyu.pk}

    trigger("2026-10")
    assert wait_for(lambda: set(Bulletin.objects.filter(month="2026-10")
                                .values_list("region_id", flat=True)) == regions), \
        "the worker did not build every region's draft"
    first = {b.region_id: (b.pk, b.generated_at) for b in Bulletin.objects.all()}
    assert all(b.status == "draft" for b in Bulletin.objects.all())
    assert Bulletin.objects.get(region=world.zhuji).summary["totals"]["villages"] == 2

    trigger("2026-10")
    assert wait_for(lambda: all(
        b.generated_at > first[b.region_id][1] for b in Bulletin.objects.all())), \
        "the second run did not rebuild the drafts"
    assert Bulletin.objects.count() == 3
    assert {b.region_id: b.pk for b in Bulletin.objects.all()} == {
        region: pk for region, (pk, _when) in first.items()}


def waiting_for_entries(cursor) -> list[int]:
    """The sessions waiting for a lock on the bulletin entries table."""
    cursor.execute("SELECT pid FROM pg_locks WHERE NOT granted AND "
                   "relation = 'earlywarning_bulletinentry'::regclass")
    return [row[0] for row in cursor.fetchall()]


def describe(cursor) -> list:
    cursor.execute("SELECT pid, state, wait_event_type, wait_event, backend_xid, "
                   "pg_blocking_pids(pid), left(query, 120), application_name, client_port "
                   "FROM pg_stat_activity WHERE datname = current_database()")
    return cursor.fetchall()


def session_alive(cursor, pid: int) -> bool:
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
    return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_build_leaves_nothing_and_a_new_worker_builds_it_once(
        broker, world):
    """SIGKILL between the bulletin row and its entries: the transaction dies with the worker,
    and the task (acks_late) goes back to the queue for the next worker, which builds it once."""
    import psycopg2

    rate_september_and_october(world)
    db = connection.settings_dict
    holder = psycopg2.connect(dbname=db["NAME"], user=db["USER"],
                              host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)
    try:
        with holder.cursor() as cursor:
            # Writers to the entries table wait for us: the build stops half-way through.
            cursor.execute("LOCK TABLE earlywarning_bulletinentry IN SHARE MODE")
            doomed = broker()
            with Connection(BROKER) as conn:
                tasks.build_region_bulletin.apply_async(args=(world.zhuji.pk, "2026-10"),
                                                        connection=conn)
            assert wait_for(lambda: waiting_for_entries(cursor)), \
                "the worker never reached the entries"
            [worker_session] = waiting_for_entries(cursor)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
        holder.rollback()
        # Each look in its own transaction: pg_stat_activity is a snapshot within one.
        holder.autocommit = True
        # The dead worker's session gets the lock, finds its client gone and rolls back.
        with holder.cursor() as cursor:
            assert wait_for(lambda: not session_alive(cursor, worker_session), timeout=30), \
                f"the killed worker's database session did not end: {describe(cursor)}"
    finally:
        holder.close()
    assert not Bulletin.objects.exists(), "a killed worker left a half-written bulletin"

    # The task went back to the queue once its visibility timeout passed.
    broker(CELERY_VISIBILITY_TIMEOUT="3", CELERY_RESTORE_INTERVAL="1")
    assert wait_for(lambda: Bulletin.objects.exists(), timeout=60), \
        "the task was not delivered again to the new worker"
    time.sleep(5)  # long enough for a second delivery, were there one
    bulletin = Bulletin.objects.get()
    assert (bulletin.region_id, bulletin.month, bulletin.revision) == (world.zhuji.pk, "2026-10", 1)
    assert bulletin.entries.count() == 2
