"""The warning roster (预警名单) of each half-month: made, changed while open, frozen after.

Who is on it (domain.md, "The warning state over time"): every active village that, as of the
moment the roster is made, is graded 较差 in the latest grading year, is in class 3 in its own
county's latest approved quarter, has an open rectification case, or is added by the county —
each reason kept on the row. A village the county removed (with its reason) keeps its row, marked
removed, and is not rated.

Made once per period (``build``: one INSERT … SELECT, idempotent), by the beat task on the 1st
and 16th or on first access (``ensure``). While the period is open for a township (``locks.py``)
its part changes with the county's decisions (``decide``), and the current period also takes in
newly approved quarters and newly opened cases (``note_approved_quarter``, ``note_open_case``);
every such change is a RosterChange row. After the deadline nothing changes it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import (
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case as RectificationCase
from core.errors import DomainError, NotAllowed
from core.periods import HalfMonth
from earlywarning import locks
from earlywarning.models import (
    ChangeKind,
    Color,
    DecisionAction,
    Evaluation,
    QuarterApproval,
    RatingStatus,
    RosterChange,
    RosterDecision,
    RosterEntry,
    RosterPeriod,
    RosterReason,
    Tier,
    WarningRating,
)
from villages import scoping
from villages.models import AnnualGrade, Grade, Region, Village

ENTRY_COLUMNS = ("period", "village_id", "township_id", "county_id", "poor_grade_year",
                 "class_three_quarter", "open_case_id", "county_addition_id", "removal_id",
                 "removed_at", "added_at", "updated_at")


# --- The facts as of an instant ------------------------------------------------------------------


def latest_grade_year(as_of: datetime) -> int | None:
    """The latest grading year whose grades were known at ``as_of`` (a grade without a date
    counts as known)."""
    day = timezone.localdate(as_of)
    return (AnnualGrade.objects.filter(Q(graded_on__isnull=True) | Q(graded_on__lte=day))
            .order_by("-year").values_list("year", flat=True).first())


def approved_quarter_of(county_ref, as_of: datetime) -> Subquery:
    """The county's latest quarter approved at ``as_of`` (and not reopened by then)."""
    return Subquery(QuarterApproval.objects.filter(county=county_ref, approved_at__lte=as_of)
                    .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=as_of))
                    .order_by("-quarter").values("quarter")[:1])


def approved_evaluation(village_ref, as_of: datetime) -> QuerySet[Evaluation]:
    """The village's evaluation in its county's latest quarter approved at ``as_of`` (the county
    it was evaluated in: each county's approved quarter counts for that county alone)."""
    return (Evaluation.objects.filter(village=village_ref,
                                      quarter=approved_quarter_of(OuterRef("county_id"), as_of))
            .order_by("-quarter"))


