"""Quarterly evaluations (村级组织运行情况量化评价): indicator catalogue, scores, tiers, tracking.

Scores are rows, one per (evaluation, indicator), so 111 indicators × 490,000 villages is a tall,
narrow table that COPY fills quickly and that PostgreSQL can partition by quarter later.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.periods import QUARTER_PATTERN
from villages.models import Person, Region, Village


class IndicatorSet(models.Model):
    """A versioned catalogue of indicators for a region and year.

    It applies to the villages under ``region`` (a city or a county); the nearest one up the tree
    with the latest ``year`` not after the quarter's year is the one a quarter is scored with.
    Once any score uses it, it is frozen: totals already computed must keep meaning the same.
    """

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="indicator_sets",
                               verbose_name=_("region it applies to"))
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"), default=False,
        help_text=_("Demo catalogue (示例), not an official one."))
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "region__path", "name"]
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "name"],
                                    name="indicator_set_unique_name"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100),
                                   name="indicator_set_year_range"),
        ]

    def __str__(self):
        return f"{self.name} ({self.year})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Indicator(models.Model):
    """One scored item; without ``higher_is_better`` it is a deduction (the value = points lost)."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT,
                                      related_name="indicators", verbose_name=_("indicator set"))
    code = models.CharField(_("code"), max_length=16,
                            help_text=_("The column heading in score files, e.g. A01."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    category = models.CharField(_("category"), max_length=40)
    subcategory = models.CharField(_("sub-category"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=3, default=1)
    higher_is_better = models.BooleanField(
        _("higher is better"), default=True,
        help_text=_("Untick for a deduction item: its value is the points lost."))

    class Meta:
        ordering = ["indicator_set", "position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"],
                                    name="indicator_code_unique_in_set"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="indicator_max_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Za-z0-9_.-]+$"),
                                   name="indicator_code_plain"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        if self.indicator_set_id and IndicatorSet.objects.filter(
                pk=self.indicator_set_id, frozen_at__isnull=False).exists():
            raise ValidationError(_("Indicator set “%(set)s” is frozen: scores use it, so its "
                                    "indicators can no longer change.")
                                  % {"set": self.indicator_set})


class Tier(models.IntegerChoices):
    FIRST = 1, _("Class 1 (一类)")
    SECOND = 2, _("Class 2 (二类)")
    THIRD = 3, _("Class 3 (三类, warning zone)")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class ScoreImport(models.Model):
    """One committed score file: who brought in what, and whether it replaced earlier scores."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Upload page")
        API = "api", _("REST API")
        COMMAND = "command", _("Management command")
        DEMO = "demo", _("Demo data")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="score_imports",
                               verbose_name=_("region"))
    quarter = models.CharField(_("quarter"), max_length=6)
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT,
                                      related_name="imports", verbose_name=_("indicator set"))
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    villages = models.PositiveIntegerField(_("villages"), default=0)
    scores = models.PositiveIntegerField(_("scores"), default=0)
    replace = models.BooleanField(_("replace requested"), default=False)
    replaced = models.PositiveIntegerField(
        _("evaluations replaced"), default=0,
        help_text=_("Villages whose earlier scores for the quarter this import overwrote."))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+", verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("score import")
        verbose_name_plural = _("score imports")
        constraints = [
            models.CheckConstraint(condition=Q(quarter__regex=QUARTER_PATTERN),
                                   name="score_import_quarter_format"),
            models.CheckConstraint(condition=Q(replaced=0) | Q(replace=True),
                                   name="score_import_replaces_only_when_asked"),
        ]

    def __str__(self):
        return f"{self.region} {self.quarter} {self.imported_at:%Y-%m-%d %H:%M}"


class Evaluation(models.Model):
    """A village's quarterly evaluation: total, place in its county and tier.

    ``county`` is stored rather than read through the village so the ranking cohort of a past
    quarter stays what it was when a village later moves to another county.
    """

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="evaluations",
                                verbose_name=_("village"))
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("county"))
    quarter = models.CharField(_("quarter"), max_length=6)
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT,
                                      related_name="evaluations",
                                      verbose_name=_("indicator set"))
    total = models.DecimalField(_("total"), max_digits=9, decimal_places=2, default=0)
    rank = models.PositiveIntegerField(_("rank in county"), null=True, blank=True)
    percentile = models.FloatField(
        _("percentile"), null=True, blank=True,
        help_text=_("Share of the county's villages with a lower total (1 = best)."))
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, null=True,
                                            blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.DRAFT)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    score_import = models.ForeignKey(ScoreImport, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="evaluations",
                                     verbose_name=_("last import"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Which partition of the score table holds this evaluation's scores (see IndicatorScore).
    score_part = models.BigIntegerField(_("score partition"), default=0, editable=False)

    class Meta:
        ordering = ["county", "quarter", "rank", "village__code"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["village", "quarter"],
                                    name="evaluation_once_per_village_quarter"),
            models.CheckConstraint(condition=Q(quarter__regex=QUARTER_PATTERN),
                                   name="evaluation_quarter_format"),
            models.CheckConstraint(condition=Q(tier__isnull=True) | Q(tier__in=[1, 2, 3]),
                                   name="evaluation_tier_1_2_3"),
            models.CheckConstraint(condition=Q(status__in=EvaluationStatus.values),
                                   name="evaluation_status_valid"),
            models.CheckConstraint(condition=Q(total__gte=0), name="evaluation_total_not_negative"),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1),
                                   name="evaluation_rank_from_1"),
            models.CheckConstraint(
                condition=Q(percentile__isnull=True) | Q(percentile__gte=0, percentile__lte=1),
                name="evaluation_percentile_0_1"),
            # Who and when travel with the state: a submitted or approved evaluation says so.
            models.CheckConstraint(
                condition=Q(status=EvaluationStatus.DRAFT)
                | Q(submitted_at__isnull=False),
                name="evaluation_submitted_has_time"),
            models.CheckConstraint(
                condition=~Q(status=EvaluationStatus.APPROVED) | Q(approved_at__isnull=False),
                name="evaluation_approved_has_time"),
            # The target of the scores' (evaluation, part) foreign key on PostgreSQL.
            models.UniqueConstraint(fields=["id", "score_part"], name="evaluation_id_score_part"),
        ]
        indexes = [
            # The ranked page and tiering read one county and quarter in total order.
            models.Index(fields=["county", "quarter", "total"], name="evaluation_county_ranking"),
            models.Index(fields=["quarter", "tier"], name="evaluation_quarter_tier"),
        ]

    def __str__(self):
        return f"{self.village} {self.quarter}"

    @property
    def is_locked(self) -> bool:
        return self.status != EvaluationStatus.DRAFT


class IndicatorScore(models.Model):
    """One indicator's value in one evaluation.

    ``max_score`` is the indicator's maximum copied onto the row, so the range check is an
    ordinary single-row CHECK (``0 <= value <= max_score``) that the database enforces on every
    insert, COPY included; a CHECK cannot look into another table. The copy cannot drift: it is
    written from the indicator in the same statement as the value, and an indicator set is frozen
    (its indicators refuse changes) as soon as any score uses it.
    """

    # No separate foreign-key indexes: the unique (evaluation, indicator, part) index serves
    # lookups by evaluation, nothing reads scores by indicator alone, and every extra index on a
    # table of tens of millions of rows slows each import (see bench/score_import.py).
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores",
                                   db_index=False, verbose_name=_("evaluation"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores",
                                  db_index=False, verbose_name=_("indicator"))
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=2)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2,
                                    editable=False)
    # On PostgreSQL the table is partitioned by ``part``: 0 for scores entered one village at a
    # time, the ScoreImport id for an import's scores. An import fills its own partition while
    # it is detached and attaches it at the end, so PostgreSQL checks the foreign keys of
    # millions of rows in one join instead of one trigger call per row. A foreign key
    # (evaluation, part) → Evaluation (id, score_part) keeps every evaluation's scores in one
    # partition, so the unique (evaluation, indicator, part) still means one score per pair
    # (earlywarning/partitions.py, migration 0004).
    part = models.BigIntegerField(_("partition"), default=0, editable=False)

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator", "part"],
                                    name="score_once_per_evaluation_indicator"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=F("max_score")),
                                   name="score_value_within_0_max"),
        ]

    def __str__(self):
        return f"{self.indicator_id}={self.value}"


class EvaluationEvent(models.Model):
    """The approval trail (DHIS2-style): submitted, approved, reopened with a reason, edited."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REOPENED = "reopened", _("Reopened")
        EDITED = "edited", _("Scores edited")
        IMPORTED = "imported", _("Scores imported")
        REPLACED = "replaced", _("Scores replaced by an import")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="events",
                                   verbose_name=_("evaluation"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["evaluation", "at", "id"]
        verbose_name = _("evaluation event")
        verbose_name_plural = _("evaluation events")
        constraints = [
            models.CheckConstraint(condition=Q(action__in=[
                "submitted", "approved", "reopened", "edited", "imported", "replaced"]),
                name="evaluation_event_action_valid"),
            models.CheckConstraint(condition=~Q(action="reopened") | ~Q(reason=""),
                                   name="evaluation_reopen_has_reason"),
        ]

    def __str__(self):
        return f"{self.evaluation} {self.get_action_display()}"


class TrackingAssignment(models.Model):
    """专人跟踪: a village in the warning zone (class 3) and the person who follows it.

    Tiering opens one when a village enters class 3 and closes it when the village leaves; the
    county names the person.
    """

    village = models.ForeignKey(Village, on_delete=models.PROTECT,
                                related_name="tracking_assignments", verbose_name=_("village"))
    quarter = models.CharField(_("opened for quarter"), max_length=6)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="tracking_assignments",
                               verbose_name=_("tracking person"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_quarter = models.CharField(_("closed in quarter"), max_length=6, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-quarter", "village__code"]
        verbose_name = _("tracking assignment")
        verbose_name_plural = _("tracking assignments")
        constraints = [
            models.UniqueConstraint(fields=["village"], condition=Q(closed_at__isnull=True),
                                    name="tracking_one_open_per_village"),
            models.CheckConstraint(condition=Q(quarter__regex=QUARTER_PATTERN),
                                   name="tracking_quarter_format"),
            models.CheckConstraint(
                condition=(Q(closed_at__isnull=True) & Q(closed_quarter=""))
                | (Q(closed_at__isnull=False) & Q(closed_quarter__regex=QUARTER_PATTERN)),
                name="tracking_closed_has_quarter"),
            models.CheckConstraint(condition=Q(person__isnull=True) | Q(assigned_at__isnull=False),
                                   name="tracking_person_has_time"),
        ]

    def __str__(self):
        return f"{self.village} {self.quarter}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


__all__ = [
    "Evaluation",
    "EvaluationEvent",
    "EvaluationStatus",
    "Indicator",
    "IndicatorScore",
    "IndicatorSet",
    "ScoreImport",
    "Tier",
    "TrackingAssignment",
]
