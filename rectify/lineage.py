"""Village lineage across the apps: the ONE function that makes a merger, split or township
merger — the register's event (``villages/lineage.py``) and the carrying over of the retired
villages' open work (``casework/lineage.py``) in one transaction — and the reads behind the
village page's lineage panel (``templates/villages/_lineage.html``)."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction

from casework import lineage as casework_lineage
from villages import lineage as villages_lineage
from villages import scoping
from villages.lineage import NewVillage
from villages.models import LineageEvent, LineageRole, Region, Village


@transaction.atomic
def make_event(*, actor, kind: str, effective_date: date, document_number: str, reason: str,
               predecessors: Sequence[Village] = (), successors: Sequence[Village] = (),
               new_villages: Sequence[NewVillage] = (), carried_to: str = "",
               from_township: Region | None = None, to_township: Region | None = None,
               villages: Sequence[Village] = (), today: date | None = None) -> LineageEvent:
    """Record the event and carry the work, or change nothing: the HTML form, the admin and
    ``POST /api/v1/lineage-events/`` all call this."""
    event = villages_lineage.record_event(
        actor=actor, kind=kind, effective_date=effective_date, document_number=document_number,
        reason=reason, predecessors=predecessors, successors=successors,
        new_villages=new_villages, carried_to=carried_to, from_township=from_township,
        to_township=to_township, villages=villages, today=today)
    casework_lineage.carry_over(event=event, actor=actor)
    return event


def event_sides(event: LineageEvent) -> dict[str, list[Village]]:
    """The villages of a prefetched event by role: predecessors, successors, moved."""
    sides = {role: [] for role in LineageRole.values}
    for link in event.links.all():
        sides[link.role].append(link.village)
    return sides


def village_lineage(user, village: Village) -> dict:
    """The context of ``templates/villages/_lineage.html`` for ``village``'s page: its
    predecessors and successors (transitively, those the user may see), every event of the
    chain with its villages, and the work carried into the village. Seven statements."""
    visible = scoping.visible_villages(user)
    before = list(visible.filter(pk__in=villages_lineage.predecessors(village).values("pk"))
                  .select_related("township").order_by("code"))
    after = list(visible.filter(pk__in=villages_lineage.successors(village).values("pk"))
                 .select_related("township").order_by("code"))
    codes = [village.code, *(v.code for v in before + after)]
    events = list(villages_lineage.events_of(codes))
    for event in events:
        event.sides = event_sides(event)
    return {
        "village": village,
        "predecessors": before,
        "successors": after,
        "events": events,
        "carried": list(casework_lineage.carried_into([village])),
        "can_make": scoping.can_make_lineage_event(user, [village.township]),
    }
