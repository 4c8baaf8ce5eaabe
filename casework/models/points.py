"""新昌's cadre points (积分制管理) as a ledger: versioned rules per county, and entries that are
never changed once written.

A ``PointsRule`` row is one *version* of a county's rule: a new value or label is a new version
that takes effect on the first of a month, and the version before it stops there
(``effective_until``, exclusive). Entries name the version they were posted under, so a change
this year never reaches last year's points.

A ``PointsEntry`` is written once: by the monthly task (``recorded_by`` empty) for the rules that
derive from data, or by county staff (a hand-recorded entry, or the reversal of a wrong one, both
with a reason). Nothing updates or deletes an entry: the model and its queryset refuse, the
admin is read-only and on PostgreSQL a trigger refuses ``UPDATE`` and ``DELETE`` (migration
``0005``). SQLite has no such trigger: there the code paths are the only guard.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case
from casework.models.ledger import LedgerItem
from casework.models.pairing import InstructorDays, Pairing, month_validator
from core.errors import NotAllowed
from core.periods import MONTH_REGEX

# A rule is worth at most this many points either way: 积分 are small whole numbers, and a typo
# of 1000 would swamp a year of work.
POINTS_LIMIT = 100
CODE_REGEX = r"^[a-z][a-z0-9_]{1,39}$"


class PointsSource(models.TextChoices):
    """What a rule derives from. Every kind but ``manual`` is posted by the monthly task."""

    VISIT_MONTH = "visit_month", _("Month with a visit logged")
    LEDGER_ON_TIME = "ledger_on_time", _("Ledger item struck off by its due date")
    LEDGER_OVERDUE = "ledger_overdue", _("Ledger item past its due date")
    CASE_MOVED_UP = "case_moved_up", _("Village's case moved up")
    INSTRUCTOR_MET = "instructor_month_met", _("Instructor month with at least 20 days")
    INSTRUCTOR_SHORT = "instructor_month_short", _("Instructor month with fewer than 20 days")
    MANUAL = "manual", _("Recorded by hand")


DERIVED_SOURCES = tuple(s for s in PointsSource.values if s != PointsSource.MANUAL)


class PointsRule(models.Model):
    """One version of a county's points rule."""

    county = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                               related_name="points_rules", verbose_name=_("county"))
    code = models.CharField(_("code"), max_length=40,
                            validators=[RegexValidator(CODE_REGEX)])
    label = models.CharField(_("label"), max_length=80)
    points = models.SmallIntegerField(
        _("points"), validators=[MinValueValidator(-POINTS_LIMIT),
                                 MaxValueValidator(POINTS_LIMIT)])
    derived_from = models.CharField(_("derived from"), max_length=24,
                                    choices=PointsSource.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until (exclusive)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["county", "code", "-version"]
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        constraints = [
            models.UniqueConstraint(fields=["county", "code", "version"],
                                    name="points_rule_version_once"),
            models.UniqueConstraint(fields=["county", "code"],
                                    condition=Q(effective_until__isnull=True),
                                    name="points_rule_one_open_version"),
            # Each kind of data is counted by one rule of a county at a time, or it counts twice.
            models.UniqueConstraint(
                fields=["county", "derived_from"],
                condition=Q(effective_until__isnull=True) & ~Q(derived_from="manual"),
                name="points_rule_one_per_source"),
            models.CheckConstraint(condition=Q(points__gte=-POINTS_LIMIT,
                                               points__lte=POINTS_LIMIT),
                                   name="points_rule_points_range"),
            models.CheckConstraint(condition=Q(derived_from__in=PointsSource.values),
                                   name="points_rule_source_valid"),
            models.CheckConstraint(condition=Q(derived_from="manual") | Q(code=F("derived_from")),
                                   name="points_rule_derived_code_is_source"),
            models.CheckConstraint(condition=Q(code__regex=CODE_REGEX),
                                   name="points_rule_code_format"),
            models.CheckConstraint(condition=~Q(label=""), name="points_rule_has_label"),
            models.CheckConstraint(condition=Q(version__gte=1), name="points_rule_version_from_1"),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=F("effective_from")),
                name="points_rule_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.label} (v{self.version})"

    def save(self, *args, **kwargs):
        # A version is never edited: a change is a new version (casework/points.py change_rule).
        if not self._state.adding:
            raise NotAllowed(_("A points rule is never edited; make a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise NotAllowed(_("A points rule is never deleted."))


class PointsEntryQuerySet(models.QuerySet):
    # The ledger is append-only: no bulk path may change or remove entries either.
    def update(self, **kwargs):
        raise NotAllowed(_("Points entries are never changed; record a reversing entry."))

    def delete(self):
        raise NotAllowed(_("Points entries are never deleted; record a reversing entry."))


class PointsEntry(models.Model):
    """Points earned (or lost) by a person under one rule version, for one month."""

    person = models.ForeignKey("villages.Person", on_delete=models.PROTECT,
                               related_name="points_entries", verbose_name=_("person"))
    rule = models.ForeignKey(PointsRule, on_delete=models.PROTECT, related_name="entries",
                             verbose_name=_("rule"))
    # The rule's code, copied: the one-entry-per-source keys below cannot reach into the rule.
    code = models.CharField(_("rule code"), max_length=40)
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="points_entries", verbose_name=_("village"))
    period = models.CharField(_("month"), max_length=7, validators=[month_validator])
    points = models.SmallIntegerField(_("points"))
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="points_entries", verbose_name=_("pairing"))
    ledger_item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="points_entries", verbose_name=_("ledger item"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="points_entries", verbose_name=_("case"))
    instructor_days = models.ForeignKey(InstructorDays, on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="points_entries",
                                        verbose_name=_("instructor days"))
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversal", verbose_name=_("reverses"))
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("recorded by"),
                                    help_text=_("Empty: posted by the monthly task."))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = PointsEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "person", "id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        constraints = [
            *[models.UniqueConstraint(
                fields=["code", "person", source, "period"],
                condition=Q(**{f"{source}__isnull": False}, reverses__isnull=True),
                name=f"points_entry_once_per_{source}")
              for source in ("pairing", "ledger_item", "case", "instructor_days")],
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
            models.CheckConstraint(condition=Q(period__regex=MONTH_REGEX),
                                   name="points_entry_period_format"),
            # The task writes entries from data; a person writes only with a reason (and a
            # reversal always has one, naming the entry through ``reverses``).
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=True, reverses__isnull=True) | ~Q(reason=""),
                name="points_entry_reason_when_by_hand"),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reverses=F("id")),
                name="points_entry_not_reversing_itself"),
            models.CheckConstraint(
                condition=(Q(pairing__isnull=True, ledger_item__isnull=True, case__isnull=True)
                           | Q(pairing__isnull=True, ledger_item__isnull=True,
                               instructor_days__isnull=True)
                           | Q(pairing__isnull=True, case__isnull=True,
                               instructor_days__isnull=True)
                           | Q(ledger_item__isnull=True, case__isnull=True,
                               instructor_days__isnull=True)),
                name="points_entry_one_source"),
        ]
        indexes = [
            models.Index(fields=["person", "period"], name="points_entry_person_period"),
            models.Index(fields=["period"], name="points_entry_period"),
            models.Index(fields=["recorded_at"], name="points_entry_recorded_at"),
        ]

    def __str__(self):
        return f"{self.person} {self.period} {self.points:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise NotAllowed(_("Points entries are never changed; record a reversing entry."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise NotAllowed(_("Points entries are never deleted; record a reversing entry."))
