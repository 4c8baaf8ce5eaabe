"""Measures about people (调, 育) and members' household contact zones (包)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.models.cases import Case


class MeasureKind(models.TextChoices):
    SECRETARY_REPLACED = "secretary_replaced", _("Secretary replaced")
    MEMBER_REPLACED = "member_replaced", _("Committee member replaced")
    FIRST_SECRETARY_SENT = "first_secretary_sent", _("First secretary sent")
    ADMONITION_TALK = "admonition_talk", _("Admonition talk (诫勉谈话)")
    RESERVE_CADRE_ADDED = "reserve_cadre_added", _("Reserve cadre added")
    AUDIT = "audit", _("Audit")


class PersonnelMeasure(models.Model):
    """A measure about people (调: replacements, talks; 育: reserves), tied to the foundation's
    people and posts."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="personnel_measures", verbose_name=_("village"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="personnel_measures", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=24, choices=MeasureKind.choices)
    person = models.ForeignKey("villages.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    post = models.ForeignKey("villages.PostAssignment", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name=_("post"))
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("personnel measure")
        verbose_name_plural = _("personnel measures")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MeasureKind.values),
                                   name="personnel_measure_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.person}"


class HouseholdContact(models.Model):
    """包: a party member's responsibility zone; each member contacts at least 10 households."""

    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="household_contacts", verbose_name=_("village"))
    member = models.ForeignKey("villages.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party member"))
    households = models.PositiveSmallIntegerField(_("households contacted"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["village", "member"]
        verbose_name = _("household contact zone")
        verbose_name_plural = _("household contact zones")
        constraints = [
            models.UniqueConstraint(fields=["village", "member"], name="household_zone_once"),
            models.CheckConstraint(condition=Q(households__gte=0),
                                   name="household_zone_not_negative"),
        ]

    def __str__(self):
        return f"{self.member}: {self.households}"
