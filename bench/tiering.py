"""Tiering a 20,000-village quarter vs one hand-written percent_rank()/CASE statement.

Project: ``earlywarning.tiering.tier_counties`` — for every county one window-function UPDATE
(rank, percentile, tier with the written rounding and tie rule), the tier counts, and the
tracking follow-up. Baseline: a single UPDATE over all counties setting the same three columns
from ``rank()``/``percent_rank()`` and a CASE, without the tie rule or tracking. Goal: ≤ 1.5×.
"""

from bench.common import median_seconds, report

QUARTER = "2026Q3"
# Used when the demo quarters are not loaded; removed again afterwards.
BENCH_QUARTER = "2024Q4"

BASELINE_SQL = """
UPDATE earlywarning_evaluation AS e
SET "rank" = b.place, percentile = b.share, tier = b.tier
FROM (
    SELECT id,
           RANK() OVER w AS place,
           PERCENT_RANK() OVER (PARTITION BY county_id ORDER BY total ASC) AS share,
           CASE WHEN PERCENT_RANK() OVER w < 0.3 THEN 1
                WHEN PERCENT_RANK() OVER w >= 0.8 THEN 3
                ELSE 2 END AS tier
    FROM earlywarning_evaluation
    WHERE quarter = %s
    WINDOW w AS (PARTITION BY county_id ORDER BY total DESC)
) AS b
WHERE e.id = b.id
"""


def run(villages: int) -> None:
    from django.db import connection, transaction

    from earlywarning import tiering
    from earlywarning.models.evaluations import Evaluation

    quarter, synthetic = QUARTER, False
    if Evaluation.objects.filter(quarter=quarter).count() < villages * 0.95:
        quarter, synthetic = BENCH_QUARTER, True
        _synthetic_quarter()
    evaluations = Evaluation.objects.filter(quarter=quarter).count()
    counties = Evaluation.objects.filter(quarter=quarter).values("county").distinct().count()
    print(f"(tiering {evaluations} evaluations of {quarter} in {counties} counties)", flush=True)

    def baseline():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [quarter])

    def project():
        tiering.tier_counties(quarter=quarter)

    try:
        baseline_time = median_seconds(baseline, repeats=5) * 1000
        project_time = median_seconds(project, repeats=5) * 1000
    finally:
        if synthetic:
            _drop_synthetic_quarter()
    report(f"tiering {evaluations:,} villages", project_time, baseline_time, "ms", "≤ 1.2",
           key="tiering")


def _synthetic_quarter():
    """Totals for every active village (no score rows: tiering reads totals only). Totals are
    rounded to one decimal so that ties occur, as they do in real scores."""
    import random
    from decimal import Decimal

    from earlywarning.catalogue import applicable_set
    from earlywarning.models.evaluations import Evaluation
    from rectify.demo import scores as demo_scores
    from villages.models import Region, Village

    demo_scores.build_indicator_sets()
    rng = random.Random(2026)
    sets = {}
    rows = []
    for pk, county_id in Village.objects.filter(is_active=True).values_list(
            "pk", "township__parent_id").iterator(chunk_size=5000):
        if county_id not in sets:
            sets[county_id] = applicable_set(Region.objects.get(pk=county_id), 2025)
        total = Decimal(round(rng.gauss(75, 10), 1)).quantize(Decimal("0.01"))
        rows.append(Evaluation(village_id=pk, county_id=county_id, quarter=BENCH_QUARTER,
                               indicator_set=sets[county_id], total=max(total, Decimal(0))))
    Evaluation.objects.bulk_create(rows, batch_size=5000)


def _drop_synthetic_quarter():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM earlywarning_trackingassignment WHERE quarter = %s OR "
                       "closed_quarter = %s", [BENCH_QUARTER, BENCH_QUARTER])
        cursor.execute("DELETE FROM earlywarning_evaluation WHERE quarter = %s",
                       [BENCH_QUARTER])
