"""Monthly warning bulletins: what a region's month contains, drafts, publication, corrections.

``contents`` is the one place a bulletin's figures are computed; the page, the print view, the
Excel export, the API and the snapshot all render what it produced. A village's color for a
month is its latest submitted rating in that month (the second half-month if submitted, else the
first); "moved up" compares it with the previous month's color (``movement``), and the
cumulative figure compares it with the village's first rated color.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import OPEN_CASE_STATUSES, Case, LedgerItem, LedgerStatus
from core.errors import DomainError, NotAllowed
from core.periods import Month
from earlywarning import consequences, roster, shangyu
from earlywarning.models import RosterEntry, Talk, TalkStatus
from earlywarning.models.bulletins import Bulletin, BulletinEntry, BulletinStatus
from earlywarning.models.ratings import COLOR_RANK, Color, Movement, RatingStatus, WarningRating
from earlywarning.models.ratings import movement as color_movement
from villages import scoping
from villages.models import Region, RegionLevel, Village

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


def _month_end(month: Month):
    return timezone.make_aware(datetime.combine(month.next_start(), time.min))


def _entry_rows(region: Region, month: Month) -> list[dict]:
    """One query: every village on the month's roster (either half) or rated in it, with its
    colors, its tier in the county's latest approved quarter, its case and ledger figures."""
    h1, h2 = month.halves()
    submitted = WarningRating.objects.filter(village=OuterRef("pk"), status=RatingStatus.SUBMITTED)
    until = submitted.filter(period__lte=str(h2))
    on_roster = RosterEntry.objects.filter(village=OuterRef("pk"), removed_at__isnull=True)
    open_items = (LedgerItem.objects.filter(village=OuterRef("pk"))
                  .exclude(status=LedgerStatus.STRUCK_OFF).values("village")
                  .annotate(n=Count("pk")).values("n"))
    open_case = Case.objects.filter(village=OuterRef("pk"), status__in=OPEN_CASE_STATUSES)
    tier = roster.approved_evaluation(OuterRef("pk"), _month_end(month))
    return list(
        Village.objects.in_region(region)
        .annotate(
            listed_h1=Exists(on_roster.filter(period=str(h1))),
            listed_h2=Exists(on_roster.filter(period=str(h2))),
            rated=Exists(submitted.filter(period__in=[str(h1), str(h2)])),
            color_now=shangyu.month_color(month, "pk"),
            color_before=shangyu.month_color(month.previous(), "pk"),
            color_first=Subquery(until.order_by("period").values("color")[:1]),
            first_period=Subquery(until.order_by("period").values("period")[:1]),
            h1_done=Exists(submitted.filter(period=str(h1))),
            h1_on_time=Exists(submitted.filter(period=str(h1),
                                               submitted_at__lt=h1.deadline_at)),
            h2_done=Exists(submitted.filter(period=str(h2))),
            h2_on_time=Exists(submitted.filter(period=str(h2),
                                               submitted_at__lt=h2.deadline_at)),
            tier_latest=Subquery(tier.values("tier")[:1]),
            # An open case wins over an older closed one opened later by mistake.
            case_now=Coalesce(
                Subquery(open_case.order_by("-opened_at").values("status")[:1]),
                Subquery(Case.objects.filter(village=OuterRef("pk")).order_by("-opened_at")
                         .values("status")[:1]), Value("")),
            open_items=Coalesce(Subquery(open_items, output_field=IntegerField()), 0),
            overdue_items=Coalesce(Subquery(open_items.filter(overdue=True),
                                            output_field=IntegerField()), 0),
        )
        .filter(Q(listed_h1=True) | Q(listed_h2=True) | Q(rated=True))
        .order_by("township__parent__code", "township__code", "code")
        .values("pk", "code", "name", "township_id", "township__name", "township__code",
                "township__parent__name", "listed_h1", "listed_h2", "color_now", "color_before",
                "color_first", "first_period", "h1_done", "h1_on_time", "h2_done",
                "h2_on_time", "tier_latest", "case_now", "open_items", "overdue_items"))


def _gaps(row: dict, halves) -> tuple[list[str], list[str]]:
    """The half-months whose rating the village owed and missed, or gave late. A half-month
    counts only if the village was on its roster, and only once its deadline has passed."""
    missing, late = [], []
    for half, closed in halves:
        if not row[f"listed_h{half.half}"]:
            continue
        done = row[f"h{half.half}_done"]
        if not done and closed:
            missing.append(str(half))
        elif done and not row[f"h{half.half}_on_time"]:
            late.append(str(half))
    return missing, late


def _entry(row: dict, missing: list[str], late: list[str]) -> dict:
    color, before = row["color_now"], row["color_before"]
    return {
        "village": row["pk"], "village_code": row["code"], "village_name": row["name"],
        "township": row["township_id"], "township_name": row["township__name"],
        "color": color or "", "previous_color": before or "",
        "change": color_movement(before, color) or "", "first_color": row["color_first"] or "",
        "tier": row["tier_latest"], "case_status": row["case_now"],
        "open_ledger_items": row["open_items"], "overdue_ledger_items": row["overdue_items"],
        "on_warning_list": row["listed_h1"] or row["listed_h2"],
        "missing_periods": " ".join(missing), "late_periods": " ".join(late)}