def _in_force(queryset: QuerySet, as_of: datetime, start: str, end: str) -> QuerySet:
    return queryset.filter(**{f"{start}__lte": as_of}).filter(
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": as_of}))


def with_reasons(villages: QuerySet[Village], as_of: datetime) -> QuerySet[Village]:
    """``villages`` annotated with their reasons for a roster made at ``as_of``
    (``poor_grade_year``, ``class_three_quarter``, ``open_case_id``, ``addition_id``) and the
    county's removal in force (``removal_id``)."""
    poor = AnnualGrade.objects.filter(branch__village=OuterRef("pk"), grade=Grade.POOR,
                                      year=latest_grade_year(as_of)).filter(
        Q(graded_on__isnull=True) | Q(graded_on__lte=timezone.localdate(as_of)))
    class_three = approved_evaluation(OuterRef("pk"), as_of).filter(tier=Tier.THIRD)
    cases = _in_force(RectificationCase.objects.filter(village=OuterRef("pk")), as_of,
                      "opened_at", "closed_at").order_by("opened_at", "pk")
    decisions = _in_force(RosterDecision.objects.filter(village=OuterRef("pk")), as_of,
                          "made_at", "ended_at")
    return villages.filter(is_active=True).order_by().annotate(
        poor_grade_year=Subquery(poor.values("year")[:1]),
        class_three_quarter=Subquery(class_three.values("quarter")[:1]),
        open_case_id=Subquery(cases.values("pk")[:1]),
        addition_id=Subquery(decisions.filter(action=DecisionAction.ADD).values("pk")[:1]),
        removal_id=Subquery(decisions.filter(action=DecisionAction.REMOVE).values("pk")[:1]),
    )


def candidates(villages: QuerySet[Village], as_of: datetime) -> QuerySet[Village]:
    """``villages`` that belong on a roster made at ``as_of``, with their reasons."""
    return with_reasons(villages, as_of).filter(
        Q(poor_grade_year__isnull=False) | Q(class_three_quarter__isnull=False)
        | Q(open_case_id__isnull=False) | Q(addition_id__isnull=False))


# --- Making a period's roster --------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Every reason as a set joined to the villages once: per-village subqueries made PostgreSQL
# re-run each lookup 20,000 times (72 s against 0.2 s for this form, bench/roster.py).
_INSERT = """
INSERT INTO {entry} ({columns})
SELECT %(period)s, v.id, v.township_id, t.parent_id, g.year, COALESCE(e.quarter, ''), c.id,
       da.id, dr.id, CASE WHEN dr.id IS NOT NULL THEN %(now)s END, %(now)s, %(now)s
FROM {village} v
JOIN {region} t ON t.id = v.township_id
LEFT JOIN (SELECT b.village_id, MAX(g.year) AS year FROM {grade} g
           JOIN {branch} b ON b.id = g.branch_id
           WHERE g.grade = %(poor)s AND g.year = %(year)s
             AND (g.graded_on IS NULL OR g.graded_on <= %(day)s)
           GROUP BY b.village_id) g ON g.village_id = v.id
LEFT JOIN (SELECT e.village_id, MAX(e.quarter) AS quarter FROM {evaluation} e
           JOIN (SELECT county_id, MAX(quarter) AS quarter FROM {approval}
                 WHERE approved_at <= %(as_of)s
                   AND (revoked_at IS NULL OR revoked_at > %(as_of)s)
                 GROUP BY county_id) a ON a.county_id = e.county_id AND a.quarter = e.quarter
           WHERE e.tier = %(tier)s GROUP BY e.village_id) e ON e.village_id = v.id
LEFT JOIN (SELECT village_id, MIN(id) AS id FROM {case}
           WHERE opened_at <= %(as_of)s AND (closed_at IS NULL OR closed_at > %(as_of)s)
           GROUP BY village_id) c ON c.village_id = v.id
LEFT JOIN (SELECT village_id, MAX(id) AS id FROM {decision}
           WHERE action = %(add)s AND made_at <= %(as_of)s
             AND (ended_at IS NULL OR ended_at > %(as_of)s)
           GROUP BY village_id) da ON da.village_id = v.id
LEFT JOIN (SELECT village_id, MAX(id) AS id FROM {decision}
           WHERE action = %(remove)s AND made_at <= %(as_of)s
             AND (ended_at IS NULL OR ended_at > %(as_of)s)
           GROUP BY village_id) dr ON dr.village_id = v.id
WHERE v.is_active
  AND (g.year IS NOT NULL OR e.quarter IS NOT NULL OR c.id IS NOT NULL OR da.id IS NOT NULL)
ON CONFLICT (period, village_id) DO NOTHING
"""


def _insert_rows(period: HalfMonth, as_of: datetime, now: datetime) -> int:
    """INSERT … SELECT every village's roster row with its reasons as of ``as_of``; rows
    already there are left alone. The same rule as ``with_reasons``, as joins."""
    sql = _INSERT.format(
        entry=_table(RosterEntry), village=_table(Village), region=_table(Region),
        grade=_table(AnnualGrade), branch=_table(AnnualGrade.branch.field.related_model),
        evaluation=_table(Evaluation), approval=_table(QuarterApproval),
        case=_table(RectificationCase), decision=_table(RosterDecision),
        columns=", ".join(connection.ops.quote_name(c) for c in ENTRY_COLUMNS))
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "period": str(period), "now": ops.adapt_datetimefield_value(now),
            "as_of": ops.adapt_datetimefield_value(as_of),
            "day": ops.adapt_datefield_value(timezone.localdate(as_of)),
            "year": latest_grade_year(as_of),
            "poor": Grade.POOR.value, "tier": int(Tier.THIRD), "add": DecisionAction.ADD.value,
            "remove": DecisionAction.REMOVE.value})
        return cursor.rowcount


