"""Partition the score table on PostgreSQL (LIST on ``part``); elsewhere add the unique index.

Written when the migration history was restarted (see README, "Migrations"): the models'
0001/0002 create the score table whole, with its unique (evaluation, indicator, part) key and
the (id, score_part) key on evaluations; this step turns it into a partitioned table whose
partition 0 holds the rows entered by hand, and each score import attaches its own partition
(``earlywarning/partitions.py``). It runs on an empty table in a new installation and needs no
data migration. Irreversible on purpose: going back would mean merging the partitions.
"""

from django.db import migrations

SCORES = "earlywarning_indicatorscore"


def partition_scores(apps, schema_editor):
    """PostgreSQL: make the score table a LIST partitioned table on ``part``; the existing rows
    become partition 0. Elsewhere (SQLite) the table stays whole and a unique index keeps one
    score per (evaluation, indicator)."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor != "postgresql":
        execute(f"CREATE UNIQUE INDEX score_evaluation_indicator_once ON {SCORES} "
                "(evaluation_id, indicator_id)")
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {SCORES}")
        start = cursor.fetchone()[0]
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                       [SCORES])
        foreign_keys = cursor.fetchall()
    p0 = f"{SCORES}_p0"
    execute(f"ALTER TABLE {SCORES} RENAME TO {p0}")
    execute(f"ALTER TABLE {p0} RENAME CONSTRAINT score_once_per_evaluation_indicator "
            f"TO {p0}_once")
    execute(f"ALTER TABLE {p0} RENAME CONSTRAINT {SCORES}_pkey TO {p0}_pkey")
    execute(f"ALTER TABLE {p0} ALTER COLUMN id DROP IDENTITY IF EXISTS")
    execute(f"CREATE TABLE {SCORES} (LIKE {p0} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "PARTITION BY LIST (part)")
    # A partitioned table's unique keys must contain ``part``, so ``id`` is unique by its
    # sequence, not by an index; nothing refers to a score by id.
    execute(f"CREATE SEQUENCE {SCORES}_id_seq OWNED BY {SCORES}.id")
    execute(f"SELECT setval('{SCORES}_id_seq', {start}, false)")
    execute(f"ALTER TABLE {SCORES} ALTER COLUMN id SET DEFAULT nextval('{SCORES}_id_seq')")
    execute(f"ALTER TABLE {SCORES} ADD CONSTRAINT score_once_per_evaluation_indicator "
            "UNIQUE (evaluation_id, indicator_id, part)")
    for name, definition in foreign_keys:
        execute(f"ALTER TABLE {SCORES} ADD CONSTRAINT {name} {definition}")
    execute(f"ALTER TABLE {SCORES} ADD CONSTRAINT score_part_is_evaluation_part FOREIGN KEY "
            "(evaluation_id, part) REFERENCES earlywarning_evaluation (id, score_part)")
    execute(f"ALTER TABLE {SCORES} ATTACH PARTITION {p0} FOR VALUES IN (0)")


class Migration(migrations.Migration):

    dependencies = [("earlywarning", "0002_initial")]

    operations = [migrations.RunPython(partition_scores)]
