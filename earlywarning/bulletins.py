"""Monthly warning bulletins: what a region's month contains, drafts, publication, corrections.

``contents`` is the one place a bulletin's figures are computed; the page, the print view, the
Excel export, the API and the snapshot all render what it produced. A village's color for a
month is its latest submitted rating in that month (the second half-month if submitted, else the
first); "moved up" compares it with the previous month's color (``movement``), and the
cumulative figure compares it with the village's first rated color.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.periods import Month
from earlywarning.models.bulletins import Bulletin, BulletinEntry, BulletinStatus
from earlywarning.models.ratings import COLOR_RANK, Color, Movement, RatingStatus, WarningRating
from earlywarning.models.ratings import movement as color_movement
from earlywarning.ratings import warning_list_condition
from villages import scoping
from villages.models import Region, RegionLevel, Role, User, Village

BULLETIN_LEVELS = (RegionLevel.COUNTY, RegionLevel.CITY)


class BulletinAlreadyPublished(DomainError):
    """The month's latest revision is published and no draft is open: build nothing."""


def bulletin_title(month: Month) -> str:
    return _("On the warning situation of village party organizations in %(year)d-%(month)02d"
             ) % {"year": month.year, "month": month.month}


def parse_bulletin_month(value, *, today: date | None = None) -> Month:
    month = Month.parse(value)
    if month.is_future(today):
        raise DomainError(_("The month %(month)s has not begun yet.") % {"month": month},
                          field="month")
    return month


def check_bulletin_region(region: Region) -> None:
    if region.level not in BULLETIN_LEVELS:
        raise DomainError(_("Bulletins are published by a county or the city, not by a %(level)s.")
                          % {"level": region.get_level_display()}, field="region")


# --- Contents -----------------------------------------------------------------------------------


@dataclass
class Contents:
    summary: dict
    entries: list[dict]


def _color_in(months: list[str], *, first: bool = False):
    """The village's latest (or, with ``first``, earliest) submitted color among the periods
    starting with the given months."""
    ratings = WarningRating.objects.filter(village=OuterRef("pk"), status=RatingStatus.SUBMITTED)
    if months:
        ratings = ratings.filter(period__in=[f"{m}-H{h}" for m in months for h in (1, 2)])
    return Subquery(ratings.order_by("period" if first else "-period").values("color")[:1])


def _entry_rows(region: Region, month: Month) -> list[dict]:
    """One query: every village of the bulletin with its colors, tier, case and ledger figures."""
    from casework.models import OPEN_CASE_STATUSES, Case, LedgerItem, LedgerStatus
    from earlywarning.models.evaluations import Evaluation

    h1, h2 = month.halves()
    submitted = WarningRating.objects.filter(village=OuterRef("pk"), status=RatingStatus.SUBMITTED)
    in_month = submitted.filter(period__in=[str(h1), str(h2)])
    until = submitted.filter(period__lte=str(h2))
    open_items = (LedgerItem.objects.filter(village=OuterRef("pk"))
                  .exclude(status=LedgerStatus.STRUCK_OFF).values("village")
                  .annotate(n=Count("pk")).values("n"))
    overdue_items = (LedgerItem.objects.filter(village=OuterRef("pk"), overdue=True)
                     .exclude(status=LedgerStatus.STRUCK_OFF).values("village")
                     .annotate(n=Count("pk")).values("n"))
    open_case = Case.objects.filter(village=OuterRef("pk"), status__in=OPEN_CASE_STATUSES)
    return list(
        Village.objects.in_region(region)
        .annotate(
            listed=ExpressionWrapper(warning_list_condition(), output_field=BooleanField()),
            rated=Exists(in_month),
            color_now=_color_in([str(month)]),
            color_before=_color_in([str(month.previous())]),
            color_first=Subquery(until.order_by("period").values("color")[:1]),
            first_period=Subquery(until.order_by("period").values("period")[:1]),
            h1_done=Exists(submitted.filter(period=str(h1))),
            h1_on_time=Exists(submitted.filter(period=str(h1),
                                               submitted_at__lt=h1.deadline_at)),
            h2_done=Exists(submitted.filter(period=str(h2))),
            h2_on_time=Exists(submitted.filter(period=str(h2),
                                               submitted_at__lt=h2.deadline_at)),
            tier_latest=Subquery(Evaluation.objects.filter(
                village=OuterRef("pk"), tier__isnull=False, quarter__lte=month.quarter)
                .order_by("-quarter").values("tier")[:1]),
            # An open case wins over an older closed one opened later by mistake.
            case_now=Coalesce(
                Subquery(open_case.order_by("-opened_at").values("status")[:1]),
                Subquery(Case.objects.filter(village=OuterRef("pk")).order_by("-opened_at")
                         .values("status")[:1]), Value("")),
            open_items=Coalesce(Subquery(open_items, output_field=IntegerField()), 0),
            overdue_items=Coalesce(Subquery(overdue_items, output_field=IntegerField()), 0),
        )
        .filter(Q(listed=True) | Q(rated=True))
        .order_by("township__parent__code", "township__code", "code")
        .values("pk", "code", "name", "township_id", "township__name", "township__code",
                "township__parent__name", "listed", "color_now", "color_before", "color_first",
                "first_period", "h1_done", "h1_on_time", "h2_done", "h2_on_time", "tier_latest",
                "case_now", "open_items", "overdue_items"))