class _Tally:
    """The summary's running figures: per township, in total, and since the first rating."""

    def __init__(self):
        self.townships: dict[int, dict] = {}
        self.totals = defaultdict(int)
        self.cumulative = {"since": None, "up": 0, "down": 0,
                           "up_to": {Color.GREEN.value: 0, Color.YELLOW.value: 0},
                           "colors": {c: 0 for c in Color.values}}
        self.new_red = []

    def add(self, row: dict, entry: dict) -> None:
        color, change = entry["color"], entry["change"]
        town = self.townships.setdefault(row["township_id"], {
            "id": row["township_id"], "name": row["township__name"],
            "county": row["township__parent__name"], "green": 0, "yellow": 0, "red": 0,
            "unrated": 0, "up": 0, "down": 0, "missing": 0, "late": 0})
        town[color or "unrated"] += 1
        self.totals[color or "unrated"] += 1
        self.totals["villages"] += 1
        if change in (Movement.UP, Movement.DOWN):
            town[change] += 1
        if change:
            self.totals[change] += 1
        town["missing"] += len(entry["missing_periods"].split())
        town["late"] += len(entry["late_periods"].split())
        if color == Color.RED and entry["previous_color"] != Color.RED:
            self.new_red.append({"village": row["pk"], "name": row["name"],
                                 "township": row["township__name"],
                                 "previous_color": entry["previous_color"] or None})
        if color:
            self._cumulate(row, color)

    def _cumulate(self, row: dict, color: str) -> None:
        cumulative, first = self.cumulative, row["color_first"]
        cumulative["colors"][color] += 1
        since = row["first_period"][:7] if row["first_period"] else None
        if since and (cumulative["since"] is None or since < cumulative["since"]):
            cumulative["since"] = since
        if first and COLOR_RANK[Color(first)] > COLOR_RANK[Color(color)]:
            cumulative["up"] += 1
            cumulative["up_to"][color] += 1
        elif first and COLOR_RANK[Color(first)] < COLOR_RANK[Color(color)]:
            cumulative["down"] += 1


def _shangyu(region: Region, month: Month, townships: dict[int, dict], today) -> list[dict]:
    """Mark each township's red count and baseline (the Shangyu rule, ``shangyu.py``) and list
    the townships whose count rose, with who is called to the talk."""
    counts = {c.township.pk: c for c in shangyu.red_counts(shangyu.in_region(region), month)}
    flagged = [c for c in counts.values() if c.increased]
    who = consequences.talk_participants([c.township.pk for c in flagged], today)
    for town in townships.values():
        count = counts.get(town["id"])
        town["red_previous"] = count.red_before if count else None
        town["red_rose"] = bool(count and count.increased)
    return [{"township": c.township.pk, "name": c.township.name, "red": c.red,
             "red_previous": c.red_before, "officials_for_talk": who[c.township.pk]}
            for c in sorted(flagged, key=lambda c: c.township.path)]


def _talks_due(region: Region) -> list[dict]:
    return [{"township": t.township_id, "name": t.township.name, "month": t.month,
             "participants": t.participants}
            for t in Talk.objects.filter(status=TalkStatus.DUE,
                                         township__path__startswith=region.path)
            .select_related("township").order_by("month", "township__code")]


def contents(*, region: Region, month: Month, today: date | None = None) -> Contents:
    """Everything a region's bulletin for ``month`` says, from the data as it stands: the
    villages on the month's rosters with their colors, the townships' figures, the Shangyu rule,
    the talks due. A fixed number of queries whatever the region's size."""
    today = today or timezone.localdate()
    roster.ensure_all(month.halves())
    rows = _entry_rows(region, month)
    # A half-month still open has no "missing" or "late" ratings yet.
    halves = [(half, half.is_past_deadline(today)) for half in month.halves()
              if not half.is_future(today)]
    tally, entries = _Tally(), []
    for row in rows:
        entry = _entry(row, *_gaps(row, halves))
        tally.add(row, entry)
        entries.append(entry)
    flagged = _shangyu(region, month, tally.townships, today)
    summary = {
        "month": str(month),
        "title": bulletin_title(month),
        "region": {"id": region.pk, "name": region.name, "level": region.level},
        "totals": {"villages": tally.totals["villages"],
                   **{key: tally.totals[key] for key in (*Color.values, "unrated",
                                                         *Movement.values)}},
        "cumulative": tally.cumulative,
        "townships": list(tally.townships.values()),
        "new_red": tally.new_red,
        "ratings_missing": sum(t["missing"] for t in tally.townships.values()),
        "ratings_late": sum(t["late"] for t in tally.townships.values()),
        # 上虞 rule: red count rose instead of falling → no awards, officials called for a talk.
        "award_ineligible": flagged,
        "talks_due": _talks_due(region),
    }
    return Contents(summary=summary, entries=entries)


# --- Drafts, publication, corrections -----------------------------------------------------------


ENTRY_FIELDS = ("village_name", "township_name", "color", "previous_color", "change",
                "first_color", "tier", "case_status", "open_ledger_items",
                "overdue_ledger_items", "on_warning_list", "missing_periods", "late_periods")


def _check_rights(actor, region: Region) -> None:
    # ``actor`` is None for the scheduled task, which acts for the department itself.
    if actor is not None and not scoping.can_manage_bulletins(actor, region):
        raise NotAllowed(_("Only the county or city organization department of %(region)s may "
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
    # What the published bulletin established stays established: eligibility lost, talks due.
    consequences.record_from_bulletin(bulletin=draft, now=now)
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
