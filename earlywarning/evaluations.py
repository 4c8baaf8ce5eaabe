"""Evaluation work and reads: score entry, approval (DHIS2's way), tracking, movement, history.

Approval: the township submits its villages' evaluations for a quarter, the county approves
them; only a draft takes scores. The county may reopen a submitted or approved evaluation with
a reason, which makes it a draft again. Every step is an EvaluationEvent row (who, when, why).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core import xlsx
from core.charts import LineChart, share_chart
from core.errors import DomainError, NotAllowed, NotFound
from core.periods import Quarter, parse_open_quarter, parse_quarter
from earlywarning import approvals, catalogue, roster, scoring, tiering, visibility
from earlywarning.models.evaluations import (
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    IndicatorScore,
    Tier,
    TrackingAssignment,
)
from earlywarning.scorerows import write_score_rows
from villages import scoping
from villages.models import Person, Region, RegionLevel, Village

CENT = Decimal("0.01")


class Movement:
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"

    LABELS = {UP: _("Moved up"), DOWN: _("Moved down"), SAME: _("Unchanged"),
              NEW: _("First evaluation")}


# --- Reads --------------------------------------------------------------------------------------


def with_movement(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """Annotate the previous quarter's tier and the movement (up, down, same, new)."""
    previous = Evaluation.objects.filter(village=OuterRef("village_id"),
                                         quarter=OuterRef("previous_quarter"))
    return evaluations.annotate(
        previous_quarter=_previous_quarter_expression(),
        previous_tier=Subquery(previous.values("tier")[:1], output_field=IntegerField()),
    ).annotate(movement=Case(
        When(previous_tier__isnull=True, then=Value(Movement.NEW)),
        When(tier__lt=F("previous_tier"), then=Value(Movement.UP)),
        When(tier__gt=F("previous_tier"), then=Value(Movement.DOWN)),
        default=Value(Movement.SAME), output_field=CharField()))


def _previous_quarter_expression():
    """The quarter before ``quarter`` as text, computed in SQL ("2026Q1" → "2025Q4")."""
    from django.db.models.functions import Cast, Concat, Substr

    year = Cast(Substr("quarter", 1, 4), IntegerField())
    number = Cast(Substr("quarter", 6, 1), IntegerField())
    return Case(
        When(quarter__endswith="Q1", then=Concat(
            Cast(year - 1, CharField()), Value("Q4"), output_field=CharField())),
        default=Concat(Substr("quarter", 1, 5), Cast(number - 1, CharField()),
                       output_field=CharField()),
        output_field=CharField())


