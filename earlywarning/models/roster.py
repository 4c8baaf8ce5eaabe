"""The warning roster (预警名单): which villages a township must rate in each half-month, and why.

A period's roster is made when the period opens (``earlywarning/roster.py``), changes while it is
open — the county adds or removes a village with a reason, a quarter is approved, a case opens —
and is frozen at the period's deadline. Every figure about a period (completeness, timeliness,
缺报, the bulletin, the dashboard) is measured against that period's stored roster, so it reads the
same next year as today.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.periods import PERIOD_REGEX, QUARTER_PATTERN


class RosterReason(models.TextChoices):
    POOR_GRADE = "poor_grade", _("Graded 较差")
    CLASS_THREE = "class_three", _("Class 3 (三类) in an approved quarter")
    OPEN_CASE = "open_case", _("Open rectification case")
    COUNTY_ADDED = "county_added", _("Added by the county")


class RosterPeriod(models.Model):
    """A half-month whose roster has been made, and the instant whose data it was made from."""

    period = models.CharField(_("half-month"), max_length=10, unique=True)
    as_of = models.DateTimeField(_("made from the data as of"))
    built_at = models.DateTimeField(_("made at"))

    class Meta:
        ordering = ["-period"]
        verbose_name = _("roster period")
        verbose_name_plural = _("roster periods")
        constraints = [
            models.CheckConstraint(condition=Q(period__regex=PERIOD_REGEX),
                                   name="roster_period_format"),
        ]

    def __str__(self):
        return self.period


class DecisionAction(models.TextChoices):
    ADD = "add", _("Add to the roster")
    REMOVE = "remove", _("Remove from the roster")


class RosterDecision(models.Model):
    """The county's standing decision to add a village to the roster or keep it off, with its
    reason. It holds for every roster made while it is in force; a newer decision ends it."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="roster_decisions", verbose_name=_("village"))
    action = models.CharField(_("action"), max_length=6, choices=DecisionAction.choices)
    reason = models.CharField(_("reason"), max_length=300)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("made by"))
    made_at = models.DateTimeField(_("made at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-made_at"]
        verbose_name = _("roster decision")
        verbose_name_plural = _("roster decisions")
        constraints = [
            models.UniqueConstraint(fields=["village"], condition=Q(ended_at__isnull=True),
                                    name="one_roster_decision_in_force"),
            models.CheckConstraint(condition=Q(action__in=DecisionAction.values),
                                   name="roster_decision_action_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="roster_decision_has_reason"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True)
                                   | Q(ended_at__gte=models.F("made_at")),
                                   name="roster_decision_ends_after_made"),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.village}"


class RosterEntry(models.Model):
    """One village on one half-month's roster, with every reason it is there.

    ``township`` and ``county`` are stored as they were in the period, so a village moved later
    (撤乡并镇) still counts where it was rated. A village the county removes keeps its row, with
    ``removed_at`` and the decision that removed it: it is no longer rated in that period.
    """

    period = models.CharField(_("half-month"), max_length=10)
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="roster_entries", verbose_name=_("village"))
    township = models.ForeignKey("villages.Region", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("township"))
    county = models.ForeignKey("villages.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("county"))
    poor_grade_year = models.PositiveSmallIntegerField(_("graded 较差 in"), null=True,
                                                       blank=True)
    class_three_quarter = models.CharField(_("class 3 in the approved quarter"), max_length=6,
                                           blank=True)
    open_case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name=_("open case"))
    county_addition = models.ForeignKey(RosterDecision, on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="+",
                                        verbose_name=_("added by the county"))
    added_at = models.DateTimeField(_("added at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal = models.ForeignKey(RosterDecision, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("removed by"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["period", "township", "village"]
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        constraints = [
            models.UniqueConstraint(fields=["period", "village"],
                                    name="roster_once_per_period_village"),
            models.CheckConstraint(condition=Q(period__regex=PERIOD_REGEX),
                                   name="roster_entry_period_format"),
            models.CheckConstraint(
                condition=Q(class_three_quarter="")
                | Q(class_three_quarter__regex=QUARTER_PATTERN),
                name="roster_entry_quarter_format"),
            # Nobody is on a roster without a reason.
            models.CheckConstraint(
                condition=Q(poor_grade_year__isnull=False) | ~Q(class_three_quarter="")
                | Q(open_case__isnull=False) | Q(county_addition__isnull=False),
                name="roster_entry_has_a_reason"),
            # Removed exactly when a decision removed it.
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removal__isnull=True)
                | Q(removed_at__isnull=False, removal__isnull=False),
                name="roster_entry_removed_by_decision"),
        ]
        indexes = [
            models.Index(fields=["period", "township"], name="roster_period_township"),
            models.Index(fields=["period", "county"], name="roster_period_county"),
            models.Index(fields=["updated_at"], name="roster_updated"),
        ]

    def __str__(self):
        return f"{self.period} {self.village}"

    @property
    def is_on(self) -> bool:
        return self.removed_at is None


class ChangeKind(models.TextChoices):
    ADDED = "added", _("Added")
    REASON_ADDED = "reason_added", _("Reason added")
    REMOVED = "removed", _("Removed")
    RESTORED = "restored", _("Put back")


class RosterChange(models.Model):
    """The roster's history: each change to a period's roster after it was made, who made it
    (empty for the system: an approved quarter, an opened case) and why."""

    entry = models.ForeignKey(RosterEntry, on_delete=models.PROTECT, related_name="changes",
                              verbose_name=_("roster entry"))
    kind = models.CharField(_("change"), max_length=12, choices=ChangeKind.choices)
    reason_kind = models.CharField(_("reason"), max_length=12, choices=RosterReason.choices,
                                   blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                           blank=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["entry", "at", "id"]
        verbose_name = _("roster change")
        verbose_name_plural = _("roster changes")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ChangeKind.values),
                                   name="roster_change_kind_valid"),
        ]

    def __str__(self):
        return f"{self.entry} {self.get_kind_display()}"
