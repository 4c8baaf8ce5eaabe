"""What each user may see of the rectification work. The rules are ``villages/scoping.py``'s:
a record of a village is visible exactly when its village is; help teams and campaigns follow
the region rules written there."""

from django.db.models import QuerySet

from casework.models import (
    Campaign,
    Case,
    EvidenceFile,
    HelpTeam,
    HelpTeamVillage,
    InstructorDays,
    LedgerItem,
    Pairing,
    PointsEntry,
    Project,
    Visit,
)
from villages import scoping


def cases(user) -> QuerySet[Case]:
    return scoping.visible_by_village(user, Case.objects.all())


def ledger_items(user) -> QuerySet[LedgerItem]:
    return scoping.visible_by_village(user, LedgerItem.objects.all())


def pairings(user) -> QuerySet[Pairing]:
    return scoping.visible_by_village(user, Pairing.objects.all())


def visits(user) -> QuerySet[Visit]:
    return scoping.visible_by_village(user, Visit.objects.all())


def projects(user) -> QuerySet[Project]:
    return scoping.visible_by_village(user, Project.objects.all())


def instructor_days(user) -> QuerySet[InstructorDays]:
    return scoping.visible_by_village(user, InstructorDays.objects.all())


def evidence(user) -> QuerySet[EvidenceFile]:
    return scoping.visible_by_village(user, EvidenceFile.objects.all())


def help_teams(user) -> QuerySet[HelpTeam]:
    return scoping.visible_help_teams(user, HelpTeam.objects.all(), HelpTeamVillage.objects)


def campaigns(user) -> QuerySet[Campaign]:
    return scoping.visible_in_or_above(user, Campaign.objects.all())


def points_entries(user) -> QuerySet[PointsEntry]:
    """Points entries are read with their village: a township official and a helper see the
    points earned in their villages."""
    return scoping.visible_by_village(user, PointsEntry.objects.all())
