"""The scoring rule, in its one home: what a stored score is worth.

An indicator's **points** are its value, or — for a deduction item (``higher_is_better`` off),
whose value is the points lost — its maximum minus the value. A village's **total** for a
quarter is the sum over the set's indicators of weight × points, rounded half up to the cent.

Worked example (the four-indicator set of the tests, weights 1): A01 2 of 2, A02 1.5 of 2,
B01 1 of 1, and the deduction B02 with 0 of 1 lost → 2 + 1.5 + 1 + (1 − 0) = 5.50.

The score import, the entry form and the demo compute it in Python (``points``, ``total``); the
village page sums it in the database (``points_expression``, ``maximum_expression``).
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, When

CENT = Decimal("0.01")


def points(value, *, max_score, higher_is_better: bool):
    """The points a value earns: itself, or for a deduction item the maximum less the value."""
    return value if higher_is_better else max_score - value


def total(weighted_points: Iterable[Decimal]) -> Decimal:
    """The total of weight × points terms, rounded half up to the cent."""
    return sum(weighted_points, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def points_expression():
    """Weight × points of an IndicatorScore row, for ``Sum()`` in a query."""
    earned = Case(When(indicator__higher_is_better=True, then=F("value")),
                  default=F("max_score") - F("value"))
    return ExpressionWrapper(earned * F("indicator__weight"),
                             output_field=DecimalField(max_digits=12, decimal_places=5))


def maximum_expression():
    """Weight × maximum of an IndicatorScore row: what full marks would have earned."""
    return ExpressionWrapper(F("max_score") * F("indicator__weight"),
                             output_field=DecimalField(max_digits=12, decimal_places=5))
