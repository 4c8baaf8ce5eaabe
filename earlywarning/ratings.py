"""Half-monthly warning ratings: who is rated, entering and submitting, locks, completeness.

Every surface — the rating sheet, the API, the admin — writes through ``save_ratings``.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import OPEN_CASE_STATUSES, Case
from core.errors import DomainError
from core.periods import HalfMonth
from earlywarning.models.evaluations import Evaluation, Tier
from earlywarning.models.ratings import (
    Color,
    LockException,
    RatingStatus,
    WarningListAction,
    WarningListChange,
    WarningRating,
    movement,
)
from villages import scoping
from villages.listing import latest_grade_year
from villages.models import AnnualGrade, Grade, Region, Village


class RatingError(DomainError):
    """A rating batch was refused; ``errors`` maps each failing village id to
    ``{field: [messages]}``."""

    def __init__(self, message, *, field=None, errors: dict | None = None):
        super().__init__(message, field=field)
        self.errors = errors or {}


# --- The warning list ---------------------------------------------------------------------------


def warning_list_condition() -> Q:
    """Villages that must be rated: graded 较差 in the latest grading year, in class 3 in the
    latest tiered quarter, with an open rectification case, or added by the county — and not
    removed by it."""
    # IN (subquery) rather than EXISTS: PostgreSQL hashes each id set once instead of probing
    # five indexes per village, which matters for a city of 20,000 villages.
    poor = AnnualGrade.objects.filter(year=latest_grade_year(), grade=Grade.POOR)
    quarter = (Evaluation.objects.filter(tier__isnull=False).order_by("-quarter")
               .values_list("quarter", flat=True).first())
    class_three = Evaluation.objects.filter(quarter=quarter, tier=Tier.THIRD)
    open_case = Case.objects.filter(status__in=OPEN_CASE_STATUSES)
    changes = WarningListChange.objects.filter(ended_at__isnull=True)
    return ((Q(pk__in=poor.values("branch__village")) | Q(pk__in=class_three.values("village"))
             | Q(pk__in=open_case.values("village"))
             | Q(pk__in=changes.filter(action=WarningListAction.ADD).values("village")))
            & ~Q(pk__in=changes.filter(action=WarningListAction.REMOVE).values("village"))
            & Q(is_active=True))


def warning_list(villages: QuerySet[Village]) -> QuerySet[Village]:
    return villages.filter(warning_list_condition())


@transaction.atomic
def change_warning_list(*, actor, village: Village, action: str, reason: str) -> None:
    """The county adds a village to, or removes it from, the warning list, saying why."""
    if not scoping.can_manage_warning_list(actor, village):
        raise DomainError(_("Only the county may change the warning list."))
    if not reason.strip():
        raise DomainError(_("Give a reason for the change."), field="reason")
    if action not in WarningListAction.values:
        raise DomainError(_("Unknown action."), field="action")
    WarningListChange.objects.filter(village=village, ended_at__isnull=True).update(
        ended_at=timezone.now())
    WarningListChange.objects.create(village=village, action=action, reason=reason.strip(),
                                     made_by=actor)


# --- Whether a period is open -------------------------------------------------------------------


def check_period_open(period: HalfMonth, township: Region, *, today=None,
                      exception: LockException | None = None) -> None:
    today = today or timezone.localdate()
    if period.is_future(today):
        raise DomainError(_("The period %(period)s has not begun yet.") % {"period": period},
                          field="period")
    if not period.is_past_deadline(today):
        return
    if exception is not None and exception.open_until >= today:
        return
    raise DomainError(
        _("The period %(period)s closed on %(deadline)s; ask the county for a lock exception.")
        % {"period": period, "deadline": period.deadline.isoformat()}, field="period")


def is_locked(period: HalfMonth, township: Region, *, today=None) -> bool:
    try:
        check_period_open(period, township, today=today,
                          exception=LockException.objects.filter(
                              township=township, period=str(period)).first())
    except DomainError:
        return True
    return False


@transaction.atomic
def grant_lock_exception(*, actor, township: Region, period: HalfMonth, reason: str,
                         today=None) -> LockException:
    if not scoping.is_staff_over(actor, township):
        raise DomainError(_("Only the county may grant a lock exception."))
    if not reason.strip():
        raise DomainError(_("Give a reason for the exception."), field="reason")
    if period.is_future(today):
        raise DomainError(_("The period %(period)s has not begun yet.") % {"period": period},
                          field="period")
    open_until = (today or timezone.localdate()) + timedelta(days=settings.RATING_EXCEPTION_DAYS)
    exception, _created = LockException.objects.update_or_create(
        township=township, period=str(period),
        defaults={"reason": reason.strip(), "open_until": open_until, "granted_by": actor})
    return exception


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


def save_ratings(*, actor, period: HalfMonth, entries: list[RatingInput], submit: bool,
                 now=None) -> list[WarningRating]:
    """Save a batch of ratings for one period, all or nothing, in a constant number of queries.

    Rules: the actor works in each village's township (or above) and may write; the village is
    on the warning list; the period has begun and is open (or has a lock exception for the
    township); colors are known; a reason is given when the color is red or differs from the
    previous period's; a submitted rating is changed only by submitting again. Saving again for
    a village and period updates the one rating (concurrent saves serialize on its row).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not entries:
        raise RatingError(_("Nothing to save."))
    if not scoping.can_enter_ratings(actor):
        raise RatingError(_("Your role may not enter warning ratings."))
    ids = [entry.village_id for entry in entries]
    if len(set(ids)) != len(ids):
        raise RatingError(_("A village appears twice in the batch."), field="village")
    if period.is_future(today):
        raise RatingError(_("The period %(period)s has not begun yet.") % {"period": period},
                          field="period")

    with transaction.atomic():
        villages = {v.pk: v for v in warning_list(scoping.visible_villages(actor))
                    .filter(pk__in=ids).select_related("township")}
        listed_elsewhere = set()
        if len(villages) < len(ids):
            listed_elsewhere = set(scoping.visible_villages(actor).filter(
                pk__in=set(ids) - set(villages)).values_list("pk", flat=True))
        exceptions = {e.township_id: e for e in LockException.objects.filter(
            period=str(period), township__in={v.township_id for v in villages.values()})}
        existing = {r.village_id: r for r in WarningRating.objects.select_for_update()
                    .filter(period=str(period), village_id__in=ids)}
        before = previous_colors(ids, period)

        errors: dict[int, dict[str, list[str]]] = {}

        def refuse(entry, field, message):
            errors.setdefault(entry.village_id, {}).setdefault(field, []).append(str(message))

        for entry in entries:
            village = villages.get(entry.village_id)
            if village is None:
                refuse(entry, "village", _("This village is not on your warning list.")
                       if entry.village_id in listed_elsewhere else _("Unknown village."))
                continue
            if not scoping.can_work_in_village(actor, village):
                refuse(entry, "village", _("You may not rate villages of another township."))
                continue
            try:
                check_period_open(period, village.township, today=today,
                                  exception=exceptions.get(village.township_id))
            except DomainError as error:
                refuse(entry, "period", error.message)
                continue
            if entry.color not in Color.values:
                refuse(entry, "color", _("Choose green, yellow or red."))
                continue
            changed = before.get(entry.village_id) not in (None, entry.color)
            if (entry.color == Color.RED or changed) and not entry.reason.strip():
                refuse(entry, "reason", _("Give a reason: the color is red or changed since the "
                                          "last period."))
            rating = existing.get(entry.village_id)
            if (rating and rating.status == RatingStatus.SUBMITTED and not submit
                    and (rating.color, rating.reason) != (entry.color, entry.reason.strip())):
                refuse(entry, "status", _("This rating was already submitted; submit to "
                                          "change it."))
        if errors:
            raise RatingError(_("Nothing was saved: %(count)d ratings have problems.")
                              % {"count": len(errors)}, errors=errors)

        status = RatingStatus.SUBMITTED if submit else RatingStatus.DRAFT
        created, updated = [], []
        for entry in entries:
            rating = existing.get(entry.village_id)
            reason = entry.reason.strip()
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

        fields = ["color", "reason", "status", "rated_by", "rated_at", "submitted_at"]
        if created:
            # ON CONFLICT DO UPDATE: a concurrent first save of the same village and period
            # waits on the other's row and then updates it, instead of failing.
            WarningRating.objects.bulk_create(
                created, update_conflicts=True, unique_fields=["village", "period"],
                update_fields=fields)
            WarningRating.history.bulk_history_create(created, default_user=actor,
                                                      default_date=now)
        if updated:
            WarningRating.objects.bulk_update(updated, fields)
            WarningRating.history.bulk_history_create(updated, update=True, default_user=actor,
                                                      default_date=now)
        return list(WarningRating.objects.filter(period=str(period), village_id__in=ids)
                    .select_related("village", "rated_by").order_by("village__code"))


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

    Expected is today's warning list; one grouped query whatever the number of townships.
    """
    # One LEFT JOIN to the period's submitted rating (there is at most one per village).
    rated = FilteredRelation("warning_ratings", condition=Q(
        warning_ratings__period=str(period), warning_ratings__status=RatingStatus.SUBMITTED))
    rows = (warning_list(scoping.visible_villages(user).in_region(region))
            .annotate(rated=rated)
            .values("township")
            .annotate(expected=Count("pk"), submitted=Count("rated"),
                      on_time=Count("rated", filter=Q(
                          rated__submitted_at__lt=period.deadline_at))))
    townships = {t.pk: t for t in scoping.visible_regions(user).filter(
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
