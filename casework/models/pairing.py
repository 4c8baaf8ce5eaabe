"""Pairing (结对式): partners paired with villages, their visits, projects and instructor days."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.periods import MONTH_REGEX

month_validator = RegexValidator(MONTH_REGEX, _("A month looks like 2026-11."))


class PairingKind(models.TextChoices):
    LEADER = "leader", _("Leader ↔ village")
    DEPARTMENT = "department", _("Department ↔ village")
    STRONG_VILLAGE = "strong_village", _("Strong village ↔ weak village")
    ENTERPRISE = "enterprise", _("Enterprise ↔ village")
    INSTRUCTOR = "instructor", _("Stationed instructor ↔ village")


PERSON_KINDS = (PairingKind.LEADER, PairingKind.INSTRUCTOR)
NAMED_KINDS = (PairingKind.DEPARTMENT, PairingKind.ENTERPRISE)


class Pairing(models.Model):
    """A partner paired with a (weak) village: a person, a department, a strong village or an
    enterprise, for a period, with its commitments."""

    kind = models.CharField(_("kind"), max_length=16, choices=PairingKind.choices)
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="pairings", verbose_name=_("village"))
    partner_person = models.ForeignKey("villages.Person", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="pairings",
                                       verbose_name=_("paired person"))
    partner_village = models.ForeignKey("villages.Village", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="pairings_as_partner",
                                        verbose_name=_("paired strong village"))
    partner_name = models.CharField(_("paired department or enterprise"), max_length=100,
                                    blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    commitments = models.TextField(_("commitments"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "kind", "start"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PairingKind.values),
                                   name="pairing_kind_valid"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                                   name="pairing_ends_after_start"),
            models.CheckConstraint(
                condition=(Q(kind__in=PERSON_KINDS, partner_person__isnull=False)
                           | Q(kind=PairingKind.STRONG_VILLAGE, partner_village__isnull=False)
                           | (Q(kind__in=NAMED_KINDS) & ~Q(partner_name=""))),
                name="pairing_partner_matches_kind"),
            models.CheckConstraint(
                condition=Q(partner_village__isnull=True) | ~Q(partner_village=F("village")),
                name="pairing_not_with_itself"),
        ]
        indexes = [models.Index(fields=["kind", "village"], name="pairing_kind_village")]

    def __str__(self):
        return f"{self.partner_label} ↔ {self.village}"

    @property
    def is_instructor(self) -> bool:
        """A stationed instructor's pairing: the only kind with days in the village."""
        return self.kind == PairingKind.INSTRUCTOR

    @property
    def partner_label(self) -> str:
        if self.partner_person_id:
            return str(self.partner_person)
        if self.partner_village_id:
            return str(self.partner_village)
        return self.partner_name


class Visit(models.Model):
    """A visit to a village by a paired leader, a team member or an instructor."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="visits", verbose_name=_("village"))
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="visits", verbose_name=_("pairing"))
    visitor = models.CharField(_("who"), max_length=60)
    date = models.DateField(_("date"))
    purpose = models.TextField(_("what was done"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("logged by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(condition=~Q(visitor="") & ~Q(purpose=""),
                                   name="visit_has_who_and_what"),
        ]
        indexes = [models.Index(fields=["pairing", "date"], name="visit_pairing_date")]

    def __str__(self):
        return f"{self.visitor} {self.date} {self.village}"


class ProjectKind(models.TextChoices):
    WELFARE = "welfare", _("Welfare project (惠民工程)")
    CO_BUILT = "co_built", _("Co-built project")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Project(models.Model):
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="projects", verbose_name=_("village"))
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="projects", verbose_name=_("pairing"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ProjectKind.choices,
                            default=ProjectKind.WELFARE)
    partner = models.CharField(_("partner"), max_length=100, blank=True)
    funds = models.DecimalField(_("funds (yuan)"), max_digits=14, decimal_places=2,
                                default=Decimal("0"), validators=[MinValueValidator(0)])
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=Q(funds__gte=0), name="project_funds_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=ProjectKind.values),
                                   name="project_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values),
                                   name="project_status_valid"),
        ]

    def __str__(self):
        return self.name


class InstructorDays(models.Model):
    """Days a stationed instructor (驻村指导员) spent in the village in one month (goal ≥ 20)."""

    person = models.ForeignKey("villages.Person", on_delete=models.PROTECT,
                               related_name="instructor_days", verbose_name=_("instructor"))
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="instructor_days", verbose_name=_("village"))
    month = models.CharField(_("month"), max_length=7, validators=[month_validator])
    days = models.PositiveSmallIntegerField(_("days in village"),
                                            validators=[MaxValueValidator(31)])
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("logged by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "village"]
        verbose_name = _("instructor days")
        verbose_name_plural = _("instructor days")
        constraints = [
            models.UniqueConstraint(fields=["person", "village", "month"],
                                    name="instructor_days_once_per_month"),
            models.CheckConstraint(condition=Q(days__gte=0, days__lte=31),
                                   name="instructor_days_0_31"),
            models.CheckConstraint(condition=Q(month__regex=MONTH_REGEX),
                                   name="instructor_days_month_format"),
        ]
        indexes = [models.Index(fields=["month", "village"], name="instructor_days_month")]

    def __str__(self):
        return f"{self.person} {self.month}: {self.days}"
