"""Help team pages: the list, a team with its villages, members and meetings, dissolving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import teams, visibility
from casework.forms import (
    MeetingForm,
)
from casework.models import (
    OPEN_CASE_STATUSES,
    HelpTeamMember,
)
from core.http import errors_as_message, errors_on_form
from core.pagination import paginate
from villages import scoping


@login_required
def team_list(request):
    teams_qs = (visibility.help_teams(request.user)
                .select_related("county", "lead")
                .annotate(village_count=Count("assignments", distinct=True),
                          member_count=Count("members", distinct=True))
                .order_by("county__code", "name"))
    page, query = paginate(request, teams_qs)
    return render(request, "casework/team_list.html", {"page": page, "query": query})


@login_required
def team_detail(request, pk: int, form=None):
    team = get_object_or_404(visibility.help_teams(request.user)
                             .select_related("county", "lead"), pk=pk)
    villages = (scoping.visible_villages(request.user).filter(help_team_assignments__team=team)
                .select_related("township")
                .annotate(open_cases=Count("cases", filter=Q(
                    cases__status__in=OPEN_CASE_STATUSES))).order_by("code"))
    can_manage = scoping.can_manage_help_teams(request.user, team.county)
    return render(request, "casework/team_detail.html", {
        "team": team,
        "members": HelpTeamMember.objects.filter(team=team).select_related("person"),
        "villages": villages,
        "meetings": team.meetings.prefetch_related("attendees"),
        "can_manage": can_manage,
        "meeting_form": form or (MeetingForm() if can_manage else None),
        "blocking": teams.open_cases_of(team).count(),
    }, status=400 if form is not None else 200)


@login_required
@require_POST
def team_dissolve(request, pk: int):
    team = get_object_or_404(visibility.help_teams(request.user).select_related("county"),
                             pk=pk)
    with errors_as_message(request):
        teams.dissolve_team(actor=request.user, team=team)
        messages.success(request, _("The team is dissolved."))
    return redirect("team-detail", team.pk)


@login_required
@require_POST
def team_meeting(request, pk: int):
    team = get_object_or_404(visibility.help_teams(request.user).select_related("county"),
                             pk=pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        with errors_on_form(form):
            teams.hold_meeting(actor=request.user, team=team, on=form.cleaned_data["date"],
                               decisions=form.cleaned_data["decisions"])
            return redirect("team-detail", team.pk)
    return team_detail(request, pk, form=form)
