"""Mergers, splits and township mergers through the one top-layer function: the register, the
carried-over work, the reads, and every refusal leaving nothing changed."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from casework.models import CarriedWork, Case, LedgerItem, Pairing, PairingKind
from core.errors import DomainError, NotAllowed
from rectify import lineage
from tests.casework.factories import CaseFactory, LedgerItemFactory
from tests.villages.factories import PersonFactory, PostAssignmentFactory, make_village
from villages import lineage as villages_lineage
from villages.lineage import NewVillage
from villages.models import LineageEvent, LineageLink, Post, PostAssignment, Village

TODAY = date(2026, 11, 20)
DAY = date(2026, 11, 1)


def merge(world, predecessors, successor=None, *, new=(), user="zhuji", **extra):
    return lineage.make_event(
        actor=world.users[user], kind="merger", effective_date=DAY, today=TODAY,
        document_number="诸委〔2026〕8号", reason="村规模调整",
        predecessors=predecessors, successors=[successor] if successor else [],
        new_villages=new, **extra)


def split(world, village, *, successors=(), new=(), user="zhuji", **extra):
    return lineage.make_event(
        actor=world.users[user], kind="split", effective_date=DAY, today=TODAY,
        document_number="诸委〔2026〕9号", reason="区划调整", predecessors=[village],
        successors=list(successors), new_villages=new, **extra)


def fresh(village):
    return Village.objects.get(pk=village.pk)


def test_a_merger_into_one_of_the_villages_retires_the_other(world):
    event = merge(world, [world.fq1, world.fq2], world.fq2)
    assert (event.kind, event.county, event.carried_to) == ("merger", world.zhuji, world.fq2)
    fq1 = fresh(world.fq1)
    assert (fq1.is_active, fq1.merged_into) == (False, world.fq2)
    assert fresh(world.fq2).is_active
    assert set(LineageLink.objects.filter(event=event).values_list("village", "role", "retired")
               ) == {(world.fq1.code, "predecessor", True), (world.fq2.code, "predecessor", False),
                     (world.fq2.code, "successor", False)}
    assert fq1.history.first().history_change_reason == str(event)
    assert list(villages_lineage.predecessors(world.fq2)) == [world.fq1]
    assert list(villages_lineage.successors(world.fq1)) == [world.fq2]


def test_a_merger_into_a_new_village_creates_it_and_retires_both(world):
    event = merge(world, [world.fq1, world.fq2],
                  new=[NewVillage("330681108301", "枫栎村", world.fengqiao)])
    new = Village.objects.get(code="330681108301")
    assert event.carried_to == new and new.is_active and new.township == world.fengqiao
    assert {(v.pk, v.merged_into_id) for v in (fresh(world.fq1), fresh(world.fq2))} == {
        (world.fq1.pk, new.pk), (world.fq2.pk, new.pk)}
    assert LineageLink.objects.get(village=new).created


def test_a_split_retires_the_village_and_names_where_its_work_goes(world):
    event = split(world, world.dk1, new=[NewVillage("330681105301", "湖西一村", world.diankou),
                                         NewVillage("330681105302", "湖西二村", world.diankou)],
                  carried_to="330681105302")
    dk1 = fresh(world.dk1)
    assert (dk1.is_active, dk1.merged_into) == (False, None)
    assert event.carried_to.code == "330681105302"
    assert {v.code for v in villages_lineage.successors(world.dk1)} == {
        "330681105301", "330681105302"}


def test_predecessors_and_successors_are_transitive_in_one_statement(
        world, django_assert_num_queries):
    merge(world, [world.fq1, world.fq2], world.fq2)
    split(world, world.fq2, new=[NewVillage("330681108401", "枫北村", world.fengqiao),
                                 NewVillage("330681108402", "枫南村", world.fengqiao)])
    north = Village.objects.get(code="330681108401")
    with django_assert_num_queries(1):
        assert {v.pk for v in villages_lineage.predecessors(north)} == {world.fq1.pk,
                                                                        world.fq2.pk}
    with django_assert_num_queries(1):
        assert {v.code for v in villages_lineage.successors(world.fq1)} == {
            world.fq2.code, "330681108401", "330681108402"}


def test_a_village_that_stays_in_its_own_split_is_not_retired(world):
    split(world, world.dk2, successors=[world.dk2],
          new=[NewVillage("330681105303", "紫草坞新村", world.diankou)])
    assert fresh(world.dk2).is_active
    assert list(villages_lineage.predecessors(world.dk2)) == []
    assert [v.code for v in villages_lineage.successors(world.dk2)] == ["330681105303"]


def test_people_in_post_in_a_retired_village_leave_on_the_effective_date(world):
    post = PostAssignmentFactory(village=world.fq1, post=Post.SECRETARY, start=date(2020, 1, 1))
    merge(world, [world.fq1, world.fq2], world.fq2)
    post = PostAssignment.objects.get(pk=post.pk)
    assert post.end == DAY and "诸委〔2026〕8号" in post.end_reason


# --- Refusals: clear errors, nothing changed ----------------------------------------------------


def nothing_changed(world):
    assert LineageEvent.objects.count() == 0 and LineageLink.objects.count() == 0
    assert all(v.is_active for v in Village.objects.all())
    assert not Village.objects.filter(code__startswith="3306811083").exists()


@pytest.mark.parametrize(("call", "field"), [
    (lambda w: merge(w, [w.fq1, w.bg1], w.fq1), "predecessors"),  # two counties
    (lambda w: merge(w, [w.fq1], w.fq1), "successors"),  # into itself
    (lambda w: merge(w, [w.fq1, w.fq1], w.fq1), "successors"),
    (lambda w: merge(w, [w.fq1]), "predecessors"),
    (lambda w: merge(w, [w.fq1, w.fq2]), "successors"),  # no successor
    (lambda w: merge(w, [w.fq1, w.fq2], w.dk1), "successors"),  # a bystander
    (lambda w: merge(w, [w.fq1, w.fq2], w.fq2,
                     new=[NewVillage("330681108301", "x", w.fengqiao)]), "successors"),
    (lambda w: split(w, w.fq1), "successors"),  # no successor
    (lambda w: split(w, w.fq1, new=[NewVillage("330681108301", "x", w.fengqiao)]),
     "successors"),
    (lambda w: split(w, w.fq1, new=[NewVillage("330681108301", "一", w.fengqiao),
                                    NewVillage("330682001301", "二", w.baiguan)]),
     "predecessors"),  # a successor in another county
    (lambda w: split(w, w.fq1, new=[NewVillage("3306811083", "一", w.fengqiao),
                                    NewVillage("330681108302", "二", w.fengqiao)]),
     "new_villages"),
    (lambda w: split(w, w.fq1, new=[NewVillage(w.dk1.code, "一", w.fengqiao),
                                    NewVillage("330681108302", "二", w.fengqiao)]),
     "new_villages"),
    (lambda w: split(w, w.fq1, new=[NewVillage("330681108301", "一", w.fengqiao),
                                    NewVillage("330681108301", "二", w.fengqiao)]),
     "new_villages"),
    (lambda w: split(w, w.fq1, new=[NewVillage("330681108301", "一", w.fengqiao),
                                    NewVillage("330681108302", "二", w.fengqiao)],
                     carried_to=w.dk1.code), "carried_to"),
])
def test_bad_events_are_refused_and_change_nothing(world, call, field):
    with pytest.raises(DomainError) as error:
        call(world)
    assert error.value.field == field and str(error.value.message)
    nothing_changed(world)


@pytest.mark.parametrize(("changes", "field"), [
    ({"document_number": " "}, "document_number"), ({"reason": ""}, "reason"),
    ({"effective_date": date(2026, 12, 1)}, "effective_date"),
    ({"effective_date": date(1990, 1, 1)}, "effective_date"),
    ({"effective_date": None}, "effective_date"), ({"kind": "annexation"}, "kind"),
])
def test_an_event_needs_a_document_a_reason_and_a_sensible_date(world, changes, field):
    arguments = {"actor": world.users["zhuji"], "kind": "merger", "effective_date": DAY,
                 "today": TODAY, "document_number": "诸委〔2026〕8号", "reason": "调整",
                 "predecessors": [world.fq1, world.fq2], "successors": [world.fq2], **changes}
    with pytest.raises(DomainError) as error:
        lineage.make_event(**arguments)
    assert error.value.field == field
    nothing_changed(world)


def test_a_retired_village_takes_no_further_part(world):
    merge(world, [world.fq1, world.fq2], world.fq2)
    with pytest.raises(DomainError, match="已撤销") as error:
        merge(world, [world.fq2, world.fq1], world.fq2)
    assert error.value.field == "predecessors"
    with pytest.raises(DomainError, match="已撤销") as error:
        split(world, world.fq2, successors=[world.fq1],
              new=[NewVillage("330681108301", "一", world.fengqiao)])
    assert error.value.field == "successors"
    assert LineageEvent.objects.count() == 1


@pytest.mark.parametrize("username", ["fengqiao", "helper", "auditor", "api", "shangyu"])
def test_only_the_county_over_every_village_makes_an_event(world, username):
    with pytest.raises(NotAllowed):
        merge(world, [world.fq1, world.fq2], world.fq2, user=username)
    nothing_changed(world)


def test_city_staff_may_make_an_event_in_any_county_below_them(world):
    assert merge(world, [world.bg1, world.bg2], world.bg2, user="city").county == world.shangyu


# --- Codes are never reused ---------------------------------------------------------------------


def test_a_new_village_cannot_take_a_retired_code(world):
    merge(world, [world.fq1, world.fq2], world.fq2)
    with pytest.raises(DomainError, match="永不再用"):
        split(world, world.fq2, new=[NewVillage(world.fq1.code, "枫源新村", world.fengqiao),
                                     NewVillage("330681108302", "二", world.fengqiao)])
    with pytest.raises(IntegrityError), transaction.atomic():
        make_village(world.fengqiao, code=world.fq1.code, name="枫源新村")


def test_the_database_refuses_changing_the_code_of_a_village_in_an_event(world):
    merge(world, [world.fq1, world.fq2], world.fq2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Village.objects.filter(pk=world.fq1.pk).update(code="330681108999")
        # Foreign keys are checked at commit; ask now, inside the savepoint.
        connection.check_constraints()
    assert fresh(world.fq1).code == "330681108201"


# --- Township mergers (撤乡并镇) -----------------------------------------------------------------


def test_a_township_merger_moves_the_active_villages_and_keeps_the_county(world):
    merge(world, [world.dk1, world.dk2], world.dk2)  # dk1 retires and stays in 店口镇
    event = lineage.make_event(
        actor=world.users["zhuji"], kind="township_merger", effective_date=DAY, today=TODAY,
        document_number="诸政〔2026〕3号", reason="撤乡并镇", from_township=world.diankou,
        to_township=world.fengqiao)
    assert fresh(world.dk2).township == world.fengqiao
    assert fresh(world.dk1).township == world.diankou
    assert list(LineageLink.objects.filter(event=event).values_list("village", "role")) == [
        (world.dk2.code, "moved")]
    assert fresh(world.dk2).history.first().township_id == world.fengqiao.pk


@pytest.mark.parametrize(("townships", "field"), [
    (("diankou", "baiguan"), "to_township"), (("diankou", "diankou"), "to_township"),
    (("diankou", "zhuji"), "to_township"), ((None, "fengqiao"), "from_township")])
def test_bad_township_mergers_are_refused(world, townships, field):
    source, target = (getattr(world, t) if t else None for t in townships)
    with pytest.raises(DomainError) as error:
        lineage.make_event(actor=world.users["zhuji"], kind="township_merger",
                           effective_date=DAY, today=TODAY, document_number="文号",
                           reason="撤乡并镇", from_township=source, to_township=target)
    assert error.value.field == field
    nothing_changed(world)


# --- Carrying the work over ---------------------------------------------------------------------


def test_open_work_moves_to_the_successor_with_a_record(world, work):
    staff = world.users["zhuji"]
    own = CaseFactory(village=world.fq2, opened_by=staff, confirmed_by=staff)
    LedgerItemFactory(village=world.fq2, listed_by=staff, number=1)
    LedgerItemFactory(village=world.fq2, listed_by=staff, number=2)
    partner = Pairing.objects.create(kind=PairingKind.STRONG_VILLAGE, village=world.fq1,
                                     partner_village=world.fq2, start=date(2026, 3, 1))
    event = merge(world, [world.fq1, world.fq2], world.fq2)
    case = Case.objects.get(pk=work.cases["fq1"].pk)
    assert (case.village, case.carried_from) == (world.fq2, world.fq1)
    assert Case.objects.get(pk=own.pk).carried_from is None
    item = LedgerItem.objects.get(pk=work.items["fq1"].pk)
    assert (item.village, item.number) == (world.fq2, 3)
    assert Pairing.objects.get(pk=work.pairings["fq1"].pk).village == world.fq2
    assert Pairing.objects.get(pk=partner.pk).end == DAY  # fq2 ↔ fq2 makes no sense
    records = {(r.case_id, r.ledger_item_id, r.pairing_id, r.old_number, r.ended)
               for r in CarriedWork.objects.filter(event=event)}
    assert records == {(case.pk, None, None, None, False), (None, item.pk, None, 1, False),
                       (None, None, work.pairings["fq1"].pk, None, False),
                       (None, None, partner.pk, None, True)}
    assert item.history.first().history_change_reason.startswith("随村撤并转入")


def test_closed_and_finished_work_stays_with_the_retired_village(world, work):
    staff = world.users["zhuji"]
    Case.objects.filter(pk=work.cases["dk1"].pk).update(status="rectifying")
    ended = Pairing.objects.create(kind=PairingKind.LEADER, village=world.dk1,
                                   partner_person=PersonFactory(region=world.zhuji),
                                   start=date(2025, 1, 1), end=date(2025, 12, 31))
    done = LedgerItemFactory(village=world.dk1, listed_by=staff, number=2, status="in_progress",
                             started_at=work.items["dk1"].listed_at)
    merge(world, [world.dk1, world.dk2], world.dk2)
    assert Pairing.objects.get(pk=ended.pk).village == world.dk1
    assert LedgerItem.objects.get(pk=done.pk).village == world.dk2
    assert CarriedWork.objects.filter(pairing=ended).count() == 0


def test_carrying_over_again_moves_nothing_more(world, work):
    from casework import lineage as casework_lineage

    event = merge(world, [world.fq1, world.fq2], world.fq2)
    count = CarriedWork.objects.count()
    assert casework_lineage.carry_over(event=event, actor=world.users["zhuji"]) == []
    assert CarriedWork.objects.count() == count


def test_the_village_page_context_shows_the_chain_in_few_statements(
        world, work, django_assert_max_num_queries):
    merge(world, [world.fq1, world.fq2], world.fq2)
    with django_assert_max_num_queries(8):
        context = lineage.village_lineage(world.users["fengqiao"], fresh(world.fq2))
        assert [v.pk for v in context["predecessors"]] == [world.fq1.pk]
        [event] = context["events"]
        assert [v.pk for v in event.sides["predecessor"]] == [world.fq1.pk, world.fq2.pk]
        assert len(context["carried"]) == 3
    assert not context["can_make"]
    assert lineage.village_lineage(world.users["zhuji"], fresh(world.fq2))["can_make"]