def with_tracking(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    tracking = TrackingAssignment.objects.filter(village=OuterRef("village_id"),
                                                 closed_at__isnull=True)
    return evaluations.annotate(
        tracking_id=Subquery(tracking.values("pk")[:1]),
        tracking_person=Subquery(tracking.values("person__name")[:1]))


def current_tier_subquery() -> Subquery:
    """A village's current tier: its tier in its own county's latest approved quarter (drafts
    and quarters awaiting approval never count)."""
    return Subquery(roster.approved_evaluation(OuterRef("pk"), timezone.now())
                    .values("tier")[:1])


def evaluation_rows(user) -> QuerySet[Evaluation]:
    """Evaluations the user may see with what a list row shows, in one statement."""
    return with_movement(visibility.evaluations(user)).select_related(
        "village__township", "county", "indicator_set")


def ranked_rows(user, *, county: Region, quarter: Quarter) -> QuerySet[Evaluation]:
    return with_tracking(evaluation_rows(user).filter(county=county, quarter=str(quarter))
                         ).order_by(F("rank").asc(nulls_last=True), "village__code")


def quarters_of(county: Region) -> list[str]:
    return list(Evaluation.objects.filter(county=county).order_by("-quarter")
                .values_list("quarter", flat=True).distinct())


def visible_counties(user) -> QuerySet[Region]:
    return scoping.visible_regions(user).filter(level=RegionLevel.COUNTY).order_by("code")


def readable_county(user, county_id: str) -> Region:
    """The county whose pages ``county_id`` asks for: one the user sees, or a township
    official's own county (they read their own villages' rows in its ranking)."""
    own = scoping.scope_region(user)
    if own is not None and own.county is not None and county_id == str(own.county.pk):
        return own.county
    county = visible_counties(user).filter(pk=int(county_id)).first() \
        if county_id.isdigit() else None
    if county is None:
        raise NotFound(_("Unknown region."))
    return county


def county_of(user, region: Region | None) -> Region | None:
    """The county a page shows: the given one, the user's own, or their first visible one."""
    if region is not None:
        return region.county
    own = scoping.scope_region(user)
    if own is not None and own.county is not None:
        return own.county
    return visible_counties(user).first()


@dataclass(frozen=True)
class ZoneMovement:
    entered: list
    stayed: list
    left: list


def warning_zone_movement(user, *, county: Region, quarter: Quarter) -> ZoneMovement:
    """Villages that came into class 3 this quarter, those still in it, and those that left."""
    rows = list(with_tracking(evaluation_rows(user).filter(county=county, quarter=str(quarter)))
                .filter(Q(tier=Tier.THIRD) | Q(previous_tier=Tier.THIRD))
                .order_by("rank", "village__code"))
    entered = [row for row in rows if row.tier == Tier.THIRD and row.previous_tier != Tier.THIRD]
    stayed = [row for row in rows if row.tier == Tier.THIRD and row.previous_tier == Tier.THIRD]
    left = [row for row in rows if row.previous_tier == Tier.THIRD and row.tier != Tier.THIRD]
    return ZoneMovement(entered=entered, stayed=stayed, left=left)


# --- Score entry --------------------------------------------------------------------------------


def _locked_error(evaluation: Evaluation):
    return DomainError(format_lazy(
        _("The {quarter} evaluation of {village} is {status} and locked; the county must "
          "reopen it first."), quarter=evaluation.quarter, village=evaluation.village.name,
        status=evaluation.get_status_display()))


@transaction.atomic
def save_village_scores(*, actor, village: Village, quarter: str | Quarter,
                        values: dict[str, object]) -> Evaluation:
    """Store one village's scores for a quarter (the entry form), then re-tier its county.

    ``values`` maps every indicator code of the applicable set to a number in 0..max.
    """
    if not scoping.can_enter_scores(actor, village):
        raise NotAllowed(format_lazy(_("You may not enter scores for {village}."),
                                     village=village.name))
    quarter = parse_open_quarter(quarter)
    county = village.township.parent
    indicator_set = catalogue.applicable_set(village.township, quarter.year)
    if indicator_set is None:
        raise DomainError(format_lazy(_("No indicator set applies to {region} in {year}."),
                                      region=county.name, year=quarter.year))
    evaluation = (Evaluation.objects.select_for_update().select_related("village")
                  .filter(village=village, quarter=str(quarter)).first())
    if evaluation is not None and evaluation.is_locked:
        raise _locked_error(evaluation)
    indicators = list(indicator_set.indicators.all())
    checked = []
    for indicator in indicators:
        raw = values.get(indicator.code)
        try:
            value = Decimal(str(raw).strip()) if raw not in (None, "") else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 \
                or value > indicator.max_score or value != value.quantize(CENT):
            raise DomainError(format_lazy(
                _("{code} {name}: enter a number from 0 to {max} with at most two decimals."),
                code=indicator.code, name=indicator.name, max=indicator.max_score),
                field=indicator.code)
        checked.append((indicator, value))
    total = scoring.total(
        indicator.weight * scoring.points(value, max_score=indicator.max_score,
                                          higher_is_better=indicator.higher_is_better)
        for indicator, value in checked)
    if evaluation is None:
        evaluation = Evaluation.objects.create(village=village, county=county,
                                               quarter=str(quarter),
                                               indicator_set=indicator_set, total=total)
    else:
        evaluation.scores.all().delete()
        evaluation.total = total
        evaluation.indicator_set = indicator_set
        evaluation.score_part = 0  # scores entered by hand live in partition 0
        evaluation.save(update_fields=["total", "indicator_set", "score_part", "updated_at"])
    write_score_rows((evaluation.pk, indicator.pk, value, indicator.max_score)
                     for indicator, value in checked)
    EvaluationEvent.objects.create(evaluation=evaluation, action=EvaluationEvent.Action.EDITED,
                                   actor=actor)
    catalogue.freeze(indicator_set)
    tiering.tier_county(county=county, quarter=quarter)
    evaluation.refresh_from_db()
    return evaluation


# --- Approval -----------------------------------------------------------------------------------


def _move(*, actor, evaluations: QuerySet[Evaluation], old: str, new: str, action: str,
          stamp: dict) -> int:
    ids = list(evaluations.select_for_update().filter(status=old).values_list("pk", flat=True))
    # The status filter again in the UPDATE: a concurrent request that moved a row first wins.
    moved = Evaluation.objects.filter(pk__in=ids, status=old).update(status=new, **stamp)
    EvaluationEvent.objects.bulk_create(
        [EvaluationEvent(evaluation_id=pk, action=action, actor=actor) for pk in ids],
        batch_size=5000)
    return moved


@transaction.atomic
def submit_evaluations(*, actor, region: Region, quarter: str | Quarter) -> int:
    """The township (or the county for it) submits every draft of the quarter under ``region``."""
    quarter = parse_quarter(quarter)
    if not scoping.can_import_scores(actor, region):
        raise NotAllowed(format_lazy(_("You may not submit evaluations for {region}."),
                                     region=region.name))
    evaluations = Evaluation.objects.filter(
        quarter=str(quarter), village__in=scoping.score_writable_villages(actor).in_region(
            region))
    moved = _move(actor=actor, evaluations=evaluations, old=EvaluationStatus.DRAFT,
                  new=EvaluationStatus.SUBMITTED, action=EvaluationEvent.Action.SUBMITTED,
                  stamp={"submitted_by": actor, "submitted_at": timezone.now(),
                         "updated_at": timezone.now()})
    if not moved:
        raise DomainError(format_lazy(_("{region} has no draft evaluations for {quarter}."),
                                      region=region.name, quarter=quarter))
    return moved


@transaction.atomic
def approve_evaluations(*, actor, region: Region, quarter: str | Quarter) -> int:
    """The county approves every submitted evaluation of the quarter under ``region``."""
    quarter = parse_quarter(quarter)
    if not scoping.can_approve_evaluations(actor, region):
        raise NotAllowed(format_lazy(_("You may not approve evaluations for {region}."),
                                     region=region.name))
    evaluations = Evaluation.objects.filter(quarter=str(quarter),
                                            village__in=Village.objects.in_region(region))
    now = timezone.now()
    moved = _move(actor=actor, evaluations=evaluations, old=EvaluationStatus.SUBMITTED,
                  new=EvaluationStatus.APPROVED, action=EvaluationEvent.Action.APPROVED,
                  stamp={"approved_by": actor, "approved_at": now, "updated_at": now})
    if not moved:
        raise DomainError(format_lazy(
            _("{region} has no submitted evaluations for {quarter} to approve."),
            region=region.name, quarter=quarter))
    counties = list(evaluations.values_list("county_id", flat=True).distinct().order_by())
    approvals.record(actor=actor, counties=counties, quarter=quarter, now=now)
    return moved


@transaction.atomic
def reopen_evaluation(*, actor, evaluation: Evaluation, reason: str) -> Evaluation:
    """The county returns a submitted or approved evaluation to draft, saying why."""
    village = evaluation.village
    if not scoping.can_approve_evaluations(actor, village.township):
        raise NotAllowed(_("Only the county may reopen an evaluation."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the evaluation is reopened."), field="reason")
    now = timezone.now()
    moved = Evaluation.objects.filter(pk=evaluation.pk).exclude(
        status=EvaluationStatus.DRAFT).update(
        status=EvaluationStatus.DRAFT, submitted_by=None, submitted_at=None, approved_by=None,
        approved_at=None, updated_at=now)
    if not moved:
        raise DomainError(_("This evaluation is already a draft."), field="reason")
    approvals.revoke(actor=actor, county_id=evaluation.county_id, quarter=evaluation.quarter,
                     reason=reason, now=now)
    EvaluationEvent.objects.create(evaluation=evaluation, action=EvaluationEvent.Action.REOPENED,
                                   actor=actor, reason=reason)
    evaluation.refresh_from_db()
    return evaluation


# --- Tracking -----------------------------------------------------------------------------------


@transaction.atomic
def assign_tracking_person(*, actor, assignment: TrackingAssignment,
                           person: Person) -> TrackingAssignment:
    """The county names who follows a village in the warning zone (专人跟踪)."""
    assignment = TrackingAssignment.objects.select_for_update().select_related(
        "village__township").get(pk=assignment.pk)
    if not scoping.can_assign_tracking(actor, assignment.village):
        raise NotAllowed(_("Only the county may name a tracking person."))
    if not assignment.is_open:
        raise DomainError(_("This village has left the warning zone; the tracking is closed."),
                          field="person")
    if not scoping.visible_people(actor).filter(pk=person.pk).exists():
        raise DomainError(_("Choose a person from your own region."), field="person")
    assignment.person = person
    assignment.assigned_by = actor
    assignment.assigned_at = timezone.now()
    assignment.save(update_fields=["person", "assigned_by", "assigned_at"])
    return assignment


# --- A village's history ------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryLine:
    category: str
    points: Decimal
    maximum: Decimal
    county_average: Decimal | None

    @property
    def share(self) -> float:
        return float(self.points / self.maximum) if self.maximum else 0.0


@dataclass(frozen=True)
class VillageScores:
    history: list[dict]                    # quarter, total, tier, rank, categories{name: share}
    categories: list[str]
    latest: dict | None
    breakdown: list[CategoryLine]
    county_average_total: Decimal | None
    maximum_total: Decimal | None = None
    chart: LineChart | None = None


def village_scores(village: Village) -> VillageScores:
    """Totals and category shares over the quarters, and the latest quarter against the county.

    Three queries whatever the number of quarters or indicators.
    """
    evaluations = list(Evaluation.objects.filter(village=village).order_by("quarter").values(
        "pk", "quarter", "total", "tier", "rank", "county_id", "status"))
    if not evaluations:
        return VillageScores([], [], None, [], None)
    sums = (IndicatorScore.objects.filter(evaluation__village=village)
            .values("evaluation_id", "indicator__category")
            .annotate(points=Sum(scoring.points_expression()),
                      maximum=Sum(scoring.maximum_expression())))
    by_evaluation: dict[int, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
    categories: list[str] = []
    for row in sums.order_by("indicator__category"):
        by_evaluation[row["evaluation_id"]][row["indicator__category"]] = (
            row["points"], row["maximum"])
        if row["indicator__category"] not in categories:
            categories.append(row["indicator__category"])
    history = []
    for evaluation in evaluations:
        parts = by_evaluation[evaluation["pk"]]
        shares = {name: float(points / maximum) if maximum else 0.0
                  for name, (points, maximum) in parts.items()}
        maximum_total = sum((maximum for _points, maximum in parts.values()), Decimal(0))
        history.append({**evaluation, "categories": shares, "maximum": maximum_total,
                        "share": float(evaluation["total"] / maximum_total)
                        if maximum_total else None})
    chart = share_chart([row["quarter"] for row in history], [
        (str(_("Total")), [row["share"] for row in history], True),
        *[(name, [row["categories"].get(name) for row in history], False)
          for name in categories]])
    latest = evaluations[-1]
    county_rows = (IndicatorScore.objects.filter(evaluation__county_id=latest["county_id"],
                                                 evaluation__quarter=latest["quarter"])
                   .values("indicator__category")
                   .annotate(points=Sum(scoring.points_expression()),
                             villages=Count("evaluation_id", distinct=True)))
    averages = {row["indicator__category"]: row["points"] / row["villages"]
                for row in county_rows if row["villages"]}
    breakdown = [
        CategoryLine(category=name, points=points.quantize(CENT), maximum=maximum.quantize(CENT),
                     county_average=averages[name].quantize(CENT) if name in averages else None)
        for name, (points, maximum) in by_evaluation[latest["pk"]].items()]
    average_total = sum(averages.values(), Decimal(0)).quantize(CENT) if averages else None
    return VillageScores(history=history, categories=categories, latest=latest,
                         breakdown=breakdown, county_average_total=average_total,
                         maximum_total=history[-1]["maximum"], chart=chart)


def county_counts(user, *, county: Region, quarter: Quarter) -> dict:
    """The ranked page's figures: villages by tier and by status among those the user may see;
    the county's cohort size and class places come from every village of the county."""
    visible = visibility.evaluations(user).filter(county=county, quarter=str(quarter))
    counts = {(row["tier"], row["status"]): row["n"]
              for row in visible.values("tier", "status").annotate(n=Count("id"))}
    villages = Evaluation.objects.filter(county=county, quarter=str(quarter)).count()
    first, third = tiering.class_sizes(villages)
    return {
        "tier_counts": [(tier, label, sum(n for (t, _s), n in counts.items() if t == tier))
                        for tier, label in Tier.choices],
        "status_counts": [(code, label, sum(n for (_t, s), n in counts.items() if s == code))
                          for code, label in EvaluationStatus.choices],
        "villages": villages, "class_one_places": first, "class_three_places": third,
    }


def submission_region(user, county: Region) -> Region | None:
    """Where the user submits a quarter's evaluations from the county's page: a township
    official their own township, staff the county; None for who may not submit there."""
    own = scoping.scope_region(user)
    if own is not None and own.level == RegionLevel.TOWNSHIP and own.parent_id == county.pk \
            and scoping.can_import_scores(user, own):
        return own
    return county if scoping.can_import_scores(user, county) else None


def ranked_workbook(rows, *, quarter: Quarter) -> xlsx.Workbook:
    workbook = xlsx.Workbook()
    sheet = workbook.sheet(str(quarter), [
        _("Rank"), _("Division code"), _("Village"), _("Township"), _("Total"), _("Tier"),
        _("Previous tier"), _("Movement"), _("Status"), _("Tracking person")],
        widths={1: 15, 2: 14, 3: 14})
    for row in rows.iterator(chunk_size=2000):
        sheet.append([row.rank, row.village.code, row.village.name, row.village.township.name,
                      float(row.total), row.tier, row.previous_tier,
                      str(Movement.LABELS.get(row.movement, "")),
                      row.get_status_display(), row.tracking_person or ""])
    return workbook


def scores_by_village(villages, quarter: Quarter) -> dict[int, dict[int, Decimal]]:
    """{village id: {indicator id: value}} of the quarter, for the template a county fills in."""
    scores: dict[int, dict[int, Decimal]] = {}
    for village_id, indicator_id, value in IndicatorScore.objects.filter(
            evaluation__quarter=str(quarter), evaluation__village__in=villages).values_list(
            "evaluation__village_id", "indicator_id", "value").iterator(chunk_size=20000):
        scores.setdefault(village_id, {})[indicator_id] = value
    return scores


def village_panel(user, village: Village) -> dict:
    """What the village page shows of evaluations: history, breakdown, and entry links."""
    current = Quarter.current()
    can_enter = scoping.can_enter_scores(user, village)
    return {"scores": village_scores(village), "can_enter": can_enter,
            "entry_quarters": [str(current.previous()), str(current)] if can_enter else []}
