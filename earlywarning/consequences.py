"""The Shangyu rule's consequences as records: lost award eligibility and talks (约谈).

Both are written when a bulletin that flags a township is published (``bulletins.publish``), so
what was established stays established whatever later data says. The county restores
eligibility with a reason; a talk is recorded as held with its date, notes and follow-up.
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotAllowed
from core.periods import Month
from earlywarning.models import (
    AwardEligibility,
    Bulletin,
    EligibilityStatus,
    Talk,
    TalkStatus,
)
from villages import scoping
from villages.models import Region, TownshipPost, TownshipPostKind

TALK_POSTS = (TownshipPostKind.DEPUTY_SECRETARY, TownshipPostKind.ORGANIZATION_MEMBER,
              TownshipPostKind.COUNTY_ORGANIZER)


def talk_participants(township_ids, on: date) -> dict[int, list[dict]]:
    """For each township, who is called to the talk: ``{"post", "name"}`` for each of the three
    posts, the name empty where nobody is on record (the post is named instead). Stored as
    codes and names, so every reader shows the post in its own language. One query."""
    holders: dict[tuple[int, str], str] = {}
    for township_id, post, name in (TownshipPost.objects.current(on)
                                    .filter(township__in=township_ids, post__in=TALK_POSTS)
                                    .order_by("start").values_list("township_id", "post",
                                                                   "person__name")):
        holders[(township_id, post)] = name
    return {township_id: [{"post": str(post), "name": holders.get((township_id, post), "")}
                          for post in TALK_POSTS] for township_id in township_ids}


def describe_participants(participants: list[dict]) -> list[str]:
    """"乡镇党委副书记 张三" for each participant, or the post alone where nobody is known."""
    lines = []
    for person in participants or []:
        if isinstance(person, str):  # bulletins published before posts were recorded
            lines.append(person)
            continue
        label = str(TownshipPostKind(person["post"]).label)
        lines.append(f"{label} {person['name']}" if person.get("name") else label)
    return lines


def record_from_bulletin(*, bulletin: Bulletin, now: datetime) -> None:
    """The published bulletin established that the townships it lists under the Shangyu rule
    had their red counts rise: they lose award eligibility for the year (once a year; the first
    bulletin to establish it is kept) and a talk falls due for the month (once per month,
    whichever bulletin names it first), with the people the bulletin named."""
    flagged = bulletin.summary.get("award_ineligible") or []
    if not flagged:
        return
    month = Month.parse(bulletin.month)
    AwardEligibility.objects.bulk_create([AwardEligibility(
        township_id=town["township"], year=month.year, lost_month=str(month),
        red_count=town["red"], red_count_before=town["red_previous"], bulletin=bulletin,
        lost_at=now) for town in flagged], ignore_conflicts=True)
    Talk.objects.bulk_create([Talk(
        township_id=town["township"], month=str(month), bulletin=bulletin,
        participants=town["officials_for_talk"], created_at=now, updated_at=now)
        for town in flagged], ignore_conflicts=True)


@transaction.atomic
def restore_eligibility(*, actor, eligibility: AwardEligibility, reason: str,
                        now: datetime | None = None) -> AwardEligibility:
    """Only the county over the township restores its eligibility, and says why."""
    if not scoping.can_restore_eligibility(actor, eligibility.township):
        raise NotAllowed(_("Only the county organization department may restore award "
                           "eligibility."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the eligibility is restored."), field="reason")
    now = now or timezone.now()
    moved = AwardEligibility.objects.filter(
        pk=eligibility.pk, status=EligibilityStatus.LOST).update(
        status=EligibilityStatus.RESTORED, restored_at=now, restored_by=actor,
        restore_reason=reason)
    if not moved:
        raise Conflict(_("This eligibility is already restored."), field="status")
    eligibility.refresh_from_db()
    return eligibility


def _check_held_on(held_on: date | None, today: date) -> None:
    if held_on is None:
        raise DomainError(_("Give the date the talk was held."), field="held_on")
    if held_on > today:
        raise DomainError(_("A talk cannot be recorded as held in the future."),
                          field="held_on")
    if held_on.year < 2000:
        raise DomainError(_("Give a date after 2000."), field="held_on")


@transaction.atomic
def record_talk(*, actor, talk: Talk, held_on: date | None, notes: str, follow_up: str = "",
                now: datetime | None = None) -> Talk:
    """The county records a due talk as held: when, by whom, what was said, what follows."""
    if not scoping.can_hold_talks(actor, talk.township):
        raise NotAllowed(_("Only the county organization department records talks."))
    now = now or timezone.now()
    _check_held_on(held_on, timezone.localdate(now))
    notes = (notes or "").strip()
    if not notes:
        raise DomainError(_("Write down what the talk covered."), field="notes")
    moved = Talk.objects.filter(pk=talk.pk, status=TalkStatus.DUE).update(
        status=TalkStatus.DONE, held_on=held_on, held_by=actor, notes=notes[:5000],
        follow_up=(follow_up or "").strip()[:5000], updated_at=now)
    if not moved:
        raise Conflict(_("This talk is already recorded as held."), field="status")
    talk.refresh_from_db()
    return talk


@transaction.atomic
def open_talk(*, actor, township: Region, month: Month, now: datetime | None = None) -> Talk:
    """The county records a talk that is due for a township and month (the bulletin does this
    itself for the townships it flags)."""
    if not scoping.can_hold_talks(actor, township):
        raise NotAllowed(_("Only the county organization department records talks."))
    now = now or timezone.now()
    if month.is_future(timezone.localdate(now)):
        raise DomainError(_("The month %(month)s has not begun yet.") % {"month": month},
                          field="month")
    try:
        with transaction.atomic():
            return Talk.objects.create(
                township=township, month=str(month), created_at=now, updated_at=now,
                participants=talk_participants([township.pk],
                                               timezone.localdate(now))[township.pk])
    except IntegrityError:
        raise Conflict(_("%(township)s already has a talk for %(month)s.")
                       % {"township": township.name, "month": month}, field="month") from None
