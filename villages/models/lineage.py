"""Village lineage: mergers, splits and township mergers (撤乡并镇) as dated events of a county.

A ``LineageEvent`` names its villages through ``LineageLink`` rows: the predecessors (the
villages before the event), the successors (after it) and, for a township merger, the villages
moved. A predecessor that is not also a successor **retires**: it becomes inactive (with
``merged_into`` after a merger) and keeps its rows and its code for good.

Codes of retired villages are never reused. Village codes are unique, villages are never
deleted, and a link refers to its village *by code* (a foreign key to ``Village.code``): the
database refuses to change the code of a village named in any lineage event, so a retired code
can never be freed for a new village.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LineageKind(models.TextChoices):
    MERGER = "merger", _("Merger (合并)")
    SPLIT = "split", _("Split (拆分)")
    TOWNSHIP_MERGER = "township_merger", _("Township merger (撤乡并镇)")


class LineageEvent(models.Model):
    """One merger, split or township merger, approved by a document (文号)."""

    kind = models.CharField(_("kind"), max_length=16, choices=LineageKind.choices)
    county = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                               related_name="lineage_events", verbose_name=_("county"))
    effective_date = models.DateField(_("effective date"))
    document_number = models.CharField(_("document number (文号)"), max_length=60)
    reason = models.TextField(_("reason"))
    # Which successor takes over the open cases, ledger items and pairings of the villages
    # that retire (a merger's successor; the one the county names in a split).
    carried_to = models.ForeignKey("villages.Village", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+",
                                   verbose_name=_("work carried to"))
    from_township = models.ForeignKey("villages.Region", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="+",
                                      verbose_name=_("township merged away"))
    to_township = models.ForeignKey("villages.Region", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("township merged into"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("made by"))
    made_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("lineage event")
        verbose_name_plural = _("lineage events")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LineageKind.values),
                                   name="lineage_kind_valid"),
            models.CheckConstraint(condition=~Q(document_number="") & ~Q(reason=""),
                                   name="lineage_has_document_and_reason"),
            models.CheckConstraint(
                condition=(Q(kind=LineageKind.TOWNSHIP_MERGER, from_township__isnull=False,
                             to_township__isnull=False, carried_to__isnull=True)
                           & ~Q(from_township=F("to_township")))
                | (~Q(kind=LineageKind.TOWNSHIP_MERGER) & Q(from_township__isnull=True,
                                                            to_township__isnull=True)),
                name="lineage_townships_for_township_merger"),
        ]
        indexes = [models.Index(fields=["made_at"], name="lineage_made_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document_number}"


class LineageRole(models.TextChoices):
    PREDECESSOR = "predecessor", _("Predecessor")
    SUCCESSOR = "successor", _("Successor")
    MOVED = "moved", _("Moved to the new township")


class LineageLink(models.Model):
    """A village's part in an event."""

    event = models.ForeignKey(LineageEvent, on_delete=models.PROTECT, related_name="links",
                              verbose_name=_("event"))
    # By code, on purpose: the code of a village in any event can then never change (above).
    village = models.ForeignKey("villages.Village", to_field="code", db_column="village_code",
                                on_delete=models.PROTECT, related_name="lineage_links",
                                verbose_name=_("village"))
    role = models.CharField(_("role"), max_length=12, choices=LineageRole.choices)
    retired = models.BooleanField(_("retired by the event"), default=False)
    created = models.BooleanField(_("created by the event"), default=False)

    class Meta:
        ordering = ["event", "role", "village"]
        verbose_name = _("village of a lineage event")
        verbose_name_plural = _("villages of lineage events")
        constraints = [
            models.UniqueConstraint(fields=["event", "village", "role"],
                                    name="lineage_link_once"),
            models.UniqueConstraint(fields=["village"], condition=Q(retired=True),
                                    name="lineage_village_retires_once"),
            models.UniqueConstraint(fields=["village"], condition=Q(created=True),
                                    name="lineage_village_created_once"),
            models.CheckConstraint(condition=Q(role__in=LineageRole.values),
                                   name="lineage_role_valid"),
            models.CheckConstraint(condition=Q(retired=False) | Q(role="predecessor"),
                                   name="lineage_only_predecessors_retire"),
            models.CheckConstraint(condition=Q(created=False) | Q(role="successor"),
                                   name="lineage_only_successors_are_created"),
        ]
        indexes = [models.Index(fields=["village", "role"], name="lineage_link_village")]

    def __str__(self):
        return f"{self.event} · {self.get_role_display()} · {self.village_id}"
