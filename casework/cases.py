"""A backward village's case: open → (county confirms) → rectifying → moved up / not moved up →
closed. Every move is a conditional ``filter(status=old).update(...)``: a retried or raced
request finds the case already moved and gets a readable error instead of a second move."""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import targets, visibility
from casework.evidence import store_evidence
from casework.models import (
    Campaign,
    Case,
    CaseMeasure,
    CaseSource,
    CaseStatus,
    LedgerItem,
    LedgerStatus,
    Method,
    Outcome,
    ProblemType,
)
from core.errors import DomainError, NotAllowed
from core.history import record_change
from villages import scoping
from villages.models import Person, Village


def _require_manager(actor, village: Village) -> None:
    if not scoping.can_manage_cases(actor, village):
        raise NotAllowed(_("Only the county organization department over %(village)s may do "
                           "this.") % {"village": village.name})


def _clean_methods(methods: Iterable[str]) -> list[str]:
    methods = list(dict.fromkeys(methods))
    unknown = [m for m in methods if m not in Method.values]
    if unknown:
        raise DomainError(_("Unknown method: %(method)s.") % {"method": ", ".join(unknown)},
                          field="methods")
    return methods


def _check_people(village: Village, **people: Person | None) -> None:
    # Leaders may come from the city above the county; nobody from another city.
    city = village.township.parent.parent
    for field, person in people.items():
        if person is not None and not person.region.path.startswith(city.path):
            raise DomainError(_("%(person)s works outside the village's city.")
                              % {"person": person.name}, field=field)


@transaction.atomic
def open_case(*, actor, village: Village, source: str, campaign: Campaign | None = None,
              problem_types: Iterable[ProblemType] = (), methods: Iterable[str] = (),
              summary: str = "", responsible_leader: Person | None = None,
              tracking_person: Person | None = None) -> Case:
    """Open a case for a backward village. The township or the county may open one; only the
    county confirms it (``confirm_case``)."""
    if not scoping.can_work_in_village(actor, village):
        raise NotAllowed(_("You may not open a case for %(village)s.") % {"village": village.name})
    if source not in CaseSource.values:
        raise DomainError(_("Choose what the case is opened from."), field="source")
    if not targets.source_applies(village, source):
        raise DomainError(
            _("%(village)s is not a target by this source (%(source)s).")
            % {"village": village.name, "source": CaseSource(source).label}, field="source")
    if campaign is not None and not (
            village.township.path.startswith(campaign.region.path)):
        raise DomainError(_("The campaign %(campaign)s does not cover %(village)s.")
                          % {"campaign": campaign.name, "village": village.name},
                          field="campaign")
    _check_people(village, responsible_leader=responsible_leader,
                  tracking_person=tracking_person)
    duplicate = Case.objects.filter(village=village)
    duplicate = (duplicate.filter(campaign=campaign) if campaign is not None
                 else duplicate.filter(campaign__isnull=True).exclude(status=CaseStatus.CLOSED))
    if duplicate.exists():
        raise DomainError(_("%(village)s already has a case here.") % {"village": village.name},
                          field="village")
    case = Case(village=village, campaign=campaign, source=source, summary=summary,
                methods=_clean_methods(methods), responsible_leader=responsible_leader,
                tracking_person=tracking_person, opened_by=actor, opened_at=timezone.now())
    case._history_user = actor
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # Two people opened the same case at once; the unique constraint let one through.
        raise DomainError(_("%(village)s already has a case here.") % {"village": village.name},
                          field="village") from None
    case.problem_types.set(problem_types)
    # An open case puts its village on the current warning roster (early warning keeps it).
    targets.case_opened(case)
    return case


@transaction.atomic
def update_case(*, actor, case: Case, problem_types: Iterable[ProblemType] | None = None,
                methods: Iterable[str] | None = None, summary: str | None = None,
                responsible_leader: Person | None = None,
                tracking_person: Person | None = None) -> Case:
    _require_manager(actor, case.village)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(_("A closed case does not change."), field="status")
    _check_people(case.village, responsible_leader=responsible_leader,
                  tracking_person=tracking_person)
    if methods is not None:
        case.methods = _clean_methods(methods)
    if summary is not None:
        case.summary = summary
    if responsible_leader is not None:
        case.responsible_leader = responsible_leader
    if tracking_person is not None:
        case.tracking_person = tracking_person
    case._history_user = actor
    case.save()
    if problem_types is not None:
        case.problem_types.set(problem_types)
    return case


def _move(case: Case, *, actor, old: str | tuple, reason: str, **changes) -> Case:
    old_statuses = old if isinstance(old, tuple) else (old,)
    moved = Case.objects.filter(pk=case.pk, status__in=old_statuses).update(
        updated_at=timezone.now(), **changes)
    if not moved:
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        raise DomainError(_("The case is %(status)s; this step is not possible now.")
                          % {"status": CaseStatus(current).label if current else "?"},
                          field="status")
    record_change(case, actor=actor, reason=reason)
    return case


@transaction.atomic
def confirm_case(*, actor, case: Case) -> Case:
    _require_manager(actor, case.village)
    moved = Case.objects.filter(pk=case.pk, status=CaseStatus.OPENED,
                                confirmed_at__isnull=True).update(
        confirmed_by=actor, confirmed_at=timezone.now(), updated_at=timezone.now())
    if not moved:
        raise DomainError(_("The case is already confirmed."), field="status")
    record_change(case, actor=actor, reason="confirmed")
    return case


