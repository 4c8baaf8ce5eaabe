"""Pairings, visits, projects, instructor days and help teams: bad input and rights."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from casework import pairing, teams
from casework.models import (
    CaseStatus,
    HelpTeam,
    HelpTeamStatus,
    InstructorDays,
    Pairing,
    PairingKind,
    Project,
    Visit,
)
from core.errors import DomainError, NotAllowed
from tests.villages.factories import PersonFactory

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.mark.parametrize("funds", ["-1", "-0.01", "abc", "1.234", "NaN"])
def test_project_funds_must_be_a_non_negative_amount(world, work, funds):
    with pytest.raises(DomainError) as error:
        pairing.add_project(actor=world.users["zhuji"], village=world.fq1, name="村道硬化",
                            funds=funds, pairing=work.pairings["fq1"])
    assert error.value.field == "funds"
    assert not Project.objects.exists()


def test_database_refuses_negative_funds(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(village=world.fq1, name="x", funds=Decimal("-5"))


def test_api_negative_funds_is_a_400_naming_the_field(world, work, login):
    response = login("zhuji").post(f"/api/v1/pairings/{work.pairings['fq1'].pk}/projects/",
                                   {"name": "路灯亮化", "funds": "-100"},
                                   content_type="application/json")
    assert response.status_code == 400
    assert "funds" in response.json()
    assert not Project.objects.exists()


def test_project_funds_are_stored_exactly(world, work):
    project = pairing.add_project(actor=world.users["zhuji"], village=world.fq1,
                                  name="光伏发电", funds="355985.10",
                                  pairing=work.pairings["fq1"])
    assert Project.objects.get(pk=project.pk).funds == Decimal("355985.10")


def test_visit_dated_in_the_future_is_refused(world, work):
    with pytest.raises(DomainError) as error:
        pairing.log_visit(actor=world.users["zhuji"], village=world.fq1, on=date(2026, 11, 21),
                          visitor="领导", purpose="走访", pairing=work.pairings["fq1"])
    assert error.value.field == "date"
    assert not Visit.objects.exists()


def test_html_visit_in_the_future_shows_the_error(world, work, login):
    response = login("zhuji").post(f"/pairings/{work.pairings['fq1'].pk}/visits/", {
        "date": "2026-12-01", "visitor": "领导", "purpose": "走访"})
    assert response.status_code == 400
    assert "date" in response.context["visit_form"].errors
    assert not Visit.objects.exists()


def test_helper_logs_visits_in_assigned_village_only(world, work):
    helper = world.users["helper"]
    pairing.log_visit(actor=helper, village=world.fq1, on=date(2026, 11, 1), visitor="帮扶干部",
                      purpose="入户走访")
    with pytest.raises(NotAllowed):
        pairing.log_visit(actor=helper, village=world.fq2, on=date(2026, 11, 1),
                          visitor="帮扶干部", purpose="入户走访")
    assert list(Visit.objects.values_list("village", flat=True)) == [world.fq1.pk]


def test_helper_api_write_to_unassigned_village_is_refused(world, login):
    other = Pairing.objects.create(kind=PairingKind.DEPARTMENT, village=world.fq2,
                                   partner_name="县财政局", start=date(2026, 3, 1))
    response = login("helper").post(f"/api/v1/pairings/{other.pk}/visits/", {
        "date": "2026-11-01", "visitor": "帮扶干部", "purpose": "走访"},
        content_type="application/json")
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_helper_html_write_to_unassigned_village_is_refused(world, login):
    other = Pairing.objects.create(kind=PairingKind.DEPARTMENT, village=world.fq2,
                                   partner_name="县财政局", start=date(2026, 3, 1))
    response = login("helper").post(f"/pairings/{other.pk}/projects/", {
        "name": "x", "kind": "welfare", "funds": "10", "status": "planned"})
    assert response.status_code == 404
    assert not Project.objects.exists()


@pytest.mark.parametrize("month, days, field", [
    ("2026-11", 32, "days"), ("2026-02", 29, "days"), ("2026-13", 5, "month"),
    ("2026-12", 5, "month"),
])
def test_instructor_days_are_checked(world, month, days, field):
    instructor = PersonFactory(region=world.fengqiao)
    with pytest.raises(DomainError) as error:
        pairing.log_instructor_days(actor=world.users["fengqiao"], person=instructor,
                                    village=world.fq1, month=month, days=days)
    assert error.value.field == field
    assert not InstructorDays.objects.exists()


def test_instructor_days_logged_again_correct_the_month(world):
    instructor = PersonFactory(region=world.fengqiao)
    for days in (18, 22):
        pairing.log_instructor_days(actor=world.users["fengqiao"], person=instructor,
                                    village=world.fq1, month="2026-10", days=days)
    assert list(InstructorDays.objects.values_list("days", flat=True)) == [22]


def test_database_refuses_more_than_31_days(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        InstructorDays.objects.create(person=PersonFactory(region=world.fengqiao),
                                      village=world.fq1, month="2026-10", days=32)


def test_strong_village_pairing_needs_another_village(world):
    with pytest.raises(DomainError):
        pairing.pair(actor=world.users["zhuji"], village=world.fq1, kind="strong_village",
                     start=date(2026, 3, 1), partner_village=world.fq1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(kind=PairingKind.STRONG_VILLAGE, village=world.fq1,
                               partner_village=world.fq1, start=date(2026, 3, 1))


def test_county_cannot_pair_another_countys_village(world):
    with pytest.raises(NotAllowed):
        pairing.pair(actor=world.users["zhuji"], village=world.bg1, kind="enterprise",
                     start=date(2026, 3, 1), partner_name="三花控股")
    assert not Pairing.objects.filter(village=world.bg1).exists()


def test_team_cannot_be_dissolved_while_a_village_has_an_open_case(world, work):
    with pytest.raises(DomainError, match=world.fq1.name):
        teams.dissolve_team(actor=world.users["zhuji"], team=work.team)
    assert HelpTeam.objects.get(pk=work.team.pk).status == HelpTeamStatus.ACTIVE


def test_team_is_dissolved_once_its_cases_are_closed(world, work):
    work.cases["fq1"].__class__.objects.filter(pk=work.cases["fq1"].pk).update(
        status=CaseStatus.NOT_MOVED_UP, outcome="not_moved_up")
    with pytest.raises(DomainError):
        teams.dissolve_team(actor=world.users["zhuji"], team=work.team)
    from casework import cases
    from tests.casework.factories import pdf_upload

    cases.close_case(actor=world.users["zhuji"], case=work.cases["fq1"], note="结束",
                     evidence=pdf_upload())
    teams.dissolve_team(actor=world.users["zhuji"], team=work.team)
    team = HelpTeam.objects.get(pk=work.team.pk)
    assert team.status == HelpTeamStatus.DISSOLVED and team.dissolved_on == date(2026, 11, 20)


def test_api_dissolve_with_open_case_is_a_400(world, work, login):
    response = login("zhuji").post(f"/api/v1/help-teams/{work.team.pk}/dissolve/")
    assert response.status_code == 400
    assert "status" in response.json()


def test_village_belongs_to_one_help_team(world, work):
    other = teams.form_team(actor=world.users["zhuji"], county=world.zhuji, name="第二团队",
                            lead=PersonFactory(region=world.zhuji))
    with pytest.raises(DomainError) as error:
        teams.assign_villages(actor=world.users["zhuji"], team=other, villages=[world.fq1])
    assert error.value.field == "villages"
    with pytest.raises(DomainError):
        teams.assign_villages(actor=world.users["zhuji"], team=other, villages=[world.bg1])


def test_meeting_needs_decisions_and_a_past_date(world, work):
    with pytest.raises(DomainError) as error:
        teams.hold_meeting(actor=world.users["zhuji"], team=work.team, on=date(2026, 11, 1),
                           decisions="")
    assert error.value.field == "decisions"
    with pytest.raises(DomainError) as error:
        teams.hold_meeting(actor=world.users["zhuji"], team=work.team, on=date(2026, 12, 1),
                           decisions="分片包干")
    assert error.value.field == "date"


def test_a_pairings_funds_count_each_project_once_however_many_visits(world, work, login):
    leader = work.pairings["fq1"]
    for day in (5, 12):
        Visit.objects.create(village=world.fq1, pairing=leader, date=date(2026, 10, day),
                             visitor="领导", purpose="走访", logged_by=world.users["zhuji"])
    Project.objects.create(village=world.fq1, pairing=leader, name="村道硬化",
                           funds=Decimal("100000"))

    row = login("zhuji").get(f"/api/v1/pairings/{leader.pk}/").json()

    assert (row["visit_count"], row["project_count"], row["project_funds"]) == (
        2, 1, "100000.00")
