"""The 挂牌销号 ledger: list a problem, start on it, strike it off when solved.

Striking off takes a resolution note, an evidence file and the verifier (the user doing it), all
in one transaction: the file is stored, the item moves with a conditional update, the history
gets its row. An item is never deleted; nothing here or anywhere else deletes one.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import visibility
from casework.evidence import store_evidence
from casework.models import Case, CaseStatus, LedgerItem, LedgerStatus, ProblemType
from core.errors import DomainError, NotAllowed
from core.history import record_change
from villages import scoping
from villages.models import Village


@transaction.atomic
def list_item(*, actor, village: Village, problem: str, problem_type: ProblemType,
              responsible: str, due: date, case: Case | None = None) -> LedgerItem:
    """挂牌: put a problem on the village's ledger with the next number."""
    if not scoping.can_list_ledger_items(actor, village):
        raise NotAllowed(_("You may not keep the ledger of %(village)s.")
                         % {"village": village.name})
    if case is not None:
        if case.village_id != village.pk:
            raise DomainError(_("The case belongs to another village."), field="case")
        if case.status == CaseStatus.CLOSED:
            raise DomainError(_("The case is closed."), field="case")
    if problem_type is None:
        raise DomainError(_("Choose the problem type."), field="problem_type")
    item = LedgerItem(village=village, case=case, problem=(problem or "").strip(),
                      problem_type=problem_type, responsible=(responsible or "").strip(),
                      due=due, listed_by=actor, listed_at=timezone.now(), number=0)
    # Lock the village row so two clerks listing at once get consecutive numbers.
    Village.objects.select_for_update().filter(pk=village.pk).first()
    item.number = (LedgerItem.objects.filter(village=village).aggregate(n=Max("number"))["n"]
                   or 0) + 1
    item.full_clean(exclude=["evidence", "verified_by"])
    item._history_user = actor
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise DomainError(_("Someone listed an item at the same moment; try again."),
                          field="number") from None
    return item


@transaction.atomic
def start_item(*, actor, item: LedgerItem) -> LedgerItem:
    """整改中: work on the problem has started."""
    if not scoping.can_start_ledger_item(actor, item.village):
        raise NotAllowed(_("You may not work on the ledger of %(village)s.")
                         % {"village": item.village.name})
    moved = LedgerItem.objects.filter(pk=item.pk, status=LedgerStatus.LISTED).update(
        status=LedgerStatus.IN_PROGRESS, started_at=timezone.now(), updated_at=timezone.now())
    if not moved:
        raise DomainError(_("Only a listed item can be started."), field="status")
    record_change(item, actor=actor, reason="started")
    return item


@transaction.atomic
def strike_off(*, actor, item: LedgerItem, resolution: str, evidence) -> LedgerItem:
    """销号: the problem is solved. The verifier is ``actor``; the evidence upload is checked
    (type, size) and stored before the item moves; any failure leaves nothing behind."""
    if not scoping.can_strike_off(actor, item.village):
        raise NotAllowed(_("You may not strike off items of %(village)s.")
                         % {"village": item.village.name})
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(_("Describe how the problem was solved."), field="resolution")
    current = LedgerItem.objects.filter(pk=item.pk).values_list("status", flat=True).first()
    if current == LedgerStatus.STRUCK_OFF:
        raise DomainError(_("The item is already struck off."), field="status")
    stored = store_evidence(upload=evidence, village=item.village, actor=actor)
    now = timezone.now()
    moved = LedgerItem.objects.filter(
        pk=item.pk, status__in=[LedgerStatus.LISTED, LedgerStatus.IN_PROGRESS]).update(
        status=LedgerStatus.STRUCK_OFF, resolution=resolution, evidence=stored,
        verified_by=actor, struck_off_at=now, overdue=False, updated_at=now,
        # An item struck off straight from the list was worked on until now.
        started_at=Coalesce(F("started_at"), Value(now)))
    if not moved:
        raise DomainError(_("The item is already struck off."), field="status")
    record_change(item, actor=actor, reason="struck off")
    return item


def flag_overdue(*, today: date | None = None) -> tuple[int, int]:
    """Set ``overdue`` on open items past their due date and clear it where it no longer holds.
    Two statements, idempotent: running it twice in a day changes nothing the second time."""
    today = today or timezone.localdate()
    open_items = ~Q(status=LedgerStatus.STRUCK_OFF)
    with transaction.atomic():
        now = timezone.now()
        flagged = LedgerItem.objects.filter(open_items, due__lt=today, overdue=False).update(
            overdue=True, updated_at=now)
        cleared = LedgerItem.objects.filter(overdue=True).filter(
            Q(status=LedgerStatus.STRUCK_OFF) | Q(due__gte=today)).update(overdue=False,
                                                                          updated_at=now)
    return flagged, cleared


# --- Reads ------------------------------------------------------------------------------------


def ledger_rows(user) -> QuerySet[LedgerItem]:
    """The county ledger list: everything a row shows, joined in the one statement."""
    return (visibility.ledger_items(user)
            .select_related("village__township__parent", "problem_type", "verified_by",
                            "evidence")
            .order_by("village__code", "number"))