@transaction.atomic
def start_rectifying(*, actor, case: Case) -> Case:
    _require_manager(actor, case.village)
    if not Case.objects.filter(pk=case.pk, confirmed_at__isnull=False).exists():
        raise DomainError(_("The county confirms the case before rectification starts."),
                          field="status")
    return _move(case, actor=actor, old=CaseStatus.OPENED, reason="rectifying",
                 status=CaseStatus.RECTIFYING)


@transaction.atomic
def _moved_up_basis(case: Case, override_reason: str) -> dict:
    """晋位升级 must be shown by data (``targets.moved_up_evidence``); where it is not, the county
    gives the reason it decides so anyway, kept with the case."""
    open_items = LedgerItem.objects.filter(case=case).exclude(
        status=LedgerStatus.STRUCK_OFF).count()
    if open_items:
        raise DomainError(_("%(count)s ledger item(s) of this case are not struck off yet.")
                          % {"count": open_items}, field="outcome")
    evidence = targets.moved_up_evidence(case)
    override_reason = (override_reason or "").strip()
    if not evidence and not override_reason:
        raise DomainError(_("Nothing in the data shows that the village moved up: its color has "
                            "not improved and held for two half-months, and neither its tier in "
                            "an approved quarter nor its annual grade is better than when the "
                            "case opened. Give the reason for recording it as moved up."),
                          field="override_reason")
    return {"outcome_evidence": "\n".join(evidence),
            "outcome_override_reason": "" if evidence else override_reason}


@transaction.atomic
def record_outcome(*, actor, case: Case, outcome: str, override_reason: str = "") -> Case:
    """Moved up (晋位升级) or not. Moving up needs every ledger item of the case struck off, and
    either data that shows it or the county's reason (``override_reason``)."""
    _require_manager(actor, case.village)
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the outcome: moved up or not moved up."), field="outcome")
    basis = {"outcome_evidence": "", "outcome_override_reason": ""}
    if outcome == Outcome.MOVED_UP:
        basis = _moved_up_basis(case, override_reason)
    reason = f"outcome {outcome}"
    if basis["outcome_override_reason"]:
        reason += f" (override: {basis['outcome_override_reason']})"
    return _move(case, actor=actor, old=(CaseStatus.RECTIFYING, CaseStatus.MOVED_UP,
                                          CaseStatus.NOT_MOVED_UP),
                 reason=reason, status=outcome, outcome=outcome, outcome_at=timezone.now(),
                 **basis)


@transaction.atomic
def close_case(*, actor, case: Case, note: str, evidence, outcome: str | None = None,
               override_reason: str = "") -> Case:
    """Close with the outcome, a closing note and evidence. An outcome passed here is recorded
    first (same rules as ``record_outcome``), in the same transaction."""
    _require_manager(actor, case.village)
    case.refresh_from_db()
    if case.status == CaseStatus.CLOSED:
        raise DomainError(_("The case is already closed."), field="status")
    if outcome:
        record_outcome(actor=actor, case=case, outcome=outcome, override_reason=override_reason)
        case.refresh_from_db()
    if not case.outcome:
        raise DomainError(_("A case is closed only with an outcome: record whether the village "
                            "moved up."), field="outcome")
    if not (note or "").strip():
        raise DomainError(_("Write the closing note."), field="note")
    stored = store_evidence(upload=evidence, village=case.village, actor=actor)
    return _move(case, actor=actor, old=(CaseStatus.MOVED_UP, CaseStatus.NOT_MOVED_UP),
                 reason="closed", status=CaseStatus.CLOSED, closing_note=note.strip(),
                 closing_evidence=stored, closed_by=actor, closed_at=timezone.now())


# --- The plan (一村一策) -----------------------------------------------------------------------


@transaction.atomic
def add_measure(*, actor, case: Case, description: str, owner: str, due: date,
                problem_type: ProblemType | None = None) -> CaseMeasure:
    _require_manager(actor, case.village)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(_("A closed case does not change."), field="status")
    measure = CaseMeasure(case=case, description=(description or "").strip(),
                          owner=(owner or "").strip(), due=due, problem_type=problem_type)
    measure.full_clean()
    measure._history_user = actor
    measure.save()
    return measure


@transaction.atomic
def complete_measure(*, actor, measure: CaseMeasure, done_on: date | None = None) -> CaseMeasure:
    _require_manager(actor, measure.case.village)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise DomainError(_("A measure cannot be done in the future."), field="done_on")
    moved = CaseMeasure.objects.filter(pk=measure.pk, done=False).update(done=True,
                                                                         done_on=done_on)
    if not moved:
        raise DomainError(_("The measure is already done."), field="done")
    record_change(measure, actor=actor, reason="done")
    return measure


# --- Reads ------------------------------------------------------------------------------------


def case_rows(user):
    """The case list's rows: village, campaign, problem types and open ledger items."""
    return (visibility.cases(user)
            .select_related("village__township__parent", "campaign")
            .prefetch_related("problem_types")
            .annotate(open_items=Count("ledger_items", filter=~Q(
                ledger_items__status=LedgerStatus.STRUCK_OFF)))
            .order_by("village__code", "-opened_at"))
