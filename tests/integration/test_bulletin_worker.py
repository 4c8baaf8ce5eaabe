"""A real Celery worker on Redis (not eager mode) builds the monthly bulletins.

The worker is a separate process, so it reads the test database only after the test commits:
``transactional_db`` and the worker pointed at the same PostgreSQL test database by name.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from kombu import Connection

from earlywarning import tasks
from earlywarning.models.bulletins import Bulletin
from tests.earlywarning.bulletin_helpers import rate_september_and_october

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/7"


@pytest.fixture
def worker(require_postgres, require_redis, transactional_db):
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    db = connection.settings_dict
    env = dict(os.environ, REDIS_URL=BROKER, DJANGO_SETTINGS_MODULE="rectify.settings",
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                            f"{db['PORT'] or 5432}/{db['NAME']}")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rectify", "worker", "-P", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