@transaction.atomic
def build(period: HalfMonth, *, as_of: datetime | None = None,
          now: datetime | None = None) -> RosterPeriod:
    """Make ``period``'s roster from the data as of ``as_of`` (default: now); idempotent — a
    period already made is returned as it is. Builds of one period serialize on its row."""
    now = now or timezone.now()
    as_of = as_of or now
    made, created = RosterPeriod.objects.select_for_update().get_or_create(
        period=str(period), defaults={"as_of": as_of, "built_at": now})
    if not created:
        return made
    _insert_rows(period, as_of, now)
    return made


def ensure(period: HalfMonth, *, now: datetime | None = None) -> RosterPeriod:
    """The period's roster, made now if nobody made it yet: the current period from today's
    data, a past one from the data as it stood when it began. A future period has none."""
    now = now or timezone.now()
    made = RosterPeriod.objects.filter(period=str(period)).first()
    if made is not None:
        return made
    today = timezone.localdate(now)
    if period.is_future(today):
        raise DomainError(_("The period %(period)s has not begun yet.") % {"period": period},
                          field="period")
    if period == HalfMonth.containing(today):
        return build(period, now=now)
    return build(period, as_of=start_of(period), now=now)


def ensure_all(periods, *, now: datetime | None = None) -> None:
    """``ensure`` for several periods at once (future ones skipped): one query when all are
    made already, which is the usual case."""
    today = timezone.localdate(now or timezone.now())
    wanted = {str(p): p for p in periods if not p.is_future(today)}
    made = set(RosterPeriod.objects.filter(period__in=wanted).values_list("period", flat=True))
    for text in sorted(set(wanted) - made):
        ensure(wanted[text], now=now)


def start_of(period: HalfMonth) -> datetime:
    return timezone.make_aware(datetime.combine(period.start, datetime.min.time()))


def _current(now: datetime) -> tuple[HalfMonth, bool]:
    """The current period, and whether its roster was made just now (from data that already
    holds whatever the caller has just written)."""
    period = HalfMonth.containing(timezone.localdate(now))
    existed = RosterPeriod.objects.filter(period=str(period)).exists()
    ensure(period, now=now)
    return period, not existed


def entries(period: HalfMonth) -> QuerySet[RosterEntry]:
    """The villages a township must rate in ``period`` (made if need be), removed ones left
    out."""
    ensure(period)
    return RosterEntry.objects.filter(period=str(period), removed_at__isnull=True)


def rostered(villages: QuerySet[Village], period: HalfMonth) -> QuerySet[Village]:
    return villages.filter(pk__in=entries(period).values("village_id"))


# --- Changes while a period is open --------------------------------------------------------------


def _log(entry: RosterEntry, kind: str, reason_kind: str, detail: str, by, at) -> RosterChange:
    return RosterChange(entry=entry, kind=kind, reason_kind=reason_kind, detail=detail[:300],
                        by=by, at=at)


def _open_periods_for(village: Village, *, only: HalfMonth | None, now) -> list[HalfMonth]:
    """The made periods whose part for the village's township is open now."""
    today = timezone.localdate(now)
    if only is not None:
        exception = locks.exceptions_for(only, [village.township_id]).get(village.township_id)
        locks.check_open(only, today=today, exception=exception)
        ensure(only, now=now)
        return [only]
    ensure(HalfMonth.containing(today), now=now)
    made = [HalfMonth.parse(p) for p in RosterPeriod.objects.filter(
        period__gte=str(HalfMonth.containing(today).previous().previous())
    ).values_list("period", flat=True)]
    periods = []
    for period in made:
        exception = locks.exceptions_for(period, [village.township_id]).get(village.township_id)
        try:
            locks.check_open(period, today=today, exception=exception)
        except DomainError:
            continue
        periods.append(period)
    return periods


