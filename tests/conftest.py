"""Shared fixtures: a small named world (like healthchecks' alice/bob/charlie), the demo data set,
one login, one clock, and the service gates.

Tests that need PostgreSQL, Redis or Chromium are skipped with a reason on a laptop without them,
and fail in CI (``CI=true``), where a missing service is a broken setup, not a reason to skip.

What tests read is built once per session and committed (``tests/database.py``): the
``world``, the ``work`` on it, the ``demo_data``; each test runs in a transaction rolled back after
it, so it sees them as they were built and may write freely. Tests run grouped by what they read
(world, world and work, neither, the demo; then those with real transactions, which build their
own).
"""

import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from tests.casework.factories import WorkWorld
from tests.database import CommittedRows, is_transactional
from tests.villages.factories import World
from villages.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The instant of every frozen test unless it names another: 2026-11-20 lies in the half-month
# 2026-11-H2 (2026-11-H1 closed on the 18th) and in 2026Q4, so 2026Q3 is the last whole quarter.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


# --- The test database --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite tests use a file under var/, not memory, so ``--reuse-db`` keeps the migrated
    database for the next run (PostgreSQL keeps its test database anyway). Nothing in it needs
    to survive a crash, so it skips fsync and keeps its pages in memory: the demo's rebuild in
    one transaction would otherwise spill to disk."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not database.get("TEST", {}).get("NAME"):
        var = Path(settings.VAR_DIR)
        var.mkdir(parents=True, exist_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(var / "test-rectify.sqlite3")
        options = database.setdefault("OPTIONS", {})
        options["init_command"] = ";".join([
            options.get("init_command", ""), "PRAGMA synchronous=OFF",
            "PRAGMA cache_size=-262144", "PRAGMA temp_store=MEMORY"])


@pytest.fixture(scope="session")
def committed_rows(django_db_setup, django_db_blocker, tmp_path_factory) -> CommittedRows:
    rows = CommittedRows(django_db_blocker, media=tmp_path_factory.mktemp("demo-media"))
    yield rows
    rows.release()


@pytest.fixture
def _django_db_helper(_commit_what_the_test_reads, _django_db_helper):
    """pytest-django's helper opens each test's transaction; what the test reads is committed
    before that (``_commit_what_the_test_reads`` is set up first)."""
    return _django_db_helper


@pytest.fixture
def _commit_what_the_test_reads(request, committed_rows):
    if is_transactional(request.node):
        committed_rows.release()
    else:
        committed_rows.hold(reads(request.node))


def reads(item) -> str | None:
    """What a test reads from the committed rows: the demo, the world (``login`` signs in one of
    its users), or neither."""
    names = item.fixturenames
    if "demo_data" in names:
        return "demo"
    if "work" in names:
        return "work"
    return "world" if "world" in names or "login" in names else None


def pytest_collection_modifyitems(items):
    """Run the tests grouped by what they read, so each group is built once (pytest-django has
    already put real-transaction tests after the others; the sort is stable)."""

    def group(item) -> int:
        names = getattr(item, "fixturenames", ())
        if "db" not in names and not item.get_closest_marker("django_db"):
            return 5
        if is_transactional(item):
            return 4
        return {"world": 0, "work": 1, None: 2, "demo": 3}[reads(item)]

    items.sort(key=group)


# --- What tests read ----------------------------------------------------------------------------


@pytest.fixture
def world(request, db, committed_rows) -> World:
    """The named world; with real transactions each test builds (and flushes) its own."""
    if is_transactional(request.node):
        return World.create()
    return committed_rows.world()


@pytest.fixture
def work(request, world, committed_rows) -> WorkWorld:
    if is_transactional(request.node):
        return WorkWorld.create(world)
    return committed_rows.work(world)


@pytest.fixture
def demo_data(db, committed_rows) -> str:
    """The default demo data set (2,000 villages), loaded once per session.

    Each test runs in a transaction rolled back to this state, so it may change what it likes.
    Returns the freshly migrated database, serialized, for tests that rebuild the demo from
    scratch (rows that data migrations seed, problem types say, go back after a wipe).
    """
    return committed_rows.migrated


@pytest.fixture
def login(request, client):
    """``login("fengqiao")`` signs the test client in as a named user: the world's, or the
    demo account of that name in a test that reads the demo."""
    demo = "demo_data" in request.fixturenames
    users = {} if demo else request.getfixturevalue("world").users

    def login_as(username):
        client.force_login(User.objects.get(username=username) if demo else users[username])
        return client
    return login_as


@pytest.fixture
def frozen(request, time_machine) -> datetime:
    """The clock stopped at NOW, or at the instant the test names:
    ``@pytest.mark.frozen_at("2027-01-05 09:00 +08:00")`` (any time-machine destination;
    ``tick=True`` lets it run on from there, for a live server's thread)."""
    marker = request.node.get_closest_marker("frozen_at")
    instant = marker.args[0] if marker else getattr(request, "param", NOW)
    time_machine.move_to(instant, tick=bool(marker and marker.kwargs.get("tick")))
    return instant


@pytest.fixture
def english():
    """Domain messages are asserted in their English source text."""
    from django.utils import translation

    with translation.override("en"):
        yield


# --- Settings every test shares -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every world sets eight passwords; PBKDF2 would cost seconds per test and prove nothing.
    # PBKDF2 stays second so passwords hashed by load_demo still check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture(autouse=True)
def evidence_root(request, settings, tmp_path):
    # Uploaded evidence goes to a throwaway folder, never into var/media; the demo's evidence
    # files stay where the session's demo put them.
    if "demo_data" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("committed_rows").media
    else:
        settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Services -----------------------------------------------------------------------------------


@pytest.fixture
def require_postgres():
    require(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
            "needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def require_redis():
    require(bool(os.environ.get("REDIS_URL")), "needs Redis: set REDIS_URL")


@pytest.fixture
def require_chromium():
    require(shutil.which("chromium") is not None or os.path.exists("/usr/bin/chromium"),
            "needs Debian's chromium: apt-get install chromium fonts-noto-cjk")
