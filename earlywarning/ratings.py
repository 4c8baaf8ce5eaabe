"""Half-monthly warning ratings: entering and submitting them, and reading them back.

Who is rated in a period is that period's warning roster (``roster.py``); whether a period is
open is ``locks.py``. Every surface — the rating sheet, the API, the admin — writes through
``save_ratings``.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from core.periods import HalfMonth
from earlywarning import locks, roster
from earlywarning.models import Color, RatingStatus, WarningRating
from earlywarning.models.ratings import movement
from villages import scoping
from villages.models import Region, Village

RATING_FIELDS = ["color", "reason", "status", "rated_by", "rated_at", "submitted_at"]


class RatingError(DomainError):
    """A rating batch was refused; ``errors`` maps each failing village id to
    ``{field: [messages]}``."""

    def __init__(self, message, *, field=None, errors: dict | None = None):
        super().__init__(message, field=field)
        self.errors = errors or {}


# --- Entering ratings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    village_id: int
    color: str
    reason: str = ""


def previous_colors(village_ids, period: HalfMonth) -> dict[int, str]:
    """Each village's submitted color for the period before ``period``."""
    return dict(WarningRating.objects.filter(
        village_id__in=village_ids, period=str(period.previous()),
        status=RatingStatus.SUBMITTED).values_list("village_id", "color"))


def _check_batch(actor, period: HalfMonth, entries: list[RatingInput], today) -> None:
    if not entries:
        raise RatingError(_("Nothing to save."))
    if not scoping.can_enter_ratings(actor):
        raise NotAllowed(_("Your role may not enter warning ratings."))
    ids = [entry.village_id for entry in entries]
    if len(set(ids)) != len(ids):
        raise RatingError(_("A village appears twice in the batch."), field="village")
    if period.is_future(today):
        raise RatingError(_("The period %(period)s has not begun yet.") % {"period": period},
                          field="period")


@dataclass
class _Batch:
    """What one batch needs to know, read in a fixed number of queries."""

    villages: dict[int, Village]
    visible_elsewhere: set[int]
    exceptions: dict
    existing: dict[int, WarningRating]
    before: dict[int, str]


def _read_batch(actor, period: HalfMonth, ids: list[int]) -> _Batch:
    on_roster = roster.rostered(scoping.visible_villages(actor), period)
    villages = {v.pk: v for v in on_roster.filter(pk__in=ids).select_related("township")}
    elsewhere = set()
    if len(villages) < len(ids):
        elsewhere = set(scoping.visible_villages(actor).filter(
            pk__in=set(ids) - set(villages)).values_list("pk", flat=True))
    return _Batch(
        villages=villages, visible_elsewhere=elsewhere,
        exceptions=locks.exceptions_for(period, {v.township_id for v in villages.values()}),
        existing={r.village_id: r for r in WarningRating.objects.select_for_update()
                  .filter(period=str(period), village_id__in=ids)},
        before=previous_colors(ids, period))


def _entry_errors(actor, period, entry: RatingInput, batch: _Batch, submit: bool,
                  today) -> dict[str, str]:
    """The problems of one rating, by field; empty when it may be saved."""
    village = batch.villages.get(entry.village_id)
    if village is None:
        return {"village": _("This village is not on your warning roster for this period.")
                if entry.village_id in batch.visible_elsewhere else _("Unknown village.")}
    if not scoping.can_work_in_village(actor, village):
        return {"village": _("You may not rate villages of another township.")}
    try:
        locks.check_open(period, today=today,
                         exception=batch.exceptions.get(village.township_id))
    except DomainError as error:
        return {"period": str(error.message)}
    if entry.color not in Color.values:
        return {"color": _("Choose green, yellow or red.")}
    changed = batch.before.get(entry.village_id) not in (None, entry.color)
    if submit and (entry.color == Color.RED or changed) and not entry.reason.strip():
        # A draft may leave the reason for later; only submission needs it.
        return {"reason": _("Give a reason: the color is red or changed since the last "
                            "period.")}
    rating = batch.existing.get(entry.village_id)
    if (rating and rating.status == RatingStatus.SUBMITTED and not submit
            and (rating.color, rating.reason) != (entry.color, entry.reason.strip())):
        return {"status": _("This rating was already submitted; submit to change it.")}
    return {}


