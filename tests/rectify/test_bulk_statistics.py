"""Bulk paths leave PostgreSQL statistics for what they filled (autovacuum may be off, or late).

Without them the planner takes fresh tables for empty ones: the dashboard ran 8x slower on a
freshly loaded 20,000-village demo than after one ``ANALYZE``.
"""

import pytest
from django.db import connection

from core.db import analyze
from earlywarning import partitions
from earlywarning.imports import import_scores
from earlywarning.models.evaluations import Evaluation, IndicatorScore, ScoreImport
from rectify.demo.villages import DemoBuilder, demo_tables
from tests.earlywarning.factories import csv_bytes, make_set, row, upload
from villages.models import Village

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def server_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def analysed_since(moment, tables: list[str]) -> dict[str, bool]:
    """For each table, whether ANALYZE ran on it at or after ``moment`` (server time)."""
    with connection.cursor() as cursor:
        # Statistics views are read once per transaction unless the snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, last_analyze >= %s FROM pg_stat_user_tables "
                       "WHERE relname = ANY(%s)", [moment, tables])
        found = dict(cursor.fetchall())
    return {table: bool(found.get(table)) for table in tables}


def filled(tables: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        result = []
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
            if cursor.fetchone()[0]:
                result.append(table)
        return result


def test_load_demo_analyses_every_table_it_filled(require_postgres, evidence_root):
    started = server_now()
    DemoBuilder(villages=300, seed=3).build()

    tables = filled([model._meta.db_table for model in demo_tables()])
    assert {"villages_village", "earlywarning_indicatorscore", "earlywarning_warningrating",
            "casework_case"} <= set(tables)
    # The partition that holds the demo's scores, besides the partitioned table itself.
    tables.append(f"{IndicatorScore._meta.db_table}_p0")
    stale = [table for table, done in analysed_since(started, tables).items() if not done]
    assert stale == []


def test_a_score_import_analyses_the_evaluations_and_its_partition(
        require_postgres, world, frozen):
    make_set(world.city)
    started = server_now()
    import_scores(actor=world.users["zhuji"], region=world.zhuji, quarter="2026Q3",
                  file=upload(csv_bytes([row(world.fq1), row(world.fq2), row(world.dk1)])),
                  file_name="scores.csv")

    part = ScoreImport.objects.get().pk
    assert IndicatorScore.objects.filter(part=part).count() == 12
    assert analysed_since(started, [Evaluation._meta.db_table, partitions.name(part)]) == {
        Evaluation._meta.db_table: True, partitions.name(part): True}


def test_analyze_takes_models_and_table_names(require_postgres, world):
    started = server_now()
    analyze(Village, "villages_region")
    assert analysed_since(started, ["villages_village", "villages_region"]) == {
        "villages_village": True, "villages_region": True}
