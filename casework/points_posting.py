"""The monthly posting of the points that derive from data (积分制), set-based.

``post_month(month)`` writes, for every county at once, one ``INSERT … SELECT … ON CONFLICT DO
NOTHING`` per rule kind: eight statements however many cadres, villages or counties (two more
give counties without rules today's defaults). The rule version is looked up in the statement
(the county's version in effect on the month's first day); a version worth 0 points posts
nothing. The unique keys per (rule code, person, source record, month) make a second run, a
retried task or an overlapping run add nothing.

Who earns what, for month M (cadres = people in leader or stationed-instructor pairings of the
village that were in force during M):

- ``visit_month``: each cadre pairing with at least one visit dated in M (source: the pairing);
- ``ledger_on_time``: each ledger item struck off in M on or before its due date, for every
  cadre of its village (source: the item);
- ``ledger_overdue``: each ledger item due in M and not struck off by its due date, as the data
  stand when the month is posted — once, in the month it fell due (source: the item);
- ``case_moved_up``: each case whose outcome "moved up" was recorded in M, for every cadre of
  its village (source: the case);
- ``instructor_month_met`` / ``_short``: each instructor-days row of M with at least / fewer
  than 20 days, for its instructor (source: the row).

Data that change after a month is posted do not change its points: the county reverses an
entry (``casework/points.py``) if it was wrong.
"""

from datetime import datetime, time

from django.db import connection, transaction
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from casework.models import (
    PERSON_KINDS,
    Case,
    InstructorDays,
    LedgerItem,
    LedgerStatus,
    Outcome,
    Pairing,
    PointsEntry,
    PointsRule,
    PointsSource,
    Visit,
)
from casework.points import ensure_default_rules, in_effect
from casework.standards import INSTRUCTOR_MIN_DAYS
from core.periods import Month

# The entry's columns, in the order each kind's SELECT produces them.
COLUMNS = ("person_id", "rule_id", "code", "village_id", "period", "points", "pairing_id",
           "ledger_item_id", "case_id", "instructor_days_id", "reason", "recorded_at")


def _bounds(month: Month) -> tuple[datetime, datetime]:
    return (timezone.make_aware(datetime.combine(month.start, time.min)),
            timezone.make_aware(datetime.combine(month.next_start(), time.min)))


def _cadres_in(month: Month, prefix: str) -> Q:
    """Leader and instructor pairings (through ``prefix``) in force during ``month``."""
    return Q(**{f"{prefix}kind__in": PERSON_KINDS, f"{prefix}partner_person__isnull": False,
                f"{prefix}start__lte": month.end}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": month.start}))


def _entry_rows(queryset: QuerySet, *, code: str, month: Month, county: str, person: str,
                village: str, source: str, now) -> QuerySet:
    """``queryset`` shaped as entry rows: one per (source, person), with the county's rule
    version for ``code`` in effect in ``month`` and its points."""
    rule = PointsRule.objects.filter(in_effect(month), county=OuterRef(county), code=code)
    sources = {"pairing": None, "ledger_item": None, "case": None, "instructor_days": None}
    sources[source] = F("pk")
    columns = {
        "c_person_id": F(person),
        "c_rule_id": Subquery(rule.values("pk")[:1]),
        "c_code": Value(code, output_field=CharField()),
        "c_village_id": F(village),
        "c_period": Value(str(month), output_field=CharField()),
        "c_points": Subquery(rule.values("points")[:1]),
        # Typed NULLs: PostgreSQL reads a bare NULL in a derived table as text.
        **{f"c_{name}_id": value if value is not None else Cast(Value(None), IntegerField())
           for name, value in sources.items()},
        "c_reason": Value("", output_field=CharField()),
        "c_recorded_at": Value(now, output_field=DateTimeField()),
    }
    return (queryset.annotate(**columns).filter(c_rule_id__isnull=False)
            .exclude(c_points=0).order_by().values_list(*columns).distinct())


def _kinds(month: Month, now) -> dict[str, QuerySet]:
    start, end = _bounds(month)
    cadre = _cadres_in(month, "village__pairings__")
    by_cadre = {"person": "village__pairings__partner_person_id", "village": "village_id",
                "county": "village__township__parent_id", "month": month, "now": now}
    struck_on_time = Q(status=LedgerStatus.STRUCK_OFF, struck_off_at__date__lte=F("due"))
    visited = Visit.objects.filter(pairing=OuterRef("pk"), date__gte=month.start,
                                   date__lte=month.end)
    instructor = {"person": "person_id", "village": "village_id",
                  "county": "village__township__parent_id", "month": month, "now": now,
                  "source": "instructor_days"}
    days = InstructorDays.objects.filter(month=str(month))
    return {
        PointsSource.VISIT_MONTH: _entry_rows(
            Pairing.objects.filter(_cadres_in(month, ""), Exists(visited)),
            code=PointsSource.VISIT_MONTH, person="partner_person_id", village="village_id",
            county="village__township__parent_id", source="pairing", month=month, now=now),
        PointsSource.LEDGER_ON_TIME: _entry_rows(
            LedgerItem.objects.filter(struck_on_time, cadre, struck_off_at__gte=start,
                                      struck_off_at__lt=end),
            code=PointsSource.LEDGER_ON_TIME, source="ledger_item", **by_cadre),
        PointsSource.LEDGER_OVERDUE: _entry_rows(
            LedgerItem.objects.filter(cadre, due__gte=month.start, due__lte=month.end)
            .exclude(struck_on_time),
            code=PointsSource.LEDGER_OVERDUE, source="ledger_item", **by_cadre),
        PointsSource.CASE_MOVED_UP: _entry_rows(
            Case.objects.filter(cadre, outcome=Outcome.MOVED_UP, outcome_at__gte=start,
                                outcome_at__lt=end),
            code=PointsSource.CASE_MOVED_UP, source="case", **by_cadre),
        PointsSource.INSTRUCTOR_MET: _entry_rows(
            days.filter(days__gte=INSTRUCTOR_MIN_DAYS), code=PointsSource.INSTRUCTOR_MET,
            **instructor),
        PointsSource.INSTRUCTOR_SHORT: _entry_rows(
            days.filter(days__lt=INSTRUCTOR_MIN_DAYS), code=PointsSource.INSTRUCTOR_SHORT,
            **instructor),
    }


def _insert(rows: QuerySet) -> int:
    select, params = rows.query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(PointsEntry._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    picked = ", ".join(f"src.{connection.ops.quote_name('c_' + c)}" for c in COLUMNS)
    # "WHERE true" keeps SQLite from reading ON CONFLICT as a join's ON (its documented fix).
    sql = (f"INSERT INTO {table} ({names}) SELECT {picked} FROM ({select}) src WHERE true "
           f"ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def post_month(*, month: Month, now: datetime | None = None) -> dict[str, int]:
    """Post every county's derived points for ``month``; returns the new entries per rule.
    Idempotent: entries already posted stay as they are and are not posted twice. ``now`` is
    the time recorded on the entries (the demo backdates them to when the task would have
    run)."""
    ensure_default_rules()
    now = now or timezone.now()
    return {code: _insert(rows) for code, rows in _kinds(month, now).items()}
