"""``make bench`` on a fresh machine: it creates the databases it needs, named after
BENCH_DATABASE_URL, and gives each benchmark a fresh copy of the loaded data."""

import uuid

import psycopg2
import pytest
from django.conf import settings

from bench import common

pytestmark = pytest.mark.postgres


@pytest.fixture
def bench_base(require_postgres, monkeypatch):
    db = settings.DATABASES["default"]
    base = (f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/rectify_benchtest_{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("BENCH_DATABASE_URL", base)
    yield base
    for suffix in ("2k_loaded", "2k"):
        common.drop_database(common.database_url(suffix))


def rows(url, sql):
    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def test_bench_databases_are_created_and_named_after_the_bench_url(bench_base):
    loaded = common.database_url(f"{common.size_label(2000)}_loaded")
    assert loaded == f"{bench_base}_2k_loaded"
    assert not common.database_exists(loaded)

    assert common.ensure_database(loaded) is True
    assert common.database_exists(loaded)
    assert common.ensure_database(loaded) is False  # a second run finds it


def test_each_benchmark_gets_a_fresh_copy_of_the_loaded_database(bench_base):
    loaded, work = common.database_url("2k_loaded"), common.database_url("2k")
    common.ensure_database(loaded)
    rows(loaded, "CREATE TABLE marker (n int)")
    common.ensure_database(work)
    rows(work, "CREATE TABLE leftover (n int)")

    common.copy_database(loaded, work)

    tables = {name for (name,) in rows(work, "SELECT relname FROM pg_class "
                                              "WHERE relname IN ('marker', 'leftover')")}
    assert tables == {"marker"}


def test_bench_refuses_anything_but_postgresql(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE_URL", "sqlite:///var/bench.sqlite3")
    with pytest.raises(SystemExit):
        common.base_url()