def _apply_decision(decision: RosterDecision, period: HalfMonth, now) -> RosterChange | None:
    village = decision.village
    entry = (RosterEntry.objects.select_for_update()
             .filter(period=str(period), village=village).first())
    if decision.action == DecisionAction.REMOVE:
        if entry is None or entry.removed_at is not None:
            return None
        RosterEntry.objects.filter(pk=entry.pk).update(removed_at=now, removal=decision,
                                                       updated_at=now)
        return _log(entry, ChangeKind.REMOVED, "", decision.reason, decision.made_by, now)
    if entry is None:
        entry = RosterEntry.objects.create(
            period=str(period), village=village, township_id=village.township_id,
            county_id=village.township.parent_id, county_addition=decision, added_at=now,
            updated_at=now)
        return _log(entry, ChangeKind.ADDED, RosterReason.COUNTY_ADDED, decision.reason,
                    decision.made_by, now)
    kind = ChangeKind.RESTORED if entry.removed_at is not None else ChangeKind.REASON_ADDED
    RosterEntry.objects.filter(pk=entry.pk).update(county_addition=decision, removed_at=None,
                                                   removal=None, updated_at=now)
    return _log(entry, kind, RosterReason.COUNTY_ADDED, decision.reason, decision.made_by, now)


@transaction.atomic
def decide(*, actor, village: Village, action: str, reason: str,
           period: HalfMonth | None = None, now: datetime | None = None) -> RosterDecision:
    """The county adds a village to the roster or removes it, saying why. The decision holds for
    every roster made while it is in force, and changes the open periods' rosters now (or only
    ``period``, which must be open for the village's township)."""
    now = now or timezone.now()
    if not scoping.can_change_roster(actor, village):
        raise NotAllowed(_("Only the county organization department over %(village)s may "
                           "change the warning roster.") % {"village": village.name})
    if action not in DecisionAction.values:
        raise DomainError(_("Choose whether to add or remove the village."), field="action")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the change."), field="reason")
    if len(reason) > 300:
        raise DomainError(_("Keep the reason under 300 characters."), field="reason")
    periods = _open_periods_for(village, only=period, now=now)
    Village.objects.select_for_update().filter(pk=village.pk).first()
    RosterDecision.objects.filter(village=village, ended_at__isnull=True).update(ended_at=now)
    decision = RosterDecision.objects.create(village=village, action=action, reason=reason,
                                             made_by=actor, made_at=now)
    changes = [change for p in periods if (change := _apply_decision(decision, p, now))]
    RosterChange.objects.bulk_create(changes)
    return decision


def _take_in(period: HalfMonth, village_ids: list[int], *, field: str, value, kind: str,
             detail: str, now) -> int:
    """Give the current period's rows of ``village_ids`` the reason ``field=value``, adding the
    villages that were not on it; log each change. A fixed number of statements."""
    existing = {e.village_id: e for e in RosterEntry.objects.select_for_update().filter(
        period=str(period), village_id__in=village_ids)}
    needs_reason = [e for e in existing.values() if getattr(e, field) in (None, "")]
    RosterEntry.objects.filter(pk__in=[e.pk for e in needs_reason]).update(
        **{field: value, "updated_at": now})
    fresh = [vid for vid in village_ids if vid not in existing]
    if fresh:
        removal = dict(RosterDecision.objects.filter(
            village_id__in=fresh, ended_at__isnull=True, action=DecisionAction.REMOVE)
            .values_list("village_id", "pk"))
        RosterEntry.objects.bulk_create([RosterEntry(
            period=str(period), village=village, township_id=village.township_id,
            county_id=village.township.parent_id, added_at=now, updated_at=now,
            removal_id=removal.get(village.pk), removed_at=now if village.pk in removal else None,
            **{field: value}) for village in Village.objects.filter(pk__in=fresh)
            .select_related("township")])
    added = RosterEntry.objects.filter(period=str(period), village_id__in=fresh)
    RosterChange.objects.bulk_create(
        [_log(e, ChangeKind.REASON_ADDED, kind, detail, None, now) for e in needs_reason]
        + [_log(e, ChangeKind.ADDED, kind, detail, None, now) for e in added])
    return len(needs_reason) + len(fresh)


