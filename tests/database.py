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
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
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
            flush()
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


def tables_children_first(tables) -> list[str]:
    """``tables`` ordered so that a table comes before every table its foreign keys point to.

    Deleting a parent row makes the database look for it in each child table; with the children
    already empty that is nothing, and on SQLite emptying 111 indicators before their 888,000
    demo scores took six seconds instead of a few milliseconds."""
    by_table = {model._meta.db_table: model
                for model in apps.get_models(include_auto_created=True)}
    parents_first: list[str] = []

    def visit(table: str, path: set[str]) -> None:
        if table in parents_first or table in path or table not in by_table:
            return
        for field in by_table[table]._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                visit(field.related_model._meta.db_table, path | {table})
        parents_first.append(table)

    for table in sorted(by_table):
        visit(table, set())
    wanted = set(tables)
    ordered = [table for table in reversed(parents_first) if table in wanted]
    return ordered + sorted(wanted - set(ordered))


def flush() -> None:
    """Empty every table, as ``manage.py flush`` would, children first."""
    tables = connection.introspection.django_table_names(only_existing=True,
                                                         include_views=False)
    connection.ops.execute_sql_flush(connection.ops.sql_flush(
        no_style(), tables_children_first(tables), reset_sequences=True))


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
