"""Pairing (结对式): leaders, departments, strong villages, enterprises and stationed instructors
paired with villages; visits, projects and instructor days logged against them."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import visibility
from casework.models import (
    NAMED_KINDS,
    PERSON_KINDS,
    InstructorDays,
    Pairing,
    PairingKind,
    Project,
    ProjectKind,
    ProjectStatus,
    Visit,
)
from core.errors import DomainError, NotAllowed
from core.periods import Month
from villages import scoping
from villages.models import Person, Village


def _require_field_work(actor, village: Village) -> None:
    if not scoping.can_log_field_work(actor, village):
        raise NotAllowed(_("You may not record work in %(village)s.") % {"village": village.name})


@transaction.atomic
def pair(*, actor, village: Village, kind: str, start: date, partner_person: Person | None = None,
         partner_village: Village | None = None, partner_name: str = "",
         end: date | None = None, commitments: str = "") -> Pairing:
    if not scoping.can_manage_pairings(actor, village):
        raise NotAllowed(_("Only the county organization department pairs %(village)s.")
                         % {"village": village.name})
    if kind not in PairingKind.values:
        raise DomainError(_("Choose the kind of pairing."), field="kind")
    if kind in PERSON_KINDS and partner_person is None:
        raise DomainError(_("Choose the paired person."), field="partner_person")
    if kind == PairingKind.STRONG_VILLAGE:
        if partner_village is None:
            raise DomainError(_("Choose the strong village."), field="partner_village")
        if partner_village.pk == village.pk:
            raise DomainError(_("A village cannot pair with itself."), field="partner_village")
        if not scoping.visible_villages(actor).filter(pk=partner_village.pk).exists():
            raise DomainError(_("Unknown village."), field="partner_village")
    if kind in NAMED_KINDS and not (partner_name or "").strip():
        raise DomainError(_("Name the paired department or enterprise."), field="partner_name")
    if end is not None and end < start:
        raise DomainError(_("A pairing cannot end before it starts."), field="end")
    pairing = Pairing(
        village=village, kind=kind, start=start, end=end, commitments=commitments,
        partner_person=partner_person if kind in PERSON_KINDS else None,
        partner_village=partner_village if kind == PairingKind.STRONG_VILLAGE else None,
        partner_name=(partner_name or "").strip() if kind in NAMED_KINDS else "")
    pairing._history_user = actor
    pairing.save()
    return pairing


@transaction.atomic
def log_visit(*, actor, village: Village, on: date, visitor: str, purpose: str,
              pairing: Pairing | None = None) -> Visit:
    _require_field_work(actor, village)
    if on > timezone.localdate():
        raise DomainError(_("A visit cannot be dated in the future."), field="date")
    if pairing is not None and pairing.village_id != village.pk:
        raise DomainError(_("The pairing belongs to another village."), field="pairing")
    if not (visitor or "").strip():
        raise DomainError(_("Say who visited."), field="visitor")
    if not (purpose or "").strip():
        raise DomainError(_("Say what was done."), field="purpose")
    visit = Visit(village=village, pairing=pairing, date=on, visitor=visitor.strip(),
                  purpose=purpose.strip(), logged_by=actor)
    visit._history_user = actor
    visit.save()
    return visit


def _funds(value) -> Decimal:
    try:
        funds = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Funds are an amount in yuan."), field="funds") from None
    if not funds.is_finite() or funds < 0:
        raise DomainError(_("Funds cannot be negative."), field="funds")
    if funds.as_tuple().exponent < -2:
        raise DomainError(_("Funds have at most two decimal places."), field="funds")
    if funds >= Decimal("1e12"):
        raise DomainError(_("Funds are too large."), field="funds")
    return funds


@transaction.atomic
def add_project(*, actor, village: Village, name: str, funds, partner: str = "",
                kind: str = ProjectKind.WELFARE, status: str = ProjectStatus.PLANNED,
                pairing: Pairing | None = None) -> Project:
    _require_field_work(actor, village)
    if pairing is not None and pairing.village_id != village.pk:
        raise DomainError(_("The pairing belongs to another village."), field="pairing")
    if kind not in ProjectKind.values:
        raise DomainError(_("Choose the kind of project."), field="kind")
    if status not in ProjectStatus.values:
        raise DomainError(_("Choose the project's status."), field="status")
    if not (name or "").strip():
        raise DomainError(_("Name the project."), field="name")
    project = Project(village=village, pairing=pairing, name=name.strip(), kind=kind,
                      status=status, funds=_funds(funds),
                      partner=(partner or (pairing.partner_label if pairing else "")).strip())
    project._history_user = actor
    project.save()
    return project


def pairing_rows(user) -> QuerySet[Pairing]:
    """The pairings a user may see with their visit and project counts and project funds: the
    pairing list, its API and a case's page all read this."""
    funds = (Project.objects.filter(pairing=OuterRef("pk")).order_by().values("pairing")
             .annotate(total=Sum("funds")).values("total"))
    # Funds in a subquery: summed over the join with visits, each project would count once per
    # visit.
    return (visibility.pairings(user)
            .select_related("village__township", "partner_person", "partner_village")
            .annotate(visit_count=Count("visits", distinct=True),
                      project_count=Count("projects", distinct=True),
                      project_funds=Subquery(funds))
            .order_by("village__code", "kind", "pk"))


@transaction.atomic
def log_pairing_days(*, actor, pairing: Pairing, month: str, days: int) -> InstructorDays:
    """Days in the village logged on a pairing: only a stationed instructor's pairing has them
    (its instructor, its village)."""
    if not pairing.is_instructor:
        raise DomainError(_("Days in village are logged for instructors."), field="days")
    return log_instructor_days(actor=actor, person=pairing.partner_person,
                               village=pairing.village, month=month, days=days)


@transaction.atomic
def log_instructor_days(*, actor, person: Person, village: Village, month: str,
                        days: int) -> InstructorDays:
    """Days in the village for one month; logging the same month again corrects it."""
    _require_field_work(actor, village)
    record = InstructorDays(person=person, village=village, month=month, days=days,
                            logged_by=actor)
    try:
        record.full_clean(exclude=["person", "village", "logged_by"], validate_unique=False)
    except ValidationError as error:
        raise DomainError(" ".join(sum(error.message_dict.values(), [])),
                          field=next(iter(error.message_dict))) from None
    if Month.parse(month).is_future():
        raise DomainError(_("Days cannot be logged for a future month."), field="month")
    if days > Month.parse(month).end.day:
        raise DomainError(_("%(month)s has fewer days than that.") % {"month": month},
                          field="days")
    try:
        with transaction.atomic():
            existing = InstructorDays.objects.select_for_update().filter(
                person=person, village=village, month=month).first()
            if existing:
                existing.days = days
                existing.logged_by = actor
                existing._history_user = actor
                existing.save()
                return existing
            record._history_user = actor
            record.save()
    except IntegrityError:
        raise DomainError(_("These days were logged at the same moment; try again."),
                          field="month") from None
    return record