def contents(*, region: Region, month: Month, today: date | None = None) -> Contents:
    """Everything a region's bulletin for ``month`` says, from the data as it stands.

    Two queries whatever the region's size: the villages with their annotations, and the
    township officials of townships that fall under the Shangyu rule.
    """
    today = today or timezone.localdate()
    rows = _entry_rows(region, month)
    # A half-month still open has no "missing" or "late" ratings yet.
    halves = [(half, half.is_past_deadline(today)) for half in month.halves()
              if not half.is_future(today)]

    entries, townships = [], {}
    totals = defaultdict(int)
    cumulative = {"since": None, "up": 0, "down": 0,
                  "up_to": {Color.GREEN.value: 0, Color.YELLOW.value: 0},
                  "colors": {c: 0 for c in Color.values}}
    new_red = []
    for row in rows:
        color, before, first = row["color_now"], row["color_before"], row["color_first"]
        change = color_movement(before, color) or ""
        missing, late = [], []
        if row["listed"]:
            for half, closed in halves:
                done = row[f"h{half.half}_done"]
                if not done and closed:
                    missing.append(str(half))
                elif done and not row[f"h{half.half}_on_time"]:
                    late.append(str(half))
        town = townships.setdefault(row["township_id"], {
            "id": row["township_id"], "name": row["township__name"],
            "county": row["township__parent__name"],
            "green": 0, "yellow": 0, "red": 0, "unrated": 0, "up": 0, "down": 0,
            "red_previous": 0, "missing": 0, "late": 0})
        town[color or "unrated"] += 1
        totals[color or "unrated"] += 1
        totals["villages"] += 1
        if change in (Movement.UP, Movement.DOWN):
            town[change] += 1
        if change:
            totals[change] += 1
        town["red_previous"] += before == Color.RED
        town["missing"] += len(missing)
        town["late"] += len(late)
        if color == Color.RED and before != Color.RED:
            new_red.append({"village": row["pk"], "name": row["name"],
                            "township": row["township__name"], "previous_color": before})
        if color:
            cumulative["colors"][color] += 1
            since = row["first_period"][:7] if row["first_period"] else None
            if since and (cumulative["since"] is None or since < cumulative["since"]):
                cumulative["since"] = since
            if first and COLOR_RANK[Color(first)] > COLOR_RANK[Color(color)]:
                cumulative["up"] += 1
                cumulative["up_to"][color] += 1
            elif first and COLOR_RANK[Color(first)] < COLOR_RANK[Color(color)]:
                cumulative["down"] += 1
        entries.append({
            "village": row["pk"], "village_code": row["code"], "village_name": row["name"],
            "township": row["township_id"], "township_name": row["township__name"],
            "color": color or "", "previous_color": before or "", "change": change,
            "first_color": first or "", "tier": row["tier_latest"], "case_status": row["case_now"],
            "open_ledger_items": row["open_items"], "overdue_ledger_items": row["overdue_items"],
            "on_warning_list": row["listed"], "missing_periods": " ".join(missing),
            "late_periods": " ".join(late)})

    flagged = [t for t in townships.values() if t["red"] > t["red_previous"]]
    officials = defaultdict(list)
    if flagged:
        for user in (User.objects.filter(role=Role.TOWNSHIP_OFFICIAL, is_active=True,
                                         region__in=[t["id"] for t in flagged])
                     .order_by("region_id", "username")
                     .only("username", "first_name", "last_name", "region_id")):
            officials[user.region_id].append(user.get_full_name() or user.username)
    for town in townships.values():
        town["red_rose"] = town["red"] > town["red_previous"]
        town["officials_for_talk"] = officials.get(town["id"], [])

    summary = {
        "month": str(month),
        "title": bulletin_title(month),
        "region": {"id": region.pk, "name": region.name, "level": region.level},
        "totals": {"villages": totals["villages"],
                   **{key: totals[key] for key in (*Color.values, "unrated", *Movement.values)}},
        "cumulative": cumulative,
        "townships": list(townships.values()),
        "new_red": new_red,
        "ratings_missing": sum(t["missing"] for t in townships.values()),
        "ratings_late": sum(t["late"] for t in townships.values()),
        # 上虞 rule: red count rose instead of falling → no awards, officials called for a talk.
        "award_ineligible": [{"township": t["id"], "name": t["name"], "red": t["red"],
                              "red_previous": t["red_previous"],
                              "officials_for_talk": t["officials_for_talk"]} for t in flagged],
    }
    return Contents(summary=summary, entries=entries)