def _write(actor, period, entries, batch: _Batch, submit: bool, now) -> None:
    status = RatingStatus.SUBMITTED if submit else RatingStatus.DRAFT
    created, updated = [], []
    for entry in entries:
        rating, reason = batch.existing.get(entry.village_id), entry.reason.strip()
        if rating is None:
            created.append(WarningRating(
                village_id=entry.village_id, period=str(period), color=entry.color,
                reason=reason, status=status, rated_by=actor, rated_at=now,
                submitted_at=now if submit else None))
            continue
        new_status = RatingStatus.SUBMITTED if (
            submit or rating.status == RatingStatus.SUBMITTED) else RatingStatus.DRAFT
        if (rating.color, rating.reason, rating.status) == (entry.color, reason, new_status):
            continue
        rating.color, rating.reason, rating.status = entry.color, reason, new_status
        rating.rated_by, rating.rated_at = actor, now
        if submit:
            rating.submitted_at = now
        updated.append(rating)
    if created:
        # ON CONFLICT DO UPDATE: a concurrent first save of the same village and period waits
        # on the other's row and then updates it, instead of failing.
        WarningRating.objects.bulk_create(created, update_conflicts=True,
                                          unique_fields=["village", "period"],
                                          update_fields=RATING_FIELDS)
        WarningRating.history.bulk_history_create(created, default_user=actor,
                                                  default_date=now)
    if updated:
        WarningRating.objects.bulk_update(updated, RATING_FIELDS)
        WarningRating.history.bulk_history_create(updated, update=True, default_user=actor,
                                                  default_date=now)


