"""What each user may see of the early-warning records. The rules are ``villages/scoping.py``'s:
a village's evaluations are visible when the village is; catalogues and bulletins follow the
region rules written there."""

from django.db.models import Q, QuerySet

from earlywarning.models import (
    AwardEligibility,
    Bulletin,
    BulletinStatus,
    Evaluation,
    IndicatorSet,
    RosterEntry,
    Talk,
    TrackingAssignment,
)
from villages import scoping


def evaluations(user) -> QuerySet[Evaluation]:
    return scoping.visible_by_village(user, Evaluation.objects.all())


def indicator_sets(user) -> QuerySet[IndicatorSet]:
    return scoping.visible_in_or_above(user, IndicatorSet.objects.all())


def tracking_assignments(user) -> QuerySet[TrackingAssignment]:
    return scoping.visible_by_village(user, TrackingAssignment.objects.all())


def bulletins(user) -> QuerySet[Bulletin]:
    return scoping.visible_bulletins(user, Bulletin.objects.all(),
                                     published=Q(status=BulletinStatus.PUBLISHED))


def talks(user) -> QuerySet[Talk]:
    return scoping.visible_in_subtree(user, Talk.objects.all())


def award_eligibility(user) -> QuerySet[AwardEligibility]:
    return scoping.visible_in_subtree(user, AwardEligibility.objects.all())


def roster_entries(user) -> QuerySet[RosterEntry]:
    return scoping.visible_by_village(user, RosterEntry.objects.all())