@transaction.atomic
def note_approved_quarter(*, county: Region, quarter: str, now: datetime | None = None) -> int:
    """The county's quarter was approved: its class-3 villages join the current roster."""
    now = now or timezone.now()
    period, just_made = _current(now)
    if just_made:
        return 0
    ids = list(Evaluation.objects.filter(county=county, quarter=quarter, tier=Tier.THIRD,
                                         village__is_active=True)
               .values_list("village_id", flat=True))
    return _take_in(period, ids, field="class_three_quarter", value=quarter,
                    kind=RosterReason.CLASS_THREE,
                    detail=_("Class 3 (三类) in %(quarter)s") % {"quarter": quarter}, now=now)


@transaction.atomic
def note_open_case(*, case, now: datetime | None = None) -> int:
    """A case was opened: its village joins the current roster."""
    now = now or timezone.now()
    period, just_made = _current(now)
    if just_made:
        return 0
    return _take_in(period, [case.village_id], field="open_case_id", value=case.pk,
                    kind=RosterReason.OPEN_CASE,
                    detail=_("Case #%(number)s opened") % {"number": case.pk}, now=now)


# --- Reading it ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    kind: str
    detail: str

    @property
    def label(self) -> str:
        return str(RosterReason(self.kind).label)


def reasons(entry: RosterEntry) -> list[Reason]:
    """An entry's reasons, each with its detail (the year, the quarter, the case, the county's
    words). Reads ``county_addition`` and ``open_case``: select them with the entry."""
    found = []
    if entry.poor_grade_year:
        found.append(Reason(RosterReason.POOR_GRADE, _("Graded 较差 in %(year)s")
                            % {"year": entry.poor_grade_year}))
    if entry.class_three_quarter:
        found.append(Reason(RosterReason.CLASS_THREE, _("Class 3 (三类) in %(quarter)s")
                            % {"quarter": entry.class_three_quarter}))
    if entry.open_case_id:
        found.append(Reason(RosterReason.OPEN_CASE, _("Case #%(number)s")
                            % {"number": entry.open_case_id}))
    if entry.county_addition_id:
        found.append(Reason(RosterReason.COUNTY_ADDED, entry.county_addition.reason))
    return found


def reason_filter(kind: str) -> Q:
    """Entries on the roster for the reason ``kind``."""
    return {
        RosterReason.POOR_GRADE: Q(poor_grade_year__isnull=False),
        RosterReason.CLASS_THREE: ~Q(class_three_quarter=""),
        RosterReason.OPEN_CASE: Q(open_case__isnull=False),
        RosterReason.COUNTY_ADDED: Q(county_addition__isnull=False),
    }[RosterReason(kind)]


UNRATED = "unrated"


def rows(user, period: HalfMonth, *, region: Region | None = None, reason: str = "",
         color: str = "", removed: bool = False) -> QuerySet[RosterEntry]:
    """The roster list's rows (made if need be): entries the user may see, with the period's
    submitted color (``rated_color``, empty when not rated yet), newest reasons selected.
    ``color`` filters by it (``"unrated"`` for none); ``removed`` shows the removed instead.
    The dashboard's color figures count this same selector."""
    ensure(period)
    rated = WarningRating.objects.filter(village=OuterRef("village_id"), period=str(period),
                                         status=RatingStatus.SUBMITTED).order_by()
    entries = scoping.visible_by_village(user, RosterEntry.objects.filter(
        period=str(period), removed_at__isnull=not removed))
    if region is not None:
        entries = entries.filter(township__path__startswith=region.path)
    if reason:
        entries = entries.filter(reason_filter(reason))
    entries = entries.annotate(rated_color=Subquery(rated.values("color")[:1]))
    if color == UNRATED:
        entries = entries.filter(rated_color__isnull=True)
    elif color:
        entries = entries.filter(rated_color=color)
    return entries.select_related("village", "township__parent", "county_addition",
                                  "removal").order_by("township__code", "village__code")


def color_counts(user, period: HalfMonth) -> dict[str, int]:
    """Rostered villages by the period's color (and ``unrated``), over ``rows``."""
    found = dict(rows(user, period).values_list("rated_color").annotate(n=Count("pk"))
                 .order_by())
    counts = {c: found.get(c, 0) for c in Color.values}
    counts[UNRATED] = found.get(None, 0)
    return counts