# --- Drafts, publication, corrections -----------------------------------------------------------


ENTRY_FIELDS = ("village_name", "township_name", "color", "previous_color", "change",
                "first_color", "tier", "case_status", "open_ledger_items",
                "overdue_ledger_items", "on_warning_list", "missing_periods", "late_periods")


def _check_rights(actor, region: Region) -> None:
    # ``actor`` is None for the scheduled task, which acts for the department itself.
    if actor is not None and not scoping.can_manage_bulletins(actor, region):
        raise DomainError(_("Only the county or city organization department of %(region)s may "
                            "build or publish its bulletin.") % {"region": region.name})


def _fill(bulletin: Bulletin, *, region: Region, month: Month, now) -> Bulletin:
    data = contents(region=region, month=month, today=timezone.localdate(now))
    bulletin.summary = data.summary
    bulletin.generated_at = now
    bulletin.save()
    BulletinEntry.objects.filter(bulletin=bulletin).delete()
    BulletinEntry.objects.bulk_create([
        BulletinEntry(bulletin=bulletin, village_id=e["village"], township_id=e["township"],
                      **{field: e[field] for field in ENTRY_FIELDS}) for e in data.entries])
    return bulletin


@transaction.atomic
def build_draft(*, actor, region: Region, month: Month, now=None) -> Bulletin:
    """Build or rebuild the region's draft for ``month``; idempotent.

    Rebuilding updates the open draft (a first revision or a correction) in place. When the
    month's latest revision is published and no correction is open, nothing is built:
    ``BulletinAlreadyPublished``. Builds of one region serialize on its row.
    """
    now = now or timezone.now()
    check_bulletin_region(region)
    _check_rights(actor, region)
    if month.is_future(timezone.localdate(now)):
        raise DomainError(_("The month %(month)s has not begun yet.") % {"month": month},
                          field="month")
    Region.objects.select_for_update().filter(pk=region.pk).first()
    latest = (Bulletin.objects.filter(region=region, month=str(month))
              .order_by("-revision").first())
    if latest is not None and latest.is_published:
        raise BulletinAlreadyPublished(
            _("The bulletin of %(region)s for %(month)s is published (revision %(revision)d); "
              "issue a correction to change it.")
            % {"region": region.name, "month": month, "revision": latest.revision})
    bulletin = latest or Bulletin(region=region, month=str(month), revision=1)
    bulletin.generated_by = actor
    return _fill(bulletin, region=region, month=month, now=now)


