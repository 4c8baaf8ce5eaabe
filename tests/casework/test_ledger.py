"""The 挂牌销号 ledger: strike-off rules, evidence limits, never deleted, overdue flags."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from casework import ledger
from casework.models import EvidenceFile, LedgerItem, LedgerStatus
from casework.tasks import flag_overdue_ledger_items
from core.errors import DomainError, NotAllowed
from tests.casework.factories import (
    LedgerItemFactory,
    big_pdf_upload,
    exe_upload,
    pdf_upload,
    problem,
    renamed_exe_upload,
)


def snapshot(item):
    return LedgerItem.objects.filter(pk=item.pk).values(
        "status", "resolution", "evidence", "verified_by", "struck_off_at").get()


def test_township_official_strikes_off_own_item_with_evidence(world, work, evidence_root):
    item = work.items["fq1"]
    ledger.strike_off(actor=world.users["fengqiao"], item=item, resolution="已公开三务",
                      evidence=pdf_upload())
    item.refresh_from_db()
    assert item.status == LedgerStatus.STRUCK_OFF
    assert item.verified_by == world.users["fengqiao"]
    assert item.evidence.original_name == "验收材料.pdf"
    stored = evidence_root / item.evidence.file.name
    assert stored.read_bytes().startswith(b"%PDF")
    # The stored name is the content hash, never the uploader's file name.
    assert "验收材料" not in item.evidence.file.name
    assert item.history.first().status == LedgerStatus.STRUCK_OFF
    assert item.history.first().history_user == world.users["fengqiao"]


@pytest.mark.parametrize("upload, field", [
    (None, "evidence"),
    (exe_upload(), "evidence"),
    (renamed_exe_upload(), "evidence"),
])
def test_strike_off_refuses_missing_or_forbidden_evidence_and_changes_nothing(
        world, work, upload, field):
    item = work.items["fq1"]
    before = snapshot(item)
    with pytest.raises(DomainError) as error:
        ledger.strike_off(actor=world.users["fengqiao"], item=item, resolution="已整改",
                          evidence=upload)
    assert error.value.field == field
    assert snapshot(item) == before
    assert not EvidenceFile.objects.exists()


def test_strike_off_refuses_evidence_over_the_size_limit(world, work, settings):
    settings.RECTIFY_EVIDENCE_MAX_BYTES = 1024
    item = work.items["fq1"]
    with pytest.raises(DomainError, match="1 KB") as error:
        ledger.strike_off(actor=world.users["fengqiao"], item=item, resolution="已整改",
                          evidence=big_pdf_upload(2048))
    assert error.value.field == "evidence"
    assert snapshot(item)["status"] == LedgerStatus.LISTED
    assert not EvidenceFile.objects.exists()


def test_strike_off_needs_a_resolution_note(world, work):
    item = work.items["fq1"]
    with pytest.raises(DomainError) as error:
        ledger.strike_off(actor=world.users["fengqiao"], item=item, resolution="  ",
                          evidence=pdf_upload())
    assert error.value.field == "resolution"
    assert snapshot(item)["status"] == LedgerStatus.LISTED


def test_other_township_cannot_strike_off(world, work):
    item = work.items["dk1"]
    with pytest.raises(NotAllowed):
        ledger.strike_off(actor=world.users["fengqiao"], item=item, resolution="x",
                          evidence=pdf_upload())
    assert snapshot(item)["status"] == LedgerStatus.LISTED


def test_striking_off_twice_is_refused(world, work):
    item = work.items["fq1"]
    ledger.strike_off(actor=world.users["zhuji"], item=item, resolution="ok",
                      evidence=pdf_upload())
    with pytest.raises(DomainError) as error:
        ledger.strike_off(actor=world.users["zhuji"], item=item, resolution="again",
                          evidence=pdf_upload())
    assert error.value.field == "status"
    assert EvidenceFile.objects.count() == 1


def test_database_refuses_struck_off_item_without_proof(world, work):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerItem.objects.filter(pk=work.items["fq1"].pk).update(
            status=LedgerStatus.STRUCK_OFF, resolution="x")


def test_database_refuses_deleting_an_item_with_a_case(world, work):
    # PROTECT: the case cannot vanish from under its ledger.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        work.cases["fq1"].delete()


def test_listing_numbers_items_per_village(world, work):
    item = ledger.list_item(actor=world.users["fengqiao"], village=world.fq1,
                            problem="后备干部不足", problem_type=problem("no_successors"),
                            responsible="书记", due=date(2026, 12, 1), case=work.cases["fq1"])
    assert item.number == 2
    assert item.status == LedgerStatus.LISTED


def test_helper_starts_item_only_in_assigned_village(world, work):
    ledger.start_item(actor=world.users["helper"], item=work.items["fq1"])
    assert snapshot(work.items["fq1"])["status"] == LedgerStatus.IN_PROGRESS
    other = LedgerItemFactory(village=world.fq2, listed_by=world.users["zhuji"], number=1)
    with pytest.raises(NotAllowed):
        ledger.start_item(actor=world.users["helper"], item=other)
    assert snapshot(other)["status"] == LedgerStatus.LISTED


def test_helper_cannot_strike_off(world, work):
    with pytest.raises(NotAllowed):
        ledger.strike_off(actor=world.users["helper"], item=work.items["fq1"],
                          resolution="ok", evidence=pdf_upload())


@pytest.mark.frozen_at(date(2027, 1, 5))
def test_overdue_task_flags_open_items_and_is_idempotent(world, work, frozen):
    done = work.items["dk1"]
    ledger.strike_off(actor=world.users["zhuji"], item=done, resolution="ok",
                      evidence=pdf_upload())
    assert flag_overdue_ledger_items() == {"flagged": 2, "cleared": 0}
    assert flag_overdue_ledger_items() == {"flagged": 0, "cleared": 0}
    flagged = set(LedgerItem.objects.filter(overdue=True).values_list("village__code",
                                                                      flat=True))
    assert flagged == {world.fq1.code, world.bg1.code}


@pytest.mark.frozen_at(date(2027, 1, 5))
def test_striking_off_an_overdue_item_clears_the_flag(world, work, frozen):
    ledger.flag_overdue()
    ledger.strike_off(actor=world.users["zhuji"], item=work.items["fq1"], resolution="ok",
                      evidence=pdf_upload())
    assert snapshot(work.items["fq1"])["status"] == LedgerStatus.STRUCK_OFF
    assert not LedgerItem.objects.get(pk=work.items["fq1"].pk).overdue
