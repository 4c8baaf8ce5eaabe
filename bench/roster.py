"""Making one half-month's warning roster for 20,000 villages vs the bare INSERT … SELECT.

Project: ``earlywarning.roster.build`` — the period row, then one INSERT … SELECT computing each
village's reasons as of the moment (grade, class 3 in its county's latest approved quarter, open
case, the county's decisions). Baseline: one hand-written INSERT … SELECT of the same rows with
LEFT JOINs, for "now" only. Both run in a transaction that is rolled back, on a period nobody
uses. Goal: ≤ 1.5×.
"""

from bench.common import median_seconds, report

BASELINE_SQL = """
INSERT INTO earlywarning_rosterentry
    (period, village_id, township_id, county_id, poor_grade_year, class_three_quarter,
     open_case_id, county_addition_id, removal_id, removed_at, added_at, updated_at)
SELECT %(period)s, v.id, v.township_id, t.parent_id, g.year, COALESCE(e.quarter, ''), c.id,
       da.id, dr.id, CASE WHEN dr.id IS NOT NULL THEN now() END, now(), now()
FROM villages_village v
JOIN villages_region t ON t.id = v.township_id
LEFT JOIN (SELECT b.village_id, g.year FROM villages_annualgrade g
           JOIN villages_partybranch b ON b.id = g.branch_id
           WHERE g.grade = 'poor' AND g.year = %(year)s) g ON g.village_id = v.id
LEFT JOIN (SELECT e.village_id, max(e.quarter) AS quarter FROM earlywarning_evaluation e
           JOIN (SELECT county_id, max(quarter) AS quarter FROM earlywarning_quarterapproval
                 WHERE revoked_at IS NULL GROUP BY county_id) a
             ON a.county_id = e.county_id AND a.quarter = e.quarter
           WHERE e.tier = 3 GROUP BY e.village_id) e ON e.village_id = v.id
LEFT JOIN (SELECT village_id, min(id) AS id FROM casework_case WHERE closed_at IS NULL
           GROUP BY village_id) c ON c.village_id = v.id
LEFT JOIN earlywarning_rosterdecision da
       ON da.village_id = v.id AND da.ended_at IS NULL AND da.action = 'add'
LEFT JOIN earlywarning_rosterdecision dr
       ON dr.village_id = v.id AND dr.ended_at IS NULL AND dr.action = 'remove'
WHERE v.is_active
  AND (g.year IS NOT NULL OR e.quarter IS NOT NULL OR c.id IS NOT NULL OR da.id IS NOT NULL)
"""


def run(villages: int) -> None:
    from django.db import connection, transaction

    from core.periods import HalfMonth
    from earlywarning import roster
    from villages.models import Village

    period = HalfMonth(2000, 1, 1)  # a period no roster uses: every run builds it afresh
    year = roster.latest_grade_year(roster.start_of(HalfMonth.current()))
    rows = []

    def baseline():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, {"period": str(period), "year": year})
            rows.append(cursor.rowcount)
            transaction.set_rollback(True)

    def project():
        with transaction.atomic():
            roster.build(period)
            rows.append(roster.RosterEntry.objects.filter(period=str(period)).count())
            transaction.set_rollback(True)

    baseline_time = median_seconds(baseline, repeats=5) * 1000
    project_time = median_seconds(project, repeats=5) * 1000
    count = Village.objects.count()
    print(f"(roster of {rows[-1]} villages out of {count}; baseline {rows[0]} rows)",
          flush=True)
    report(f"roster of one half-month, {count:,} villages", project_time, baseline_time,
           "ms", "≤ 1.5", key="roster")
