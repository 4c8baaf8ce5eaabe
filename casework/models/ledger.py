"""The 挂牌销号 ledger: one row per problem on a village's rectification ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models.cases import Case
from casework.models.evidence import EvidenceFile
from casework.models.problems import ProblemType


class LedgerStatus(models.TextChoices):
    LISTED = "listed", _("Listed (挂牌)")
    IN_PROGRESS = "in_progress", _("In progress (整改中)")
    STRUCK_OFF = "struck_off", _("Struck off (销号)")


class LedgerItem(models.Model):
    """One problem on a village's rectification ledger (整转工作台帐). Never deleted: struck off
    only when solved, with the resolution, the evidence and who verified it."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="ledger_items", verbose_name=_("village"))
    number = models.PositiveIntegerField(_("number"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="ledger_items", verbose_name=_("case"))
    problem = models.CharField(_("problem"), max_length=300)
    problem_type = models.ForeignKey(ProblemType, on_delete=models.PROTECT,
                                     related_name="ledger_items", verbose_name=_("type"))
    responsible = models.CharField(_("responsible person"), max_length=60)
    due = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=LedgerStatus.choices,
                              default=LedgerStatus.LISTED)
    overdue = models.BooleanField(_("overdue"), default=False,
                                  help_text=_("Flagged daily for items past their due date."))
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("listed by"))
    listed_at = models.DateTimeField(_("listed at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    evidence = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="ledger_items", verbose_name=_("evidence"))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("verified by"))
    struck_off_at = models.DateTimeField(_("struck off at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "number"]
        verbose_name = _("ledger item")
        verbose_name_plural = _("ledger items")
        constraints = [
            models.UniqueConstraint(fields=["village", "number"],
                                    name="ledger_item_number_per_village"),
            models.CheckConstraint(condition=Q(status__in=LedgerStatus.values),
                                   name="ledger_status_valid"),
            models.CheckConstraint(condition=~Q(problem="") & ~Q(responsible=""),
                                   name="ledger_item_has_problem_and_responsible"),
            # 问题解决一项、销号一项: struck off exactly when resolved, proven and verified.
            models.CheckConstraint(
                condition=(~Q(status=LedgerStatus.STRUCK_OFF) & Q(struck_off_at__isnull=True))
                | (Q(status=LedgerStatus.STRUCK_OFF) & ~Q(resolution="")
                   & Q(evidence__isnull=False) & Q(verified_by__isnull=False)
                   & Q(struck_off_at__isnull=False)),
                name="ledger_struck_off_needs_proof"),
            models.CheckConstraint(
                condition=Q(status=LedgerStatus.LISTED) | Q(started_at__isnull=False),
                name="ledger_started_has_time"),
            models.CheckConstraint(
                condition=~Q(status=LedgerStatus.STRUCK_OFF) | Q(overdue=False),
                name="ledger_struck_off_not_overdue"),
        ]
        indexes = [
            models.Index(fields=["status", "due"], name="ledger_status_due"),
            models.Index(fields=["overdue", "status"], name="ledger_overdue"),
        ]

    def __str__(self):
        return f"{self.village} #{self.number} {self.problem}"

    @property
    def is_struck_off(self) -> bool:
        return self.status == LedgerStatus.STRUCK_OFF
