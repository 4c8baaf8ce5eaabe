"""Consequences of the Shangyu rule (红色预警村不减反增), kept as records.

A township whose red-warned villages increased from one month to the next loses its award
eligibility (评先评优资格) for the year, and talks (约谈) fall due with its party committee's deputy
secretary and organization committee member and the county's organizer (组织员). Both are written
when the bulletin that established the increase is published, and stay as they were when later
data changes; only the county restores eligibility, with a reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.periods import MONTH_REGEX


class EligibilityStatus(models.TextChoices):
    LOST = "lost", _("Lost")
    RESTORED = "restored", _("Restored by the county")


class AwardEligibility(models.Model):
    """A township's lost award eligibility for a year; no row means it is eligible."""

    township = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                                 related_name="award_eligibility", verbose_name=_("township"))
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=EligibilityStatus.choices,
                              default=EligibilityStatus.LOST)
    lost_month = models.CharField(_("lost in month"), max_length=7)
    red_count = models.PositiveIntegerField(_("red-warned villages that month"))
    red_count_before = models.PositiveIntegerField(_("red-warned villages the month before"))
    bulletin = models.ForeignKey("earlywarning.Bulletin", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("established by bulletin"))
    lost_at = models.DateTimeField(_("lost at"))
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    restored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("restored by"))
    restore_reason = models.TextField(_("reason for restoring"), blank=True)

    class Meta:
        ordering = ["-year", "township"]
        verbose_name = _("award eligibility")
        verbose_name_plural = _("award eligibility")
        constraints = [
            models.UniqueConstraint(fields=["township", "year"],
                                    name="award_eligibility_once_per_township_year"),
            models.CheckConstraint(condition=Q(status__in=EligibilityStatus.values),
                                   name="award_eligibility_status_valid"),
            models.CheckConstraint(condition=Q(lost_month__regex=MONTH_REGEX),
                                   name="award_eligibility_month_format"),
            models.CheckConstraint(condition=Q(red_count__gt=models.F("red_count_before")),
                                   name="award_eligibility_red_count_rose"),
            models.CheckConstraint(
                condition=Q(status=EligibilityStatus.LOST, restored_at__isnull=True)
                | (Q(status=EligibilityStatus.RESTORED, restored_at__isnull=False,
                     restored_by__isnull=False) & ~Q(restore_reason="")),
                name="award_eligibility_restored_by_county_with_reason"),
        ]

    def __str__(self):
        return f"{self.township} {self.year} {self.get_status_display()}"


class TalkStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Held")


class Talk(models.Model):
    """约谈: a talk with a township's leaders after its red-warned villages increased."""

    township = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                                 related_name="talks", verbose_name=_("township"))
    month = models.CharField(_("for month"), max_length=7)
    bulletin = models.ForeignKey("earlywarning.Bulletin", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("bulletin"))
    participants = models.JSONField(_("who"), default=list,
                                    help_text=_("Names, or the posts where nobody is known."))
    status = models.CharField(_("status"), max_length=6, choices=TalkStatus.choices,
                              default=TalkStatus.DUE)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("talk held by"))
    notes = models.TextField(_("notes"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["-month", "township"]
        verbose_name = _("talk (约谈)")
        verbose_name_plural = _("talks (约谈)")
        constraints = [
            models.UniqueConstraint(fields=["township", "month"], name="talk_once_per_month"),
            models.CheckConstraint(condition=Q(month__regex=MONTH_REGEX),
                                   name="talk_month_format"),
            models.CheckConstraint(condition=Q(status__in=TalkStatus.values),
                                   name="talk_status_valid"),
            models.CheckConstraint(
                condition=Q(status=TalkStatus.DUE)
                | (Q(held_on__isnull=False, held_by__isnull=False) & ~Q(notes="")),
                name="talk_held_with_date_who_and_notes"),
        ]

    def __str__(self):
        return f"{self.township} {self.month}"
