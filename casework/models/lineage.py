"""What a merger or split carried over: each open case, ledger item and pairing of a retired
village that moved to its successor (``casework/lineage.py``), with where it came from."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case
from casework.models.ledger import LedgerItem
from casework.models.pairing import Pairing


class CarriedWork(models.Model):
    event = models.ForeignKey("villages.LineageEvent", on_delete=models.PROTECT,
                              related_name="carried_work", verbose_name=_("lineage event"))
    from_village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("from village"))
    to_village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                   related_name="carried_work", verbose_name=_("to village"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("case"))
    ledger_item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("ledger item"))
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("pairing"))
    # The ledger item's number on the retired village's 台帐 (it is renumbered on the new one).
    old_number = models.PositiveIntegerField(_("former number"), null=True, blank=True)
    # A pairing of the successor with itself (a strong village merged with its weak partner)
    # is ended instead of moved.
    ended = models.BooleanField(_("ended instead of moved"), default=False)
    carried_at = models.DateTimeField(_("carried over at"), default=timezone.now)

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("carried-over work")
        verbose_name_plural = _("carried-over work")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, ledger_item__isnull=True, pairing__isnull=True)
                | Q(case__isnull=True, ledger_item__isnull=False, pairing__isnull=True)
                | Q(case__isnull=True, ledger_item__isnull=True, pairing__isnull=False),
                name="carried_work_one_record"),
            *[models.UniqueConstraint(fields=["event", name],
                                      condition=Q(**{f"{name}__isnull": False}),
                                      name=f"carried_work_{name}_once")
              for name in ("case", "ledger_item", "pairing")],
        ]

    def __str__(self):
        return f"{self.from_village} → {self.to_village}"
