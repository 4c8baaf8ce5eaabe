"""What the rectification work asks of early warning, and tells it.

The rectification work sits below early warning in the layers (README, "Where things live"):
early warning reports on the work — the roster's open cases, the bulletin's case column, the
trend signals on overdue ledger items — so it imports casework, never the other way round. Three
things cross the other way, and all go through this module, whose answers early warning supplies
when Django starts (``earlywarning/apps.py`` calls ``provide``):

- which villages a case may be opened for by a warning source (a red rating, class 3 in an
  approved quarter, the county's addition to the roster); the annual grade is the registry's
  and is answered here;
- that a case was opened, so its village joins the current warning roster;
- what in the data shows that a case's village moved up (晋位升级).
"""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef, QuerySet, Subquery

from casework.models import CaseSource
from villages.models import AnnualGrade, Grade, Village


class WarningFacts(Protocol):
    def targets(self, villages: QuerySet[Village], source: str) -> QuerySet[Village]:
        """The villages among ``villages`` that are targets by a warning ``source``."""

    def case_opened(self, case) -> None:
        """Put the case's village on the current warning roster."""

    def moved_up_evidence(self, case) -> list[str]:
        """What in the data shows the village moved up since the case opened: its color improved
        and held for two half-months, a better tier in an approved quarter, a better annual
        grade. Empty when nothing does."""


_facts: WarningFacts | None = None


def provide(facts: WarningFacts) -> None:
    global _facts
    _facts = facts


def targets(villages: QuerySet[Village], source: str) -> QuerySet[Village]:
    """The villages among ``villages`` a case may be opened for from ``source``: the latest
    grade is 较差, or (from early warning) the latest submitted rating is red, or the latest
    tier is class 3."""
    if source == CaseSource.GRADE:
        latest = AnnualGrade.objects.filter(branch__village=OuterRef("pk")).order_by("-year")
        return villages.annotate(latest_grade=Subquery(latest.values("grade")[:1])).filter(
            latest_grade=Grade.POOR)
    if source not in CaseSource.values:
        return villages.none()
    return _provided().targets(villages, source)


def source_applies(village: Village, source: str) -> bool:
    return targets(Village.objects.filter(pk=village.pk), source).exists()


def case_opened(case) -> None:
    _provided().case_opened(case)


def moved_up_evidence(case) -> list[str]:
    return _provided().moved_up_evidence(case)


def _provided() -> WarningFacts:
    if _facts is None:
        raise ImproperlyConfigured("earlywarning provides the warning facts casework asks for")
    return _facts
