"""Two score imports at once, on real PostgreSQL: each attaches its own partition of the score
table, so they take turns (an advisory lock) instead of deadlocking on the attach."""

import threading

import pytest
from django.db import connection

from earlywarning.imports import import_scores
from earlywarning.models.evaluations import Evaluation, IndicatorScore, ScoreImport
from tests.earlywarning.factories import csv_bytes, make_set, row, upload
from tests.villages.factories import World


@pytest.mark.postgres
def test_two_imports_at_once_both_land_each_in_its_own_partition(
        require_postgres, transactional_db, frozen):
    world = World.create()
    make_set(world.zhuji)
    barrier = threading.Barrier(2)
    errors = []

    def send(rows):
        try:
            barrier.wait(timeout=10)
            import_scores(actor=world.users["zhuji"], region=world.zhuji, quarter="2026Q3",
                          file=upload(csv_bytes(rows)), file_name="scores.csv")
        except Exception as error:  # noqa: BLE001 - the test reports any failure below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(rows,)) for rows in (
        [row(world.fq1, a01="2"), row(world.fq2, a01="1.5")],
        [row(world.dk1, a01="1"), row(world.dk2, a01="0.5")])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    parts = set(ScoreImport.objects.values_list("pk", flat=True))
    assert len(parts) == 2
    assert set(IndicatorScore.objects.values_list("part", flat=True)) == parts
    assert IndicatorScore.objects.count() == 16
    # The county was ranked with all four villages, whichever import came last.
    assert list(Evaluation.objects.order_by("total").values_list("rank", flat=True)) == [
        4, 3, 2, 1]
