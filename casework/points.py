"""新昌's cadre points (积分制管理): points for each paired cadre, with the rule behind each.

A cadre here is a person paired with a village (leader or stationed instructor pairing). Each
rule is one grouped statement over the pairings in scope, so the table costs the same number of
queries for 14 pairings or 14,000.

| rule | points |
|---|---|
| month with at least one visit logged under the pairing | +1 each |
| ledger item of the village struck off by its due date | +2 each |
| ledger item of the village open and flagged overdue | −1 each |
| the village's case moved up (晋位升级) | +10 |
| instructor month with at least 20 days in the village | +1 each |
| instructor month logged with fewer than 20 days | −2 each |
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from casework import visibility
from casework.models import (
    Case,
    InstructorDays,
    LedgerItem,
    LedgerStatus,
    Outcome,
    PairingKind,
    Visit,
)
from casework.standards import INSTRUCTOR_MIN_DAYS


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    points: int


RULES = {
    rule.code: rule for rule in [
        Rule("visit_month", _("Month with a visit logged"), 1),
        Rule("ledger_on_time", _("Ledger item struck off by its due date"), 2),
        Rule("ledger_overdue", _("Ledger item overdue"), -1),
        Rule("case_moved_up", _("Village's case moved up"), 10),
        Rule("instructor_month_met", _("Instructor month with at least 20 days"), 1),
        Rule("instructor_month_short", _("Instructor month with fewer than 20 days"), -2),
    ]
}


@dataclass
class PointLine:
    rule: Rule
    count: int

    @property
    def points(self) -> int:
        return self.rule.points * self.count


@dataclass
class CadreRow:
    person: object
    villages: list = field(default_factory=list)
    lines: list[PointLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.points for line in self.lines)


def points_table(user, *, region=None, year: int | None = None) -> list[CadreRow]:
    pairings = (visibility.pairings(user)
                .filter(kind__in=[PairingKind.LEADER, PairingKind.INSTRUCTOR],
                        partner_person__isnull=False))
    if region is not None:
        pairings = pairings.filter(village__township__path__startswith=region.path)
    pairings = list(pairings.select_related("partner_person", "village"))
    if not pairings:
        return []
    ids = [p.pk for p in pairings]
    village_ids = {p.village_id for p in pairings}
    counts: dict[tuple[int, str], int] = defaultdict(int)

    visits = Visit.objects.filter(pairing__in=ids)
    if year:
        visits = visits.filter(date__year=year)
    for row in (visits.values("pairing")
                .annotate(n=Count(TruncMonth("date"), distinct=True)).order_by()):
        counts[(row["pairing"], "visit_month")] += row["n"]

    ledger = LedgerItem.objects.filter(village__in=village_ids)
    if year:
        ledger = ledger.filter(due__year=year)
    per_village = {row["village"]: row for row in ledger.values("village").annotate(
        on_time=Count("pk", filter=Q(status=LedgerStatus.STRUCK_OFF,
                                     struck_off_at__date__lte=F("due"))),
        overdue=Count("pk", filter=Q(overdue=True)),
    ).order_by()}
    moved_up = set(Case.objects.filter(village__in=village_ids, outcome=Outcome.MOVED_UP)
                   .values_list("village_id", flat=True))
    days = InstructorDays.objects.filter(village__in=village_ids)
    if year:
        days = days.filter(month__startswith=f"{year}-")
    per_instructor = {(row["person"], row["village"]): row for row in days.values(
        "person", "village").annotate(
        met=Count("pk", filter=Q(days__gte=INSTRUCTOR_MIN_DAYS)),
        short=Count("pk", filter=Q(days__lt=INSTRUCTOR_MIN_DAYS))).order_by()}

    rows: dict[int, CadreRow] = {}
    for pairing in pairings:
        row = rows.setdefault(pairing.partner_person_id, CadreRow(pairing.partner_person))
        row.villages.append(pairing.village)
        village = per_village.get(pairing.village_id, {})
        tallies = {
            "visit_month": counts[(pairing.pk, "visit_month")],
            "ledger_on_time": village.get("on_time", 0),
            "ledger_overdue": village.get("overdue", 0),
            "case_moved_up": 1 if pairing.village_id in moved_up else 0,
        }
        if pairing.kind == PairingKind.INSTRUCTOR:
            logged = per_instructor.get((pairing.partner_person_id, pairing.village_id), {})
            tallies["instructor_month_met"] = logged.get("met", 0)
            tallies["instructor_month_short"] = logged.get("short", 0)
        for code, count in tallies.items():
            if count:
                row.lines.append(PointLine(RULES[code], count))
    return sorted(rows.values(), key=lambda r: (-r.total, r.person.name, r.person.pk))
