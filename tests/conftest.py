"""Shared fixtures: a small named world (like healthchecks' alice/bob/charlie) and service gates.

Tests that need PostgreSQL, Redis or Chromium are skipped with a reason on a laptop without them,
and fail in CI (``CI=true``), where a missing service is a broken setup, not a reason to skip.
"""

import os
import shutil

import pytest
from django.conf import settings

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


@pytest.fixture
def world(db) -> World:
    return World.create()
