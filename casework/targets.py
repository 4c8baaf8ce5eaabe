"""Which villages a case may be opened for, by source.

The rectification work sits below early warning in the layers (README, "Where things live"):
early warning reports on the work — the roster's open cases, the bulletin's case column, the
trend signals on overdue ledger items — so it imports casework, never the other way round. Two
sources of a case are warning facts, though: a red rating and a class-3 tier. Early warning
supplies them when Django starts (``earlywarning/apps.py`` calls ``provide``); the annual grade
is the registry's and is answered here.
"""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef, QuerySet, Subquery

from casework.models import CaseSource
from villages.models import AnnualGrade, Grade, Village


class WarningFacts(Protocol):
    def targets(self, villages: QuerySet[Village], source: str) -> QuerySet[Village]:
        """The villages among ``villages`` that are targets by a warning ``source``."""


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
    if _facts is None:
        raise ImproperlyConfigured("earlywarning provides the warning sources of a case")
    return _facts.targets(villages, source)


def source_applies(village: Village, source: str) -> bool:
    return targets(Village.objects.filter(pk=village.pk), source).exists()
