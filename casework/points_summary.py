"""Reading the points ledger: yearly summaries per cadre for 年度考核, a cadre's entries, and the
compliance page's points table. Everything is summed from the entries as they were posted, so a
rule changed this year never moves last year's figures. Each read is a fixed number of grouped
statements, whatever the number of cadres."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from casework import visibility
from casework.models import DERIVED_SOURCES, PointsEntry, PointsRule
from villages.models import Person, Region

# An entry that stands: neither a reversal nor reversed.
STANDING = Q(reverses__isnull=True, reversal__isnull=True)


def entries_in(user, *, year: int | None = None, region: Region | None = None,
               person: Person | None = None) -> QuerySet[PointsEntry]:
    entries = visibility.points_entries(user)
    if year is not None:
        entries = entries.filter(period__startswith=f"{year:04d}-")
    if region is not None:
        entries = entries.filter(village__township__path__startswith=region.path)
    if person is not None:
        entries = entries.filter(person=person)
    return entries


def summarize(entries: QuerySet[PointsEntry]) -> QuerySet:
    """One row per person of ``entries`` (e.g. one year's): total, points per derived rule and by
    hand, entries and corrections. Rows are dicts (``person``, ``person__name``,
    ``person__employer``, ``total``, ``entries``, ``corrections``, one key per derived code,
    ``by_hand``), highest total first; one grouped statement."""
    per_code = {code: Sum("points", filter=Q(code=code), default=0) for code in DERIVED_SOURCES}
    return (entries.values("person", "person__name", "person__employer")
            .annotate(total=Sum("points"), entries=Count("pk"),
                      corrections=Count("pk", filter=Q(reverses__isnull=False)),
                      by_hand=Sum("points", filter=~Q(code__in=DERIVED_SOURCES), default=0),
                      **per_code)
            .order_by("-total", "person__name", "person"))


def person_entries(user, person: Person, *, year: int | None = None) -> QuerySet[PointsEntry]:
    """Every entry of ``person`` the user may see, with what each row shows, in one query."""
    return (entries_in(user, year=year, person=person)
            .select_related("rule", "village__township", "recorded_by", "reverses", "reversal",
                            "pairing", "ledger_item", "case", "instructor_days")
            .order_by("-period", "-recorded_at", "-pk"))


def person_years(user, person: Person) -> list[int]:
    periods = entries_in(user, person=person).values_list("period", flat=True).distinct()
    return sorted({int(p[:4]) for p in periods}, reverse=True)


# --- The compliance page's table --------------------------------------------------------------


@dataclass
class PointLine:
    rule: PointsRule
    count: int
    points: int


@dataclass
class CadreRow:
    person: Person
    villages: list = field(default_factory=list)
    lines: list[PointLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.points for line in self.lines)


def _rules_by_code(codes, region: Region | None) -> dict[str, PointsRule]:
    """The newest version of each rule code, for its label on the page."""
    rules = PointsRule.objects.filter(code__in=codes).order_by("code", "-version", "-pk")
    county = region.county if region is not None else None
    if county is not None:
        rules = rules.filter(county=county)
    latest = {}
    for rule in rules:
        latest.setdefault(rule.code, rule)
    return latest


def points_table(user, *, region: Region | None = None,
                 year: int | None = None) -> list[CadreRow]:
    """Per cadre, the points of each rule (entries that stand, and the net points after
    corrections) and the villages they were earned in. Four statements."""
    entries = entries_in(user, year=year, region=region)
    sums = list(entries.values("person", "code").annotate(
        count=Count("pk", filter=STANDING), points=Sum("points")).order_by("person", "code"))
    if not sums:
        return []
    people = Person.objects.in_bulk({row["person"] for row in sums})
    rules = _rules_by_code({row["code"] for row in sums}, region)
    rows: dict[int, CadreRow] = {}
    for row in sums:
        cadre = rows.setdefault(row["person"], CadreRow(people[row["person"]]))
        if row["points"] or row["count"]:
            cadre.lines.append(PointLine(rules[row["code"]], row["count"], row["points"]))
    for person_id, name in (entries.values_list("person", "village__name").distinct()
                            .order_by("person", "village__name")):
        rows[person_id].villages.append(name)
    return sorted(rows.values(), key=lambda r: (-r.total, r.person.name, r.person.pk))
