"""Village lineage in the register: recording a merger, a split or a township merger (撤乡并镇),
and reading a village's predecessors and successors.

``record_event`` changes the register only (new villages, retired villages, moved villages,
posts ended); the open work of a retired village moves in ``casework/lineage.py``, and
``rectify/lineage.py`` runs both in one transaction — call that one.

Rules (each refused with a readable error naming the field, nothing changed):

- **Merger** (A + B → B, or A + B → new C): at least two villages, exactly one successor, which
  is one of them or a new village. Every predecessor but the successor retires: inactive, with
  ``merged_into`` the successor.
- **Split** (A → A1 + A2): one village, at least two successors (new villages, existing ones that
  take a part, or A itself if it stays). A retires unless it is among the successors. The open
  work goes to ``carried_to`` (default: A if it stays, else the first successor).
- **Township merger**: the active villages of one township (or those named) move to another
  township of the same county on the effective date.
- Every village and township of an event lies in one county, and the actor is staff over all of
  them (``villages/scoping.py``). A retired village takes no further part; a new village's code
  is 12 digits and unused — a retired village keeps its code for good.
- The effective date lies between 2000-01-01 and today: an event records a change made.

Past records keep the village as it was: ratings, evaluations, bulletins and rosters of past
periods still name the retired village, which stays in the register, inactive.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from core.history import record_changes
from villages import scoping
from villages.models import (
    LineageEvent,
    LineageKind,
    LineageLink,
    LineageRole,
    PostAssignment,
    Region,
    RegionLevel,
    Village,
)

EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class NewVillage:
    """A successor the event creates."""

    code: str
    name: str
    township: Region


def _names(villages) -> str:
    return "、".join(v.name for v in villages)


def _check_text(document_number: str, reason: str, effective_date, today: date) -> None:
    if not (document_number or "").strip():
        raise DomainError(_("Give the number of the approving document (文号)."),
                          field="document_number")
    if len(document_number.strip()) > 60:
        raise DomainError(_("A document number has at most 60 characters."),
                          field="document_number")
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the change."), field="reason")
    if not isinstance(effective_date, date):
        raise DomainError(_("Give the date the change takes effect."), field="effective_date")
    if effective_date < EARLIEST or effective_date > today:
        raise DomainError(_("The effective date lies between %(first)s and today: record an "
                            "event once it has taken effect.") % {"first": EARLIEST},
                          field="effective_date")


def _check_code(code: str, taken: dict[str, Village]) -> str:
    code = (code or "").strip()
    if len(code) != 12 or not code.isascii() or not code.isdigit():
        raise DomainError(_("A village code has exactly 12 digits: “%(code)s”.")
                          % {"code": code}, field="new_villages")
    if code in taken:
        village = taken[code]
        if not village.is_active:
            raise DomainError(_("Code %(code)s belonged to %(name)s, which is retired; the codes "
                                "of retired villages are never reused.")
                              % {"code": code, "name": village.name}, field="new_villages")
        raise DomainError(_("Code %(code)s is taken by %(name)s.")
                          % {"code": code, "name": village.name}, field="new_villages")
    return code


def _check_new(new_villages: Sequence[NewVillage]) -> None:
    codes = [(n.code or "").strip() for n in new_villages]
    taken = {v.code: v for v in Village.objects.filter(code__in=codes)}
    for new in new_villages:
        _check_code(new.code, taken)
        if not (new.name or "").strip() or len(new.name.strip()) > 50:
            raise DomainError(_("Give each new village a name of at most 50 characters."),
                              field="new_villages")
        if new.township is None or new.township.level != RegionLevel.TOWNSHIP:
            raise DomainError(_("A new village belongs to a township."), field="new_villages")
    if len(set(codes)) != len(codes):
        raise DomainError(_("Two new villages have the same code."), field="new_villages")


def _check_shape(kind, predecessors, successors, new_villages) -> None:
    total = len(successors) + len(new_villages)
    if kind == LineageKind.MERGER:
        if not new_villages and {v.pk for v in predecessors} == {v.pk for v in successors}:
            raise DomainError(_("A village cannot be merged into itself."), field="successors")
        if len(predecessors) < 2:
            raise DomainError(_("A merger joins at least two villages."), field="predecessors")
        if total != 1:
            raise DomainError(_("A merger has exactly one successor: one of the merged villages "
                                "or a new one."), field="successors")
        if successors and successors[0].pk not in {v.pk for v in predecessors}:
            raise DomainError(_("The successor of a merger is one of the merged villages or a "
                                "new village."), field="successors")
    else:
        if len(predecessors) != 1:
            raise DomainError(_("A split divides exactly one village."), field="predecessors")
        if total < 2:
            raise DomainError(_("A split has at least two successors."), field="successors")


def _check_villages(predecessors, successors) -> None:
    for village in predecessors:
        if not village.is_active:
            raise DomainError(_("%(name)s is retired and takes no further part in mergers or "
                                "splits.") % {"name": village.name}, field="predecessors")
    for village in successors:
        if not village.is_active:
            raise DomainError(_("%(name)s is retired: nothing can be merged into a retired "
                                "village.") % {"name": village.name}, field="successors")


def _one_county(townships: Sequence[Region], field: str) -> Region:
    counties = {t.parent_id: t.parent for t in townships}
    if len(counties) != 1:
        raise DomainError(_("All villages of an event lie in one county; these lie in %(names)s.")
                          % {"names": "、".join(sorted(c.name for c in counties.values()))},
                          field=field)
    return next(iter(counties.values()))


def _lock(villages: Sequence[Village]) -> list[Village]:
    """The villages, re-read under a row lock: two events cannot retire the same village."""
    ids = [v.pk for v in villages]
    locked = (Village.objects.select_for_update(of=("self",))
              .select_related("township__parent").in_bulk(ids))
    return [locked[pk] for pk in dict.fromkeys(ids)]


def _carried_to(predecessor: Village, successors: list[Village], code: str) -> Village:
    if code:
        chosen = next((s for s in successors if s.code == code.strip()), None)
        if chosen is None:
            raise DomainError(_("The work goes to one of the successors."), field="carried_to")
        return chosen
    return next((s for s in successors if s.pk == predecessor.pk), successors[0])


def _end_posts(villages: Sequence[Village], event: LineageEvent, actor) -> None:
    """People in post in a retired village leave it on the effective date."""
    posts = PostAssignment.objects.filter(village__in=villages, start__lte=event.effective_date,
                                          end__isnull=True)
    ids = list(posts.values_list("pk", flat=True))
    reason = _("Village retired: %(event)s") % {"event": event.document_number}
    PostAssignment.objects.filter(pk__in=ids).update(end=event.effective_date,
                                                     end_reason=reason[:200])
    record_changes(PostAssignment.objects.filter(pk__in=ids), actor=actor, reason=reason)


def _record_villages(*, actor, kind, effective_date, document_number, reason, predecessors,
                     successors, new_villages, carried_to_code) -> LineageEvent:
    predecessors, successors = _lock(predecessors), _lock(successors)
    _check_shape(kind, predecessors, successors, new_villages)
    _check_villages(predecessors, successors)
    _check_new(new_villages)
    townships = [v.township for v in predecessors + successors] + [n.township
                                                                   for n in new_villages]
    county = _one_county(townships, "predecessors")
    if not scoping.can_make_lineage_event(actor, townships):
        raise NotAllowed(_("Only the county organization department over all these villages "
                           "records their merger or split."))
    created = [Village.objects.create(code=n.code.strip(), name=n.name.strip(),
                                      township=n.township) for n in new_villages]
    after = successors + created
    stay = {v.pk for v in after}
    retired = [v for v in predecessors if v.pk not in stay]
    event = LineageEvent.objects.create(
        kind=kind, county=county, effective_date=effective_date, made_by=actor,
        document_number=document_number.strip(), reason=reason.strip(),
        carried_to=_carried_to(predecessors[0], after, carried_to_code) if retired else None)
    LineageLink.objects.bulk_create(
        [LineageLink(event=event, village=v, role=LineageRole.PREDECESSOR,
                     retired=v.pk not in stay) for v in predecessors]
        + [LineageLink(event=event, village=v, role=LineageRole.SUCCESSOR,
                       created=v in created) for v in after])
    if retired:
        merged_into = event.carried_to if kind == LineageKind.MERGER else None
        Village.objects.filter(pk__in=[v.pk for v in retired], is_active=True).update(
            is_active=False, merged_into=merged_into)
        record_changes(Village.objects.filter(pk__in=[v.pk for v in retired]), actor=actor,
                       reason=str(event))
        _end_posts(retired, event, actor)
    return event


def _record_township_merger(*, actor, effective_date, document_number, reason, from_township,
                            to_township, moved) -> LineageEvent:
    for field, township in (("from_township", from_township), ("to_township", to_township)):
        if township is None or township.level != RegionLevel.TOWNSHIP:
            raise DomainError(_("Choose a township."), field=field)
    if from_township.pk == to_township.pk:
        raise DomainError(_("A township cannot be merged into itself."), field="to_township")
    county = _one_county([from_township, to_township], "to_township")
    if not scoping.can_make_lineage_event(actor, [from_township, to_township]):
        raise NotAllowed(_("Only the county organization department over both townships "
                           "records their merger."))
    villages = Village.objects.select_for_update().filter(township=from_township,
                                                          is_active=True)
    if moved:
        villages = villages.filter(pk__in=[v.pk for v in moved])
        if len(villages) != len({v.pk for v in moved}):
            raise DomainError(_("Only active villages of %(township)s can move.")
                              % {"township": from_township.name}, field="villages")
    villages = list(villages)
    if not villages:
        raise DomainError(_("%(township)s has no active villages to move.")
                          % {"township": from_township.name}, field="from_township")
    event = LineageEvent.objects.create(
        kind=LineageKind.TOWNSHIP_MERGER, county=county, effective_date=effective_date,
        document_number=document_number.strip(), reason=reason.strip(), made_by=actor,
        from_township=from_township, to_township=to_township)
    LineageLink.objects.bulk_create([LineageLink(event=event, village=v, role=LineageRole.MOVED)
                                     for v in villages])
    ids = [v.pk for v in villages]
    Village.objects.filter(pk__in=ids, township=from_township).update(township=to_township)
    record_changes(Village.objects.filter(pk__in=ids), actor=actor, reason=str(event))
    return event


@transaction.atomic
def record_event(*, actor, kind: str, effective_date: date, document_number: str, reason: str,
                 predecessors: Sequence[Village] = (), successors: Sequence[Village] = (),
                 new_villages: Sequence[NewVillage] = (), carried_to: str = "",
                 from_township: Region | None = None, to_township: Region | None = None,
                 villages: Sequence[Village] = (), today: date | None = None) -> LineageEvent:
    """Record one event in the register (see the module's rules). ``carried_to`` is the code of
    the successor that takes over the open work in a split."""
    if not scoping.can_manage_master_data(actor):
        raise NotAllowed(_("Only the county organization department records mergers and "
                           "splits."))
    if kind not in LineageKind.values:
        raise DomainError(_("Choose merger, split or township merger."), field="kind")
    _check_text(document_number, reason, effective_date, today or timezone.localdate())
    if kind == LineageKind.TOWNSHIP_MERGER:
        return _record_township_merger(
            actor=actor, effective_date=effective_date, document_number=document_number,
            reason=reason, from_township=from_township, to_township=to_township,
            moved=villages)
    return _record_villages(
        actor=actor, kind=kind, effective_date=effective_date, document_number=document_number,
        reason=reason, predecessors=list(predecessors), successors=list(successors),
        new_villages=list(new_villages), carried_to_code=carried_to)


# --- Reads ----------------------------------------------------------------------------------------

# From a village, walk the events where it is on one side to the villages on the other side,
# and on from those. UNION (not UNION ALL) drops codes already reached, so the walk ends even
# if a village turns up on both sides of the chain (A → A + B, later B + A → A).
_WALK = """
WITH RECURSIVE chain(code) AS (
    SELECT far.village_code FROM {link} near
      JOIN {link} far ON far.event_id = near.event_id AND far.role = %s
     WHERE near.village_code = %s AND near.role = %s AND far.village_code <> near.village_code
    UNION
    SELECT far.village_code FROM chain
      JOIN {link} near ON near.village_code = chain.code AND near.role = %s
      JOIN {link} far ON far.event_id = near.event_id AND far.role = %s
                     AND far.village_code <> near.village_code
)
SELECT code FROM chain WHERE code <> %s
"""


def _walk(village: Village, *, near: str, far: str) -> QuerySet[Village]:
    sql = _WALK.format(link=LineageLink._meta.db_table)
    return Village.objects.filter(code__in=RawSQL(sql, (far, village.code, near, near, far,
                                                        village.code)))


def predecessors(village: Village) -> QuerySet[Village]:
    """Every village that went into ``village``, directly or through earlier events: one SQL
    statement (a recursive walk over the links)."""
    return _walk(village, near=LineageRole.SUCCESSOR, far=LineageRole.PREDECESSOR)


def successors(village: Village) -> QuerySet[Village]:
    """Every village that ``village`` went into, directly or through later events."""
    return _walk(village, near=LineageRole.PREDECESSOR, far=LineageRole.SUCCESSOR)


def events_of(codes) -> QuerySet[LineageEvent]:
    """The events naming any of the villages with these codes, newest first, with their links
    and villages (three statements when iterated)."""
    return (LineageEvent.objects.filter(pk__in=LineageLink.objects.filter(village__in=codes)
                                        .values("event_id"))
            .select_related("county", "from_township", "to_township", "carried_to", "made_by")
            .prefetch_related("links__village")
            .order_by("-effective_date", "-pk"))


def visible_events(user) -> QuerySet[LineageEvent]:
    return scoping.visible_lineage_events(user, LineageEvent.objects.all(),
                                          LineageLink.objects.all())

