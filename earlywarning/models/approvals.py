"""A county's quarter, approved: the fact that lets its tiers move the warning roster.

Tiers are computed whenever scores change, drafts included; only an approved quarter counts
(domain.md, "Warning zone"). A county's quarter is approved when its last evaluation for the
quarter is approved, and stops counting when the county reopens one of them. Each county's latest
approved quarter counts for that county alone.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.periods import QUARTER_PATTERN


class QuarterApproval(models.Model):
    county = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                               related_name="quarter_approvals", verbose_name=_("county"))
    quarter = models.CharField(_("quarter"), max_length=6)
    approved_at = models.DateTimeField(_("approved at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by"))
    revoked_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("reopened by"))
    revoke_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        ordering = ["county", "-quarter", "-approved_at"]
        verbose_name = _("approved quarter")
        verbose_name_plural = _("approved quarters")
        constraints = [
            models.UniqueConstraint(fields=["county", "quarter"],
                                    condition=Q(revoked_at__isnull=True),
                                    name="one_approval_in_force_per_county_quarter"),
            models.CheckConstraint(condition=Q(quarter__regex=QUARTER_PATTERN),
                                   name="quarter_approval_quarter_format"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True)
                                   | ~Q(revoke_reason=""),
                                   name="quarter_approval_reopened_with_reason"),
        ]

    def __str__(self):
        return f"{self.county} {self.quarter}"
