"""The score table's partitions on PostgreSQL (the table and partition 0: migration 0004).

An import writes its scores into a table of its own, shaped like the score table, while that
table is not yet part of it: no foreign-key trigger fires for any row. At the end the table gets
its unique index and is attached as partition ``part`` = the import's id; attaching checks the
partition's foreign keys with one join each, where inserting into the score table would have run
two trigger calls per row (for 2.22 M scores: under a second instead of about 20 s).

The rules the score table enforces do not change: attaching fails, and the import with it, if a
row breaks any of them (CHECK constraints are copied with the table's shape and checked on
every row as it is written).
"""

from django.db import connection

from core.db import analyze
from earlywarning.models.evaluations import IndicatorScore

SCORES = IndicatorScore._meta.db_table
# Imports attach partitions to the same table and lock the same rows: one at a time.
IMPORT_LOCK = 0x53434F5245  # "SCORE"


def name(part: int) -> str:
    return f"{SCORES}_i{int(part)}"


def serialize_imports() -> None:
    """Wait for any other score import to commit; held until this transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def create_detached(part: int) -> str:
    """An empty table shaped like the score table for the scores of import ``part``."""
    table = name(part)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if cursor.fetchone()[0]:
            # Only after an import's id was reused (a test database's sequences reset): the
            # left-over partition must be empty, or the id is not new and we stop.
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
            if not cursor.fetchone()[0]:
                raise RuntimeError(f"{table} already holds scores")
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"CREATE TABLE {table} (LIKE {SCORES} INCLUDING DEFAULTS "
                       "INCLUDING CONSTRAINTS)")
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN part SET DEFAULT {int(part)}")
        # Proves the partition bound, so attaching need not scan the rows for it.
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_part "
                       f"CHECK (part = {int(part)})")
    return table


def attach(part: int) -> None:
    """Index the filled table and attach it; PostgreSQL validates its foreign keys here."""
    table = name(part)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_once "
                       "UNIQUE (evaluation_id, indicator_id, part)")
        cursor.execute(f"ALTER TABLE {SCORES} ATTACH PARTITION {table} "
                       f"FOR VALUES IN ({int(part)})")
    # The new partition only: analysing the score table as a whole re-reads every partition
    # (2.2 s beside the demo's 8.9 M scores; importing 20,000 villages takes about 6 s).
    analyze(table)


def allocate_evaluation_ids(count: int) -> list[int]:
    """``count`` new Evaluation ids from its sequence, so scores can be written before the
    evaluations themselves (their totals are known only once the file is read)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('earlywarning_evaluation', 'id')) "
                       "FROM generate_series(1, %s)", [count])
        return [row[0] for row in cursor.fetchall()]
