"""A village's one timeline: its grade by year, tier by quarter, color by half-month and the
events of its cases, newest first — with those of the villages it was formed from (mergers and
splits, ``villages/lineage.py``), each marked with the predecessor's name. Six queries whatever
the length of the history."""

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
from villages.lineage import predecessors
from villages.models import AnnualGrade, Grade, Village


@dataclass(frozen=True)
class Event:
    day: date
    kind: str        # grade, tier, color, case — for the template's badge
    period: str      # the year, quarter or half-month it is about
    label: str
    detail: str = ""
    value: str = ""  # the code behind the label (color, tier), for styling only
    village_name: str = ""  # set when the event is a predecessor's


def _grades(ids, names) -> list[Event]:
    return [Event(graded_on or date(year, 12, 31), "grade", str(year), Grade(grade).label,
                  village_name=names.get(village_id, ""))
            for village_id, year, grade, graded_on in AnnualGrade.objects.filter(
                branch__village__in=ids).values_list("branch__village_id", "year", "grade",
                                                     "graded_on")]


def _tiers(ids, names) -> list[Event]:
    approved = set(QuarterApproval.objects.filter(revoked_at__isnull=True).values_list(
        "county_id", "quarter"))
    events = []
    for village_id, county_id, quarter, tier, status in (
            Evaluation.objects.filter(village__in=ids, tier__isnull=False)
            .values_list("village_id", "county_id", "quarter", "tier", "status")):
        detail = (_("approved") if (county_id, quarter) in approved
                  else str(EvaluationStatus(status).label) + " · " + _("not counted yet"))
        events.append(Event(parse_quarter(quarter).end, "tier", quarter, Tier(tier).label,
                            detail, str(tier), names.get(village_id, "")))
    return events


def _colors(ids, names) -> list[Event]:
    return [Event(HalfMonth.parse(period).end, "color", period, Color(color).label, reason,
                  color, names.get(village_id, ""))
            for village_id, period, color, reason in WarningRating.objects.filter(
                village__in=ids, status=RatingStatus.SUBMITTED)
            .values_list("village_id", "period", "color", "reason")]


def _cases(ids, names) -> list[Event]:
    events, last_status = [], {}
    for record in (Case.history.filter(village_id__in=ids)
                   .order_by("history_date", "history_id")
                   .values("id", "village_id", "status", "source", "history_date", "outcome",
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
        events.append(Event(day, "case", str(case_id), label, detail, status,
                            names.get(record["village_id"], "")))
        last_status[case_id] = status
    return events


def village_timeline(village: Village) -> list[Event]:
    # A predecessor's events carry its name; the village's own carry none.
    names = dict(predecessors(village).values_list("pk", "name"))
    ids = [village.pk, *names]
    events = [*_grades(ids, names), *_tiers(ids, names), *_colors(ids, names),
              *_cases(ids, names)]
    return sorted(events, key=lambda e: (e.day, e.kind), reverse=True)