def save_ratings(*, actor, period: HalfMonth, entries: list[RatingInput], submit: bool,
                 now=None) -> list[WarningRating]:
    """Save a batch of ratings for one period, all or nothing, in a constant number of queries.

    Rules: the actor works in each village's township (or above) and may rate; the village is
    on the period's warning roster; the period has begun and is open (or has a lock exception
    for the township); colors are known; on submission a reason is given when the color is red
    or differs from the previous period's (a draft may leave it blank); a submitted rating is
    changed only by submitting again. Saving again for a village and period updates the one
    rating (concurrent saves serialize on its row).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    _check_batch(actor, period, entries, today)
    with transaction.atomic():
        batch = _read_batch(actor, period, [entry.village_id for entry in entries])
        errors = {}
        for entry in entries:
            problems = _entry_errors(actor, period, entry, batch, submit, today)
            if problems:
                errors[entry.village_id] = {field: [str(message)]
                                            for field, message in problems.items()}
        if errors:
            raise RatingError(_("Nothing was saved: %(count)d ratings have problems.")
                              % {"count": len(errors)}, errors=errors)
        _write(actor, period, entries, batch, submit, now)
        return list(WarningRating.objects.filter(period=str(period),
                                                 village_id__in=batch.existing.keys()
                                                 | {e.village_id for e in entries})
                    .select_related("village", "rated_by").order_by("village__code"))


@dataclass(frozen=True)
class BatchItem:
    period: HalfMonth
    submit: bool
    rating: RatingInput


def save_mixed_batch(*, actor, items: list[BatchItem], now=None) -> list[WarningRating]:
    """A batch whose items may name different periods, drafts and submissions (the API's list):
    one ``save_ratings`` per (period, submit), all in one transaction — all or nothing."""
    groups: dict[tuple, list[RatingInput]] = {}
    for item in items:
        groups.setdefault((item.period, item.submit), []).append(item.rating)
    saved = []
    with transaction.atomic():
        for (period, submit), entries in groups.items():
            saved += save_ratings(actor=actor, period=period, entries=entries, submit=submit,
                                  now=now)
    return saved


# --- Reading ratings ----------------------------------------------------------------------------


def current_color_subquery():
    """A village's current color: its latest submitted rating."""
    return Subquery(WarningRating.objects.filter(
        village=OuterRef("pk"), status=RatingStatus.SUBMITTED).order_by("-period")
        .values("color")[:1])


@dataclass(frozen=True)
class TimelineEntry:
    period: str
    color: str
    movement: str | None
    reason: str


def timeline(village: Village, *, limit: int = 24) -> list[TimelineEntry]:
    """The village's submitted colors, oldest first, each with its move from the one before."""
    rows = list(WarningRating.objects.filter(village=village, status=RatingStatus.SUBMITTED)
                .order_by("-period").values_list("period", "color", "reason")[:limit + 1])
    rows.reverse()
    entries = []
    for index, (period, color, reason) in enumerate(rows):
        previous = rows[index - 1] if index else None
        consecutive = previous and str(HalfMonth.parse(period).previous()) == previous[0]
        entries.append(TimelineEntry(period, color, movement(
            previous[1] if consecutive else None, color), reason))
    return entries[-limit:]


@dataclass(frozen=True)
class Completeness:
    township: Region
    expected: int
    submitted: int
    on_time: int

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def late(self) -> bool:
        return self.submitted < self.expected or self.on_time < self.submitted

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 1.0


def completeness(user, region: Region, period: HalfMonth) -> list[Completeness]:
    """DHIS2's reporting rate per township: expected, submitted, submitted on time.

    Expected is the period's warning roster (townships as they were in the period), so the
    answer for a past period never changes. One grouped query whatever the number of townships.
    """
    # One LEFT JOIN to the period's submitted rating (there is at most one per village).
    rated = FilteredRelation("village__warning_ratings", condition=Q(
        village__warning_ratings__period=str(period),
        village__warning_ratings__status=RatingStatus.SUBMITTED))
    rows = (scoping.visible_by_village(user, roster.entries(period))
            .filter(township__path__startswith=region.path)
            .annotate(rated=rated)
            .values("township")
            .annotate(expected=Count("pk"), submitted=Count("rated"),
                      on_time=Count("rated", filter=Q(
                          rated__submitted_at__lt=period.deadline_at)))
            .order_by())
    townships = {t.pk: t for t in Region.objects.filter(
        pk__in=[row["township"] for row in rows]).select_related("parent")}
    result = [Completeness(townships[row["township"]], row["expected"], row["submitted"],
                           row["on_time"]) for row in rows]
    return sorted(result, key=lambda c: (c.township.parent.code, c.township.code))


@dataclass(frozen=True)
class RatingChange:
    when: object
    who: str
    period: str
    before_color: str | None
    before_status: str
    after_color: str
    after_status: str
    reason: str


def changes(village: Village, *, limit: int = 50) -> list[RatingChange]:
    """Who changed which rating of the village when, with the color before and after."""
    records = list(WarningRating.history.filter(village_id=village.pk)
                   .select_related("history_user").order_by("history_date", "history_id"))
    labels = dict(RatingStatus.choices)
    last_by_rating: dict[int, object] = {}
    result = []
    for record in records:
        before = last_by_rating.get(record.id)
        last_by_rating[record.id] = record
        result.append(RatingChange(
            when=record.history_date,
            who=record.history_user.get_full_name() or record.history_user.username
            if record.history_user else "",
            period=record.period,
            before_color=before.color if before else None,
            before_status=str(labels.get(before.status, "")) if before else "",
            after_color=record.color, after_status=str(labels.get(record.status, "")),
            reason=record.reason))
    return list(reversed(result))[:limit]
