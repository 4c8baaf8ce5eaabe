"""Carrying a retired village's open work to its successor after a merger or split.

``carry_over(event=…)`` moves, from every village the event retired to ``event.carried_to``:

- open cases (not closed), which keep the village they were opened for in ``carried_from``
  (the one-open-case rules hold for the successor's own cases, so the two sit side by side);
- open ledger items (not struck off), numbered on after the successor's last item (the old
  number is kept in the record and in the item's history);
- pairings in force on the effective date, where the retired village is the paired village or
  the strong partner; a pairing that would pair the successor with itself ends instead.

Each move gets a ``CarriedWork`` row and a history row. Closed cases, struck-off items, ended
pairings, visits, projects, instructor days and evidence stay with the village where they
happened: past records keep the village as it was. Running it again moves nothing more.
"""

from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from casework.models import CarriedWork, Case, CaseStatus, LedgerItem, LedgerStatus, Pairing
from core.history import record_changes
from villages.models import LineageEvent, LineageLink, Village


def _carry_cases(event, retired, target, actor, reason) -> list[CarriedWork]:
    cases = Case.objects.filter(village__in=retired).exclude(status=CaseStatus.CLOSED)
    moved = list(cases.values_list("pk", "village_id"))
    Case.objects.filter(pk__in=[pk for pk, _v in moved]).update(
        village=target, carried_from=Coalesce(F("carried_from"), F("village")))
    record_changes(Case.objects.filter(pk__in=[pk for pk, _v in moved]), actor=actor,
                   reason=reason)
    return [CarriedWork(event=event, from_village_id=village_id, to_village=target, case_id=pk)
            for pk, village_id in moved]


def _carry_ledger(event, retired, target, actor, reason) -> list[CarriedWork]:
    items = list(LedgerItem.objects.filter(village__in=retired)
                 .exclude(status=LedgerStatus.STRUCK_OFF).order_by("village__code", "number"))
    # The successor's row lock serializes numbering with ledger.list_item.
    Village.objects.select_for_update().filter(pk=target.pk).first()
    last = LedgerItem.objects.filter(village=target).aggregate(n=Max("number"))["n"] or 0
    records = []
    for offset, item in enumerate(items, start=1):
        records.append(CarriedWork(event=event, from_village_id=item.village_id,
                                   to_village=target, ledger_item=item,
                                   old_number=item.number))
        item.village, item.number = target, last + offset
    LedgerItem.objects.bulk_update(items, ["village", "number"])
    record_changes(LedgerItem.objects.filter(pk__in=[i.pk for i in items]), actor=actor,
                   reason=reason)
    return records


def _carry_pairings(event, retired, target, actor, reason) -> list[CarriedWork]:
    in_force = Q(end__isnull=True) | Q(end__gte=event.effective_date)
    pairings = list(Pairing.objects.filter(in_force).filter(
        Q(village__in=retired) | Q(partner_village__in=retired)))
    retired_ids = {v.pk for v in retired}
    records = []
    for pairing in pairings:
        origin = pairing.village_id if pairing.village_id in retired_ids else (
            pairing.partner_village_id)
        village = target.pk if pairing.village_id in retired_ids else pairing.village_id
        partner = target.pk if pairing.partner_village_id in retired_ids else (
            pairing.partner_village_id)
        ended = partner == village
        if ended:
            pairing.end = max(event.effective_date, pairing.start)
        else:
            pairing.village_id, pairing.partner_village_id = village, partner
        records.append(CarriedWork(event=event, from_village_id=origin, to_village=target,
                                   pairing=pairing, ended=ended))
    Pairing.objects.bulk_update(pairings, ["village", "partner_village", "end"])
    record_changes(Pairing.objects.filter(pk__in=[p.pk for p in pairings]), actor=actor,
                   reason=reason)
    return records


@transaction.atomic
def carry_over(*, event: LineageEvent, actor) -> list[CarriedWork]:
    """Move the open work of the villages ``event`` retired to ``event.carried_to``."""
    target = event.carried_to
    if target is None:
        return []
    retired = list(Village.objects.filter(code__in=LineageLink.objects.filter(
        event=event, retired=True).values("village_id")))
    reason = _("Carried over: %(event)s") % {"event": event}
    records = [*_carry_cases(event, retired, target, actor, reason),
               *_carry_ledger(event, retired, target, actor, reason),
               *_carry_pairings(event, retired, target, actor, reason)]
    CarriedWork.objects.bulk_create(records)
    return records


# --- Reads ----------------------------------------------------------------------------------------


def carried_into(villages) -> QuerySet[CarriedWork]:
    """What mergers and splits carried into these villages, with what each row shows."""
    return _shown(CarriedWork.objects.filter(to_village__in=villages))


def carried_by(event: LineageEvent) -> QuerySet[CarriedWork]:
    return _shown(CarriedWork.objects.filter(event=event))


def _shown(rows: QuerySet[CarriedWork]) -> QuerySet[CarriedWork]:
    return (rows.select_related("event", "from_village", "case", "ledger_item",
                                "pairing__partner_person", "pairing__partner_village")
            .order_by("-event__effective_date", "event_id", "pk"))
