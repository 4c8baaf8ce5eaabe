"""Help teams (组团式): lead, members, villages (分片包干) and coordination meetings."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HelpTeamStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class HelpTeam(models.Model):
    """A help team (帮扶团队) of leaders, departments and enterprises for a group of villages."""

    county = models.ForeignKey("villages.Region", on_delete=models.PROTECT,
                               related_name="help_teams", verbose_name=_("county"))
    name = models.CharField(_("name"), max_length=80)
    lead = models.ForeignKey("villages.Person", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("team lead"))
    formed_on = models.DateField(_("formed on"))
    status = models.CharField(_("status"), max_length=10, choices=HelpTeamStatus.choices,
                              default=HelpTeamStatus.ACTIVE)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    villages = models.ManyToManyField("villages.Village", through="HelpTeamVillage",
                                      related_name="help_teams", verbose_name=_("villages"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["county", "name"]
        verbose_name = _("help team")
        verbose_name_plural = _("help teams")
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="help_team_name_unique"),
            models.CheckConstraint(condition=Q(status__in=HelpTeamStatus.values),
                                   name="help_team_status_valid"),
            models.CheckConstraint(
                condition=Q(status=HelpTeamStatus.ACTIVE, dissolved_on__isnull=True)
                | Q(status=HelpTeamStatus.DISSOLVED, dissolved_on__isnull=False),
                name="help_team_dissolved_has_date"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == HelpTeamStatus.ACTIVE


class HelpTeamVillage(models.Model):
    """分片包干: each village is covered by one team."""

    team = models.ForeignKey(HelpTeam, on_delete=models.PROTECT, related_name="assignments",
                             verbose_name=_("help team"))
    village = models.ForeignKey("villages.Village", on_delete=models.PROTECT,
                                related_name="help_team_assignments", verbose_name=_("village"))

    class Meta:
        verbose_name = _("village of a help team")
        verbose_name_plural = _("villages of help teams")
        constraints = [
            models.UniqueConstraint(fields=["village"], name="village_in_one_help_team"),
        ]

    def __str__(self):
        return f"{self.team} · {self.village}"


class TeamRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible person")
    MEMBER = "member", _("Member")
    LIAISON = "liaison", _("Liaison")


class HelpTeamMember(models.Model):
    team = models.ForeignKey(HelpTeam, on_delete=models.PROTECT, related_name="members",
                             verbose_name=_("help team"))
    person = models.ForeignKey("villages.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=12, choices=TeamRole.choices)
    unit = models.CharField(_("unit"), max_length=80, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["team", "role", "id"]
        verbose_name = _("help team member")
        verbose_name_plural = _("help team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="team_member_once"),
            models.CheckConstraint(condition=Q(role__in=TeamRole.values),
                                   name="team_member_role_valid"),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"


class CoordinationMeeting(models.Model):
    team = models.ForeignKey(HelpTeam, on_delete=models.PROTECT, related_name="meetings",
                             verbose_name=_("help team"))
    date = models.DateField(_("date"))
    attendees = models.ManyToManyField("villages.Person", blank=True, related_name="+",
                                       verbose_name=_("attendees"))
    decisions = models.TextField(_("decisions"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        constraints = [
            models.CheckConstraint(condition=~Q(decisions=""), name="meeting_has_decisions"),
        ]

    def __str__(self):
        return f"{self.team} {self.date}"
