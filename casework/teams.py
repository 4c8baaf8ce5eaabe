"""Help teams (组团式帮扶): a lead, members with roles, villages divided among teams (分片包干),
coordination meetings, and 不见效不撤离 — no withdrawal before results."""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import (
    OPEN_CASE_STATUSES,
    Case,
    CoordinationMeeting,
    HelpTeam,
    HelpTeamMember,
    HelpTeamStatus,
    HelpTeamVillage,
    TeamRole,
)
from core.errors import DomainError, NotAllowed
from core.history import record_change
from villages import scoping
from villages.models import Person, Region, RegionLevel, Village


def _require(actor, county: Region) -> None:
    if not scoping.can_manage_help_teams(actor, county):
        raise NotAllowed(_("Only the organization department of %(county)s manages its help "
                           "teams.") % {"county": county.name})


def _require_active(team: HelpTeam) -> None:
    if team.status != HelpTeamStatus.ACTIVE:
        raise DomainError(_("The team %(team)s is dissolved.") % {"team": team.name},
                          field="team")


@transaction.atomic
def form_team(*, actor, county: Region, name: str, lead: Person,
              formed_on: date | None = None) -> HelpTeam:
    _require(actor, county)
    if county.level != RegionLevel.COUNTY:
        raise DomainError(_("A help team belongs to a county."), field="county")
    team = HelpTeam(county=county, name=(name or "").strip(), lead=lead,
                    formed_on=formed_on or timezone.localdate())
    team.full_clean()
    team._history_user = actor
    team.save()
    return team


@transaction.atomic
def add_member(*, actor, team: HelpTeam, person: Person, role: str,
               unit: str = "") -> HelpTeamMember:
    _require(actor, team.county)
    _require_active(team)
    if role not in TeamRole.values:
        raise DomainError(_("Choose the member's role."), field="role")
    if HelpTeamMember.objects.filter(team=team, person=person).exists():
        raise DomainError(_("%(person)s is already in the team.") % {"person": person.name},
                          field="person")
    member = HelpTeamMember(team=team, person=person, role=role, unit=unit)
    member._history_user = actor
    member.save()
    return member


@transaction.atomic
def assign_villages(*, actor, team: HelpTeam, villages: Iterable[Village]) -> int:
    """Give villages of the team's county to the team. A village already covered by another team
    is refused by name: 分片包干 means one team per village."""
    _require(actor, team.county)
    _require_active(team)
    villages = list(villages)
    outside = [v.name for v in villages
               if not v.township.path.startswith(team.county.path)]
    if outside:
        raise DomainError(_("Not villages of %(county)s: %(names)s.")
                          % {"county": team.county.name, "names": ", ".join(outside)},
                          field="villages")
    taken = list(HelpTeamVillage.objects.filter(village__in=villages).exclude(team=team)
                 .values_list("village__name", "team__name"))
    if taken:
        raise DomainError(_("Already covered by another team: %(list)s.") % {
            "list": ", ".join(f"{v} ({t})" for v, t in taken)}, field="villages")
    have = set(HelpTeamVillage.objects.filter(team=team).values_list("village_id", flat=True))
    new = [HelpTeamVillage(team=team, village=v) for v in villages if v.pk not in have]
    try:
        with transaction.atomic():
            HelpTeamVillage.objects.bulk_create(new)
    except IntegrityError:
        raise DomainError(_("Another team took one of these villages at the same moment."),
                          field="villages") from None
    return len(new)


@transaction.atomic
def hold_meeting(*, actor, team: HelpTeam, on: date, decisions: str,
                 attendees: Iterable[Person] = ()) -> CoordinationMeeting:
    _require(actor, team.county)
    if on > timezone.localdate():
        raise DomainError(_("A meeting cannot be recorded for a future date."), field="date")
    if not (decisions or "").strip():
        raise DomainError(_("Write down what the meeting decided."), field="decisions")
    meeting = CoordinationMeeting(team=team, date=on, decisions=decisions.strip())
    meeting._history_user = actor
    meeting.save()
    meeting.attendees.set(attendees)
    return meeting


def open_cases_of(team: HelpTeam):
    return Case.objects.filter(village__help_team_assignments__team=team,
                               status__in=OPEN_CASE_STATUSES)


@transaction.atomic
def dissolve_team(*, actor, team: HelpTeam, on: date | None = None) -> HelpTeam:
    """不见效不撤离: refused while any village of the team still has an open case."""
    _require(actor, team.county)
    blocking = list(open_cases_of(team).select_related("village")
                    .values_list("village__name", flat=True)[:10])
    if blocking:
        raise DomainError(_("No withdrawal before results: these villages still have an open "
                            "case: %(names)s.") % {"names": ", ".join(blocking)}, field="status")
    moved = HelpTeam.objects.filter(pk=team.pk, status=HelpTeamStatus.ACTIVE).update(
        status=HelpTeamStatus.DISSOLVED, dissolved_on=on or timezone.localdate())
    if not moved:
        raise DomainError(_("The team is already dissolved."), field="status")
    record_change(team, actor=actor, reason=HelpTeamStatus.DISSOLVED)
    return team
