"""Shared fixtures: a small named world (like healthchecks' alice/bob/charlie) and service gates.

Tests that need PostgreSQL, Redis or Chromium are skipped with a reason on a laptop without them,
and fail in CI (``CI=true``), where a missing service is a broken setup, not a reason to skip.
"""

import io
import os
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.casework.factories import WorkWorld
from tests.villages.factories import World


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every world sets eight passwords; PBKDF2 would cost seconds per test and prove nothing.
    # PBKDF2 stays second so passwords hashed by load_demo still check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


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


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    # Uploaded evidence goes to a throwaway folder, never into var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db) -> World:
    return World.create()


@pytest.fixture
def work(world) -> WorkWorld:
    return WorkWorld.create(world)


@pytest.fixture
def login(world, client):
    """``login("fengqiao")`` signs the test client in as one of the world's named users."""
    def login_as(username):
        client.force_login(world.users[username])
        return client
    return login_as


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker) -> str:
    """The default demo data set (2,000 villages), loaded once for a module and flushed after.

    Tests use it together with ``db``: each runs in a transaction rolled back to this state.
    Returns the freshly migrated database, serialized: rows that data migrations seed (problem
    types, say) are put back after the flush, as Django's own serialized rollback does.
    """
    with django_db_blocker.unblock():
        migrated = connection.creation.serialize_db_to_string()
        call_command("load_demo", stdout=io.StringIO())
        yield migrated
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(migrated)
