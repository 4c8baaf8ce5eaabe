"""A village's one timeline: its grade by year, tier by quarter, color by half-month and the
events of its cases, newest first. Five queries whatever the length of the history."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case, CaseStatus
from core.periods import HalfMonth, parse_quarter
from earlywarning.models import (
    Color,
    Evaluation,
    EvaluationStatus,
    QuarterApproval,
    RatingStatus,
    Tier,
    WarningRating,
)
from villages.models import AnnualGrade, Grade, Village


@dataclass(frozen=True)
class Event:
    day: date
    kind: str        # grade, tier, color, case — for the template's badge
    period: str      # the year, quarter or half-month it is about
    label: str
    detail: str = ""
    value: str = ""  # the code behind the label (color, tier), for styling only


def _grades(village: Village) -> list[Event]:
    return [Event(graded_on or date(year, 12, 31), "grade", str(year), Grade(grade).label)
            for year, grade, graded_on in AnnualGrade.objects.filter(
                branch__village=village).values_list("year", "grade", "graded_on")]


def _tiers(village: Village) -> list[Event]:
    approved = set(QuarterApproval.objects.filter(
        county_id=village.township.parent_id, revoked_at__isnull=True)
        .values_list("quarter", flat=True))
    events = []
    for quarter, tier, status in (Evaluation.objects.filter(village=village, tier__isnull=False)
                                  .values_list("quarter", "tier", "status")):
        detail = (_("approved") if quarter in approved
                  else str(EvaluationStatus(status).label) + " · " + _("not counted yet"))
        events.append(Event(parse_quarter(quarter).end, "tier", quarter, Tier(tier).label,
                            detail, str(tier)))
    return events


def _colors(village: Village) -> list[Event]:
    return [Event(HalfMonth.parse(period).end, "color", period, Color(color).label, reason,
                  color)
            for period, color, reason in WarningRating.objects.filter(
                village=village, status=RatingStatus.SUBMITTED)
            .values_list("period", "color", "reason")]


def _cases(village: Village) -> list[Event]:
    events, last_status = [], {}
    for record in (Case.history.filter(village_id=village.pk)
                   .order_by("history_date", "history_id")
                   .values("id", "status", "source", "history_date", "outcome",
                           "outcome_override_reason")):
        case_id, status = record["id"], record["status"]
        if last_status.get(case_id) == status:
            continue
        day = timezone.localdate(record["history_date"])
        if case_id not in last_status:
            label = _("Case #%(number)s opened") % {"number": case_id}
        else:
            label = _("Case #%(number)s: %(status)s") % {
                "number": case_id, "status": CaseStatus(status).label}
        detail = record["outcome_override_reason"] if status == CaseStatus.MOVED_UP else ""
        events.append(Event(day, "case", str(case_id), label, detail, status))
        last_status[case_id] = status
    return events


def village_timeline(village: Village) -> list[Event]:
    events = [*_grades(village), *_tiers(village), *_colors(village), *_cases(village)]
    return sorted(events, key=lambda e: (e.day, e.kind), reverse=True)
