"""What the test database holds between tests: nothing, the named world (with or without the
rectification work on it), or the demo data set.

Building them is the costly part of most tests (the world takes longer than many tests it
serves; the demo takes seconds), so each is built once, committed, and kept while the tests that
read it run, each in a transaction rolled back after it. Switching to another holding flushes
the database back to what the migrations left (``migrated``, serialized when the session
starts), so a test that reads neither sees an empty register as before.
"""

import io
from pathlib import Path

import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

from casework.models import ProblemType
from earlywarning.models.evaluations import IndicatorScore
from tests.casework.factories import WorkWorld
from tests.villages.factories import World
from villages.models import Region, User

# The world is built at an instant before every frozen test's clock, so a change a test makes
# is always the latest entry of a record's history.
WORLD_BUILT_AT = "2026-11-01 09:00 +0800"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def is_transactional(item) -> bool:
    """A test with real transactions (pytest-django flushes the database after it)."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    return ("transactional_db" in names or "live_server" in names
            or bool(marker and (marker.kwargs.get("transaction")
                                or marker.kwargs.get("reset_sequences"))))


class CommittedRows:
    def __init__(self, blocker, *, media):
        self.blocker = blocker
        self.media = media
        self.holding: str | None = None
        self._world_ids: dict | None = None
        self._work_ids: dict | None = None
        with blocker.unblock():
            if _left_over():
                # An interrupted run left rows in the reused database: start it afresh.
                connection.close()
                if connection.vendor == "sqlite":
                    for suffix in ("-wal", "-shm"):
                        Path(connection.settings_dict["NAME"] + suffix).unlink(missing_ok=True)
                connection.creation.create_test_db(verbosity=0, autoclobber=True,
                                                   serialize=False, keepdb=False)
            _drop_import_partitions()
            self.migrated = connection.creation.serialize_db_to_string()

    def hold(self, what: str | None) -> None:
        """Commit what the next tests read: "world", "work" (the world and the rectification
        work on it), "demo", or None for the freshly migrated database."""
        if what == self.holding:
            return
        if not (what == "work" and self.holding == "world"):
            self.release()
        if what is None:
            return
        with self.blocker.unblock():
            if what == "demo":
                # At the real time, as load_demo runs for a user: the demo dates itself by today.
                with override_settings(MEDIA_ROOT=self.media):
                    call_command("load_demo", stdout=io.StringIO())
            else:
                with time_machine.travel(WORLD_BUILT_AT, tick=False), \
                        override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                    if self._world_ids is None:
                        self._world_ids = World.create().ids()
                    if what == "work":
                        self._work_ids = WorkWorld.create(self.world()).ids()
        self.holding = what

    def release(self) -> None:
        """Back to the freshly migrated database. Also after a real-transaction test, whose
        flush took the rows the migrations seed with it."""
        with self.blocker.unblock():
            if self.holding is None and not _left_over():
                return
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            _drop_import_partitions()
            connection.creation.deserialize_db_from_string(self.migrated)
        self.holding = None
        self._world_ids = self._work_ids = None

    def world(self) -> World:
        """Fresh objects for the committed world, so no test sees another's changes to them."""
        assert self._world_ids is not None, "the world is read only by tests that ask for it"
        return World.fetch(self._world_ids)

    def work(self, world: World) -> WorkWorld:
        assert self._work_ids is not None, "the work is read only by tests that ask for it"
        return WorkWorld.fetch(self._work_ids, world)


def _drop_import_partitions() -> None:
    """On PostgreSQL each committed score import attached a table of its own to the score table
    (``earlywarning/partitions.py``); a flush empties them but leaves them, and a reused
    database would carry them into the next run."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE %s",
                       [f"{IndicatorScore._meta.db_table}\\_i%"])
        for (table,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")


def _left_over() -> bool:
    """Rows no freshly migrated database has, or seeded rows missing."""
    return (Region.objects.exists() or User.objects.exists()
            or not ProblemType.objects.exists())