def represent(bulletin: Bulletin, entries=None) -> dict:
    """The API representation; frozen into ``snapshot`` at publication."""
    if entries is None:
        entries = bulletin.entries.order_by("township__code", "village__code")
    return {
        "id": bulletin.pk, "region": bulletin.region_id, "region_name": bulletin.region.name,
        "month": bulletin.month, "revision": bulletin.revision, "status": bulletin.status,
        "generated_at": _iso(bulletin.generated_at), "published_at": _iso(bulletin.published_at),
        "corrects": bulletin.corrects_id, "correction_reason": bulletin.correction_reason,
        "summary": bulletin.summary,
        "entries": [{"village": e.village_id, "village_name": e.village_name,
                     "township": e.township_id, "township_name": e.township_name,
                     "color": e.color or None, "previous_color": e.previous_color or None,
                     "change": e.change or None, "tier": e.tier,
                     "case_status": e.case_status or None,
                     "open_ledger_items": e.open_ledger_items,
                     "overdue_ledger_items": e.overdue_ledger_items,
                     "ratings_missing": e.missing_periods.split(),
                     "ratings_late": e.late_periods.split()} for e in entries],
    }


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


@transaction.atomic
def publish(*, actor, bulletin: Bulletin, now=None) -> Bulletin:
    """Publish a draft: a conditional update, so publishing twice (or racing) fails cleanly."""
    now = now or timezone.now()
    _check_rights(actor, bulletin.region)
    draft = (Bulletin.objects.select_for_update().select_related("region")
             .filter(pk=bulletin.pk, status=BulletinStatus.DRAFT).first())
    if draft is None:
        raise DomainError(_("This bulletin is already published; it cannot change."),
                          field="status")
    draft.status, draft.published_at, draft.published_by = (
        BulletinStatus.PUBLISHED, now, actor)
    snapshot = represent(draft)
    updated = Bulletin.objects.filter(pk=draft.pk, status=BulletinStatus.DRAFT).update(
        status=BulletinStatus.PUBLISHED, published_at=now, published_by=actor,
        snapshot=snapshot)
    if not updated:
        raise DomainError(_("This bulletin is already published; it cannot change."),
                          field="status")
    draft.snapshot = snapshot
    return draft


@transaction.atomic
def correct(*, actor, bulletin: Bulletin, reason: str, now=None) -> Bulletin:
    """Open a correction: a new draft revision of the same month that names the published one
    it corrects and why. The published revision stays as it is and stays visible."""
    now = now or timezone.now()
    _check_rights(actor, bulletin.region)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say what the correction corrects."), field="reason")
    Region.objects.select_for_update().filter(pk=bulletin.region_id).first()
    # Read again under the lock: the caller's copy may predate its publication.
    bulletin = Bulletin.objects.select_related("region").get(pk=bulletin.pk)
    latest = (Bulletin.objects.filter(region_id=bulletin.region_id, month=bulletin.month)
              .order_by("-revision").first())
    if not bulletin.is_published:
        raise DomainError(_("Only a published bulletin can be corrected; edit the draft by "
                            "building it again."), field="status")
    if latest.pk != bulletin.pk:
        raise DomainError(_("Revision %(revision)d is newer; correct that one.")
                          % {"revision": latest.revision}, field="status")
    correction = Bulletin(region_id=bulletin.region_id, month=bulletin.month,
                          revision=bulletin.revision + 1, corrects=bulletin,
                          correction_reason=reason, generated_by=actor)
    return _fill(correction, region=bulletin.region, month=Month.parse(bulletin.month), now=now)


def regions_to_build():
    """Every county and city: each publishes its own bulletin."""
    return Region.objects.filter(level__in=BULLETIN_LEVELS).order_by("path")
