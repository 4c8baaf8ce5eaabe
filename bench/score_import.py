"""Score import (file → every cell checked → Evaluation + IndicatorScore rows) vs bare COPY.

20,000 villages × 111 indicators = 2.22 M scores from the wide CSV a county uploads, imported
through ``earlywarning.imports.import_scores`` (one file per city of the demo data). Baseline in
the same run: ``COPY`` (psycopg2 ``copy_expert``) of the same 2.22 M narrow rows into a table
with the same columns, CHECK and unique key as the score table's partitions, without foreign
keys. Goal: at least 0.8 of the baseline's rows/s, and the import's peak RSS under 200 MB
(measured in a child process running ``manage.py import_scores``, so this process's own data
does not count).
"""

import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import report

QUARTER = "2026Q4"
REPEATS = 3
BASELINE_TABLE = "bench_score_copy"


def run(villages: int) -> None:
    from django.db import connection

    from rectify.demo import scores as demo_scores

    if connection.vendor != "postgresql":
        print("score import: needs PostgreSQL (make bench sets DATABASE_URL)")
        return
    demo_scores.build_indicator_sets()
    actor = _bench_user()
    with tempfile.TemporaryDirectory() as folder:
        files = _write_files(Path(folder))
        rows = sum(count for _region, _path, count in files)
        scores = rows * 111
        print(f"(files: {rows} villages, {scores} scores, "
              f"{sum(p.stat().st_size for _r, p, _c in files) / 1e6:.1f} MB of CSV)", flush=True)

        project = []
        for _ in range(REPEATS):
            _clean()
            started = time.perf_counter()
            for region, path, _count in files:
                _import(actor, region, path)
            project.append(time.perf_counter() - started)

        narrow = Path(folder) / "narrow.tsv"
        _write_narrow(narrow)
        baseline = []
        for _ in range(REPEATS):
            baseline.append(_copy_baseline(narrow))

        _clean()
        peak_mb = _peak_rss_of_command(files)
        _clean()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")

    project_rate = scores / sorted(project)[len(project) // 2]
    baseline_rate = scores / sorted(baseline)[len(baseline) // 2]
    report(f"score import {scores / 1e6:.2f}M scores", project_rate, baseline_rate, "rows/s",
           "≥ 0.8", key="score import", scaled=True)
    report("score import peak RSS", peak_mb, 200, "MB", "< 1.0 (200 MB)")


def _bench_user():
    from villages.models import User

    user, created = User.objects.get_or_create(username="bench-importer",
                                               defaults={"is_superuser": True})
    return user


def _write_files(folder: Path):
    """One wide CSV per city, as a county would upload it (illustrative demo set's codes)."""
    from earlywarning.catalogue import applicable_set
    from villages.models import Region, RegionLevel, Village

    rng = random.Random(2026)
    files = []
    for city in Region.objects.filter(level=RegionLevel.CITY).order_by("code"):
        indicator_set = applicable_set(city, int(QUARTER[:4]))
        indicators = list(indicator_set.indicators.order_by("position"))
        path = folder / f"{city.code}.csv"
        count = 0
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["village_code", "village_name", *[i.code for i in indicators]])
            writer.writerow(["# 名称", "", *[i.name for i in indicators]])
            for code, name in Village.objects.in_region(city).filter(is_active=True).order_by(
                    "code").values_list("code", "name").iterator(chunk_size=5000):
                writer.writerow([code, name, *[
                    f"{rng.randint(0, int(i.max_score * 10)) / 10:.1f}" for i in indicators]])
                count += 1
        files.append((city, path, count))
    return files


def _import(actor, region, path: Path):
    from earlywarning.imports import import_scores
    from earlywarning.models.evaluations import ScoreImport

    with path.open("rb") as stream:
        import_scores(actor=actor, region=region, quarter=QUARTER, file=stream,
                      file_name=path.name, source=ScoreImport.Source.COMMAND, max_bytes=0)


def _clean():
    """Remove the bench quarter (untimed), putting tracking back as the demo left it."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM earlywarning_indicatorscore WHERE evaluation_id IN "
                       "(SELECT id FROM earlywarning_evaluation WHERE quarter = %s)", [QUARTER])
        cursor.execute("DELETE FROM earlywarning_trackingassignment WHERE quarter = %s",
                       [QUARTER])
        cursor.execute("UPDATE earlywarning_trackingassignment SET closed_at = NULL, "
                       "closed_quarter = '' WHERE closed_quarter = %s", [QUARTER])
        cursor.execute("DELETE FROM earlywarning_evaluation WHERE quarter = %s", [QUARTER])
        cursor.execute("SELECT id FROM earlywarning_scoreimport WHERE quarter = %s", [QUARTER])
        parts = [row[0] for row in cursor.fetchall()]
        for part in parts:  # each import's partition, empty by now
            cursor.execute(f"DROP TABLE IF EXISTS earlywarning_indicatorscore_i{part}")
        cursor.execute("DELETE FROM earlywarning_scoreimport WHERE quarter = %s", [QUARTER])


def _write_narrow(path: Path):
    """The same 2.22 M scores as narrow rows, with the evaluation ids of the last import."""
    from django.db import connection

    with path.open("w") as stream, connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY (SELECT s.evaluation_id, s.indicator_id, s.value, s.max_score, s.part "
            "FROM earlywarning_indicatorscore s JOIN earlywarning_evaluation e "
            f"ON e.id = s.evaluation_id WHERE e.quarter = '{QUARTER}') TO STDOUT", stream)


def _copy_baseline(path: Path) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
        # The shape of an import's partition (see earlywarning/partitions.py) without its
        # foreign keys: ids from a sequence, the CHECK, the unique key built as the rows go in.
        cursor.execute(f"CREATE TABLE {BASELINE_TABLE} (id bigserial NOT NULL, "
                       "evaluation_id bigint NOT NULL, indicator_id bigint NOT NULL, "
                       "value numeric(6, 2) NOT NULL, max_score numeric(6, 2) NOT NULL, "
                       "part bigint NOT NULL, CHECK (value >= 0 AND value <= max_score), "
                       "UNIQUE (evaluation_id, indicator_id, part))")
    started = time.perf_counter()
    with transaction.atomic(), path.open() as stream, connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {BASELINE_TABLE} (evaluation_id, indicator_id, value, max_score, part) "
            "FROM STDIN", stream, size=1 << 20)
    return time.perf_counter() - started


def _peak_rss_of_command(files) -> float:
    root = Path(__file__).resolve().parent.parent
    for region, path, _count in files:
        subprocess.run([sys.executable, str(root / "manage.py"), "import_scores", str(path),
                        "--quarter", QUARTER, "--region", region.code,
                        "--user", "bench-importer"], check=True, cwd=root,
                       stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
