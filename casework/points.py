"""新昌's cadre points (积分制管理): the rules of a county and the entries written by hand.

Points are entries, not a live computation (``casework/models/points.py``). The monthly task
posts the entries that derive from data (``casework/points_posting.py``); county staff change
rules, add rules of their own, record points by hand and reverse wrong entries, here. Reads are
in ``casework/points_summary.py``.

Every county starts with today's six rules (``DEFAULT_RULES``), in effect from 2000-01:

| code | derives from | points |
|---|---|---|
| visit_month | month with at least one visit logged under the cadre's pairing | +1 |
| ledger_on_time | ledger item of the village struck off by its due date, in that month | +2 |
| ledger_overdue | ledger item of the village due that month and not struck off by then | −1 |
| case_moved_up | the village's case moved up (晋位升级) that month | +10 |
| instructor_month_met | instructor month with at least 20 days in the village | +1 |
| instructor_month_short | instructor month logged with fewer than 20 days | −2 |

**A change is a new version** that takes effect on the first day of a month: no earlier than
the current month and no earlier than the month after the last month already posted under the
rule, so posted points never fall under a rule they were not posted by. The version before ends
there. A version is never edited, and nothing is deleted.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import (
    POINTS_LIMIT,
    PointsEntry,
    PointsRule,
    PointsSource,
)
from casework.models.points import CODE_REGEX
from core.errors import Conflict, DomainError, NotAllowed
from core.periods import Month
from villages import scoping
from villages.models import Person, Region, RegionLevel, Village

DEFAULTS_FROM = date(2000, 1, 1)
# How far ahead a change may be dated: a rule for the next assessment year, not for a decade.
MONTHS_AHEAD = 24


@dataclass(frozen=True)
class DefaultRule:
    code: str
    label: str
    points: int


# Labels are data (a county renames its rules), so they are stored in Chinese like the report.
DEFAULT_RULES = (
    DefaultRule(PointsSource.VISIT_MONTH, "当月到结对村走访", 1),
    DefaultRule(PointsSource.LEDGER_ON_TIME, "台帐问题按期销号", 2),
    DefaultRule(PointsSource.LEDGER_OVERDUE, "台帐问题逾期未销号", -1),
    DefaultRule(PointsSource.CASE_MOVED_UP, "结对村晋位升级", 10),
    DefaultRule(PointsSource.INSTRUCTOR_MET, "驻村指导员当月驻村满20天", 1),
    DefaultRule(PointsSource.INSTRUCTOR_SHORT, "驻村指导员当月驻村不足20天", -2),
)


def ensure_default_rules(counties: QuerySet[Region] | None = None) -> int:
    """Give every county without rules today's six, in two statements whatever the number."""
    counties = Region.objects.filter(level=RegionLevel.COUNTY) if counties is None else counties
    bare = list(counties.exclude(pk__in=PointsRule.objects.values("county_id"))
                .values_list("pk", flat=True))
    PointsRule.objects.bulk_create([
        PointsRule(county_id=county_id, code=rule.code, label=rule.label, points=rule.points,
                   derived_from=rule.code, effective_from=DEFAULTS_FROM)
        for county_id in bare for rule in DEFAULT_RULES], ignore_conflicts=True)
    return len(bare)


def in_effect(month: Month) -> Q:
    """The rule versions that apply to ``month``."""
    return Q(effective_from__lte=month.start) & (
        Q(effective_until__isnull=True) | Q(effective_until__gt=month.start))


def rules_in_effect(county: Region, month: Month | None = None) -> QuerySet[PointsRule]:
    month = month or Month.containing(timezone.localdate())
    return PointsRule.objects.filter(in_effect(month), county=county).order_by(
        "derived_from", "code")


def county_rules(county: Region) -> QuerySet[PointsRule]:
    """Every version of the county's rules, newest version of each first."""
    return PointsRule.objects.filter(county=county).select_related("created_by").order_by(
        "code", "-version")


# --- Changing rules -------------------------------------------------------------------------------


def _require_rule_manager(actor, county: Region) -> None:
    if not scoping.can_manage_points_rules(actor, county):
        raise NotAllowed(_("Only the county organization department of %(county)s changes its "
                           "points rules.") % {"county": county.name})


def _points(value) -> int:
    try:
        points = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Points are a whole number."), field="points") from None
    if not -POINTS_LIMIT <= points <= POINTS_LIMIT:
        raise DomainError(_("Points lie between −%(limit)d and +%(limit)d.")
                          % {"limit": POINTS_LIMIT}, field="points")
    return points


def _label(value) -> str:
    label = (value or "").strip()
    if not label:
        raise DomainError(_("Give the rule a label."), field="label")
    if len(label) > 80:
        raise DomainError(_("A label has at most 80 characters."), field="label")
    return label


