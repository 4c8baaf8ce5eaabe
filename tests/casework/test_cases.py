"""A case from opening to closed, through the HTML pages a county user clicks."""

import pytest
from django.db import IntegrityError, transaction

from casework import cases
from casework.models import (
    Case,
    CaseMeasure,
    CaseSource,
    CaseStatus,
    LedgerItem,
    LedgerStatus,
    Pairing,
    Visit,
)
from core.errors import DomainError, NotAllowed
from tests.casework.factories import CampaignFactory, CaseFactory, pdf_upload, problem

pytestmark = pytest.mark.usefixtures("frozen")


def status_of(case):
    return Case.objects.values_list("status", flat=True).get(pk=case.pk)


def test_county_user_walks_a_backward_village_from_opening_to_closed(world, login):
    client = login("zhuji")
    village = world.dk1
    response = client.post("/cases/open/", {"village": village.pk, "source": "grade",
                                            "problem_types": [problem("soft").pk],
                                            "methods": ["pairing", "special"],
                                            "summary": "班子软弱"})
    case = Case.objects.get(village=village)
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    assert case.status == CaseStatus.OPENED and case.confirmed_at is None

    # Rectification cannot start before the county confirms.
    client.post(f"/cases/{case.pk}/start/")
    assert status_of(case) == CaseStatus.OPENED
    client.post(f"/cases/{case.pk}/confirm/")
    client.post(f"/cases/{case.pk}/start/")
    assert status_of(case) == CaseStatus.RECTIFYING

    client.post(f"/cases/{case.pk}/measures/", {"description": "调整配强村班子",
                                                "owner": "店口镇党委", "due": "2026-12-31"})
    measure = CaseMeasure.objects.get(case=case)
    client.post(f"/cases/{case.pk}/measures/{measure.pk}/done/")
    assert CaseMeasure.objects.get(pk=measure.pk).done

    leader = world.users["zhuji"]
    from tests.villages.factories import PersonFactory
    person = PersonFactory(region=world.zhuji, name="结对领导")
    response = client.post(f"/cases/{case.pk}/pair/", {"kind": "leader",
                                                       "partner_person": person.pk,
                                                       "start": "2026-03-01"})
    assert response.status_code == 302
    pairing = Pairing.objects.get(village=village)
    client.post(f"/pairings/{pairing.pk}/visits/", {"date": "2026-11-10", "visitor": "结对领导",
                                                    "purpose": "督查整改"})
    assert Visit.objects.filter(pairing=pairing).count() == 1

    client.post(f"/cases/{case.pk}/ledger-items/", {
        "problem": "书记长期不在岗", "problem_type": problem("soft").pk,
        "responsible": "店口镇党委", "due": "2026-12-15"})
    item = LedgerItem.objects.get(case=case)

    # Not moved up while an item is still on the ledger.
    client.post(f"/cases/{case.pk}/outcome/", {"outcome": "moved_up"})
    assert status_of(case) == CaseStatus.RECTIFYING

    client.post(f"/ledger/{item.pk}/start/")
    response = client.post(f"/ledger/{item.pk}/strike-off/", {
        "resolution": "新书记到岗", "evidence": pdf_upload()})
    assert response.status_code == 302
    assert LedgerItem.objects.get(pk=item.pk).status == LedgerStatus.STRUCK_OFF

    # Nothing in the data shows it moved up yet: the county must say why it decides so.
    response = client.post(f"/cases/{case.pk}/outcome/", {"outcome": "moved_up"})
    assert status_of(case) == CaseStatus.RECTIFYING
    assert "override_reason" in response.context["outcome_form"].errors
    client.post(f"/cases/{case.pk}/outcome/", {"outcome": "moved_up",
                                                "override_reason": "县委组织部综合研判晋位"})
    assert status_of(case) == CaseStatus.MOVED_UP
    response = client.post(f"/cases/{case.pk}/close/", {"note": "晋位升级", "evidence":
                                                        pdf_upload("总结.pdf")})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "moved_up"
    assert case.closed_by == leader and case.closing_evidence.original_name == "总结.pdf"
    assert [h.status for h in case.history.order_by("history_date")] == [
        "opened", "opened", "rectifying", "moved_up", "closed"]

    dashboard = client.get("/").content.decode()
    assert 'href="/cases/?status=closed" data-figure="1">1<' in dashboard


def test_closing_without_outcome_is_refused_and_changes_nothing(world, work, login):
    case = work.cases["dk1"]
    response = login("zhuji").post(f"/cases/{case.pk}/close/", {"note": "结束",
                                                                "evidence": pdf_upload()})
    assert response.status_code == 400
    assert "outcome" in response.context["close_form"].errors
    case.refresh_from_db()
    assert case.status == CaseStatus.RECTIFYING and case.closed_at is None
    with pytest.raises(DomainError) as error:
        cases.close_case(actor=world.users["zhuji"], case=case, note="x", evidence=pdf_upload())
    assert error.value.field == "outcome"


def test_closing_needs_evidence(world, work):
    case = work.cases["dk1"]
    cases.record_outcome(actor=world.users["zhuji"], case=case, outcome="not_moved_up")
    with pytest.raises(DomainError) as error:
        cases.close_case(actor=world.users["zhuji"], case=case, note="未晋位", evidence=None)
    assert error.value.field == "evidence"
    assert status_of(case) == CaseStatus.NOT_MOVED_UP


def test_database_refuses_a_closed_case_without_outcome(world, work):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=work.cases["dk1"].pk).update(status=CaseStatus.CLOSED)


def test_one_case_per_village_and_campaign(world, work):
    campaign = CampaignFactory(region=world.zhuji)
    CaseFactory(village=world.fq2, campaign=campaign, opened_by=world.users["zhuji"])
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(village=world.fq2, campaign=campaign, opened_by=world.users["zhuji"])


def test_opening_a_second_open_case_is_refused(world, work):
    with pytest.raises(DomainError) as error:
        cases.open_case(actor=world.users["zhuji"], village=world.fq1,
                        source=CaseSource.GRADE)
    assert error.value.field == "village"


def test_opening_needs_the_village_to_be_a_target(world):
    with pytest.raises(DomainError) as error:
        cases.open_case(actor=world.users["zhuji"], village=world.fq2, source=CaseSource.GRADE)
    assert error.value.field == "source"
    assert not Case.objects.exists()


def test_township_official_opens_but_cannot_confirm(world):
    case = cases.open_case(actor=world.users["fengqiao"], village=world.fq1,
                           source=CaseSource.GRADE)
    with pytest.raises(NotAllowed):
        cases.confirm_case(actor=world.users["fengqiao"], case=case)
    cases.confirm_case(actor=world.users["zhuji"], case=case)
    with pytest.raises(DomainError):
        cases.confirm_case(actor=world.users["zhuji"], case=case)


def test_campaign_of_another_county_is_refused(world):
    campaign = CampaignFactory(region=world.shangyu)
    with pytest.raises(DomainError) as error:
        cases.open_case(actor=world.users["city"], village=world.fq1, source=CaseSource.GRADE,
                        campaign=campaign)
    assert error.value.field == "campaign"
