"""Campaigns, cases and their one-village-one-policy plans."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models.evidence import EvidenceFile
from casework.models.problems import ProblemType


class Campaign(models.Model):
    """A concentrated rectification drive, e.g. 余姚市's 百日集中整转 with an 80% target."""

    region = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                               related_name="campaigns", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=80)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    target_share = models.DecimalField(
        _("target share moved up"), max_digits=3, decimal_places=2, default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text=_("Share of the campaign's cases that should move up, e.g. 0.80."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="campaign_ends_after"),
            models.CheckConstraint(condition=Q(target_share__gt=0, target_share__lte=1),
                                   name="campaign_target_share_range"),
            models.UniqueConstraint(fields=["region", "name", "start"],
                                    name="campaign_unique_name_start"),
        ]

    def __str__(self):
        return self.name

    @property
    def days(self) -> int:
        return (self.end - self.start).days


class CaseSource(models.TextChoices):
    GRADE = "grade", _("Annual grade 较差")
    TIER = "tier", _("Class-3 tier")
    RATING = "rating", _("Red rating")
    ROSTER = "roster", _("Added to the warning roster by the county")


class CaseStatus(models.TextChoices):
    OPENED = "opened", _("Opened")
    RECTIFYING = "rectifying", _("Rectifying")
    MOVED_UP = "moved_up", _("Moved up")
    NOT_MOVED_UP = "not_moved_up", _("Not moved up")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    MOVED_UP = "moved_up", _("Moved up")
    NOT_MOVED_UP = "not_moved_up", _("Not moved up")


class Method(models.TextChoices):
    WARNING = "warning", _("Early warning (预警式)")
    CLASSIFICATION = "classification", _("Classification (分类式)")
    TEAM = "team", _("Help team (组团式)")
    PAIRING = "pairing", _("Pairing (结对式)")
    SPECIAL = "special", _("Special action (专项式)")


OPEN_CASE_STATUSES = (CaseStatus.OPENED, CaseStatus.RECTIFYING, CaseStatus.MOVED_UP,
                      CaseStatus.NOT_MOVED_UP)


class Case(models.Model):
    """One backward village's rectification (整顿转化), within a campaign or on its own."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="cases", verbose_name=_("village"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="cases", verbose_name=_("campaign"))
    source = models.CharField(_("opened from"), max_length=10, choices=CaseSource.choices)
    status = models.CharField(_("status"), max_length=14, choices=CaseStatus.choices,
                              default=CaseStatus.OPENED)
    problem_types = models.ManyToManyField(ProblemType, blank=True, related_name="cases",
                                           verbose_name=_("problem types"))
    methods = models.JSONField(_("methods used"), default=list, blank=True)
    responsible_leader = models.ForeignKey(
        "villages.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible leader"))
    tracking_person = models.ForeignKey(
        "villages.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("tracking person"))
    summary = models.TextField(_("situation"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened at"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    # 晋位升级 is shown by data; where the data does not show it, the county says why anyway.
    outcome_evidence = models.TextField(_("what the data shows"), blank=True)
    outcome_override_reason = models.TextField(_("reason given without data"), blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True, db_index=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    closing_evidence = models.ForeignKey(EvidenceFile, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+",
                                         verbose_name=_("closing evidence"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The village the case was opened for, when a merger or split carried it to a successor.
    carried_from = models.ForeignKey("villages.Village", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("carried over from"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            # A case carried over from a merged village sits beside the successor's own: the
            # one-case rules hold for the cases opened for the village itself.
            models.UniqueConstraint(fields=["village", "campaign"],
                                    condition=Q(carried_from__isnull=True),
                                    name="case_once_per_village_campaign"),
            # NULL never equals NULL in a unique index: without a campaign, one open case.
            models.UniqueConstraint(fields=["village"],
                                    condition=Q(campaign__isnull=True) & ~Q(status="closed")
                                    & Q(carried_from__isnull=True),
                                    name="case_one_open_without_campaign"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values),
                                   name="case_status_valid"),
            models.CheckConstraint(condition=Q(source__in=CaseSource.values),
                                   name="case_source_valid"),
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                                   name="case_outcome_valid"),
            # Only the county's confirmation lets rectification start.
            models.CheckConstraint(
                condition=Q(status=CaseStatus.OPENED) | Q(confirmed_at__isnull=False),
                name="case_confirmed_before_work"),
            models.CheckConstraint(
                condition=~Q(status__in=[CaseStatus.MOVED_UP, CaseStatus.NOT_MOVED_UP])
                | Q(outcome=F("status")),
                name="case_outcome_matches_status"),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.MOVED_UP) | ~Q(outcome_evidence="")
                | ~Q(outcome_override_reason=""),
                name="case_moved_up_shown_by_data_or_reason"),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | (
                    ~Q(outcome="") & ~Q(closing_note="") & Q(closing_evidence__isnull=False)
                    & Q(closed_by__isnull=False) & Q(closed_at__isnull=False)),
                name="case_closed_with_outcome_and_evidence"),
        ]
        indexes = [models.Index(fields=["status"], name="case_status")]

    def __str__(self):
        return f"{self.village} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    @property
    def awaiting_confirmation(self) -> bool:
        """Opened (by a township, say) and not yet confirmed by the county."""
        return self.status == CaseStatus.OPENED and not self.confirmed_at

    @property
    def ready_to_start(self) -> bool:
        return self.status == CaseStatus.OPENED and bool(self.confirmed_at)

    @property
    def takes_outcome(self) -> bool:
        """Under way or judged: the county records (or corrects) whether it moved up."""
        return self.status in (CaseStatus.RECTIFYING, CaseStatus.MOVED_UP,
                               CaseStatus.NOT_MOVED_UP)


class CaseMeasure(models.Model):
    """One line of the one-village-one-policy plan (一村一策)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures",
                             verbose_name=_("case"))
    problem_type = models.ForeignKey(ProblemType, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("problem type"))
    description = models.CharField(_("measure"), max_length=300)
    owner = models.CharField(_("owner"), max_length=60)
    due = models.DateField(_("due date"))
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")
        constraints = [
            models.CheckConstraint(condition=Q(done=False, done_on__isnull=True)
                                   | Q(done=True, done_on__isnull=False),
                                   name="measure_done_has_date"),
            models.CheckConstraint(condition=~Q(description="") & ~Q(owner=""),
                                   name="measure_has_text_and_owner"),
        ]

    def __str__(self):
        return self.description