def _effective_month(value, *, county: Region, code: str, today: date) -> Month:
    """The month a new version takes effect: not in the past, not beyond ``MONTHS_AHEAD``, and
    after every month already posted under the rule."""
    month = value if isinstance(value, Month) else Month.parse(value, field="effective_from")
    current = Month.containing(today)
    if month < current:
        raise DomainError(_("A rule change cannot reach back into past months: it takes effect "
                            "from %(month)s at the earliest.") % {"month": current},
                          field="effective_from")
    latest = Month(current.year + MONTHS_AHEAD // 12, current.month)
    if month > latest:
        raise DomainError(_("A rule change takes effect within two years, by %(month)s.")
                          % {"month": latest}, field="effective_from")
    posted = PointsEntry.objects.filter(rule__county=county, code=code).aggregate(
        last=Max("period"))["last"]
    if posted and str(month) <= posted:
        following = Month.containing(Month.parse(posted).next_start())
        raise DomainError(_("Points for %(posted)s are already posted under this rule; a change "
                            "takes effect from %(month)s at the earliest.")
                          % {"posted": posted, "month": following}, field="effective_from")
    return month


@transaction.atomic
def change_rule(*, actor, rule: PointsRule, label: str, points, effective_from,
                today: date | None = None) -> PointsRule:
    """A new version of ``rule`` (the county's open version), from ``effective_from`` on."""
    _require_rule_manager(actor, rule.county)
    today = today or timezone.localdate()
    label, points = _label(label), _points(points)
    month = _effective_month(effective_from, county=rule.county, code=rule.code, today=today)
    if (label, points) == (rule.label, rule.points):
        raise DomainError(_("Nothing changed: give a new label or number of points."),
                          field="points")
    if month.start < rule.effective_from:
        raise DomainError(_("Version %(version)d takes effect on %(date)s; a new version cannot "
                            "start before it.") % {"version": rule.version,
                                                   "date": rule.effective_from},
                          field="effective_from")
    # Conditional: of two clerks changing the same rule at once, the second finds it closed.
    closed = PointsRule.objects.filter(pk=rule.pk, effective_until__isnull=True).update(
        effective_until=month.start)
    if not closed:
        raise Conflict(_("This rule was changed meanwhile; reload the page."), field="points")
    return PointsRule.objects.create(
        county=rule.county, code=rule.code, label=label, points=points,
        derived_from=rule.derived_from, version=rule.version + 1,
        effective_from=month.start, created_by=actor)


@transaction.atomic
def add_rule(*, actor, county: Region, code: str, label: str, points, effective_from,
             today: date | None = None) -> PointsRule:
    """A rule of the county's own, recorded by hand (e.g. 评先评优 +5)."""
    _require_rule_manager(actor, county)
    code = (code or "").strip().lower()
    if not re.fullmatch(CODE_REGEX, code):
        raise DomainError(_("A code is 2–40 lower-case letters, digits or _, starting with a "
                            "letter, e.g. commendation."), field="code")
    if code in PointsSource.values:
        raise DomainError(_("This code belongs to a rule derived from data."), field="code")
    if PointsRule.objects.filter(county=county, code=code).exists():
        raise DomainError(_("The county already has a rule with this code."), field="code")
    label, points = _label(label), _points(points)
    month = _effective_month(effective_from, county=county, code=code,
                             today=today or timezone.localdate())
    try:
        with transaction.atomic():
            return PointsRule.objects.create(
                county=county, code=code, label=label, points=points,
                derived_from=PointsSource.MANUAL, effective_from=month.start, created_by=actor)
    except IntegrityError:
        raise DomainError(_("The county already has a rule with this code."),
                          field="code") from None


# --- Entries by hand ------------------------------------------------------------------------------


def _reason(value) -> str:
    reason = (value or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    return reason


@transaction.atomic
def record_entry(*, actor, rule: PointsRule, person: Person, village: Village, period,
                 reason: str, today: date | None = None) -> PointsEntry:
    """Points under one of the county's own (hand-recorded) rules."""
    if not scoping.can_correct_points(actor, village):
        raise NotAllowed(_("Only the county organization department over %(village)s records "
                           "points there.") % {"village": village.name})
    month = period if isinstance(period, Month) else Month.parse(period, field="period")
    if month.is_future(today):
        raise DomainError(_("Points cannot be recorded for a future month."), field="period")
    if rule.derived_from != PointsSource.MANUAL:
        raise DomainError(_("Points of this rule are posted from the data by the monthly task."),
                          field="rule")
    if village.township.parent_id != rule.county_id:
        raise DomainError(_("%(village)s lies outside the rule's county.")
                          % {"village": village.name}, field="village")
    version = rules_in_effect(rule.county, month).filter(code=rule.code).first()
    if version is None:
        raise DomainError(_("The rule is not in effect in %(month)s.") % {"month": month},
                          field="period")
    if version.points == 0:
        raise DomainError(_("The rule is worth no points in %(month)s.") % {"month": month},
                          field="rule")
    if not scoping.visible_people(actor).filter(pk=person.pk).exists():
        raise DomainError(_("Unknown person."), field="person")
    return PointsEntry.objects.create(
        person=person, rule=version, code=version.code, village=village, period=str(month),
        points=version.points, reason=_reason(reason), recorded_by=actor)


@transaction.atomic
def reverse_entry(*, actor, entry: PointsEntry, reason: str) -> PointsEntry:
    """The correction of a wrong entry: an entry of the opposite points that names it. The
    entry itself never changes; each entry is reversed at most once (a database constraint)."""
    if not scoping.can_correct_points(actor, entry.village):
        raise NotAllowed(_("Only the county organization department over %(village)s corrects "
                           "points there.") % {"village": entry.village.name})
    reason = _reason(reason)
    if PointsEntry.objects.filter(reverses=entry).exists():
        raise Conflict(_("Entry %(id)d is already reversed.") % {"id": entry.pk}, field="reason")
    try:
        with transaction.atomic():
            return PointsEntry.objects.create(
                person_id=entry.person_id, rule_id=entry.rule_id, code=entry.code,
                village_id=entry.village_id, period=entry.period, points=-entry.points,
                pairing_id=entry.pairing_id, ledger_item_id=entry.ledger_item_id,
                case_id=entry.case_id, instructor_days_id=entry.instructor_days_id,
                reverses=entry, reason=reason, recorded_by=actor)
    except IntegrityError:
        raise Conflict(_("Entry %(id)d is already reversed.") % {"id": entry.pk},
                       field="reason") from None
