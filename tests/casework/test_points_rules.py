"""Points rules and the append-only ledger: versions, reversals, and last year's points staying
what they were when this year's rules change."""

from datetime import date, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from casework import points, points_posting, points_summary
from casework.models import Pairing, PointsEntry, PointsRule, Visit
from core.errors import Conflict, DomainError, NotAllowed
from core.periods import Month

TODAY = date(2026, 11, 20)


def visit(world, pairing, day):
    Visit.objects.create(village=pairing.village, pairing=pairing, date=day, visitor="领导",
                         purpose="走访", logged_by=world.users["zhuji"])


def year_rows(world, year):
    return list(points_summary.summarize(
        points_summary.entries_in(world.users["zhuji"], year=year)))


def visit_rule(world):
    points.ensure_default_rules()
    return PointsRule.objects.get(county=world.zhuji, code="visit_month",
                                  effective_until__isnull=True)


def test_every_county_starts_with_the_six_rules_of_today(world):
    assert points.ensure_default_rules() == 2  # 诸暨市 and 上虞市; a city has no rules
    assert points.ensure_default_rules() == 0
    rules = {(r.code, r.points) for r in points.rules_in_effect(world.zhuji, Month(2026, 11))}
    assert rules == {("visit_month", 1), ("ledger_on_time", 2), ("ledger_overdue", -1),
                     ("case_moved_up", 10), ("instructor_month_met", 1),
                     ("instructor_month_short", -2)}


def test_last_years_points_do_not_change_when_this_years_rules_do(world, work, time_machine):
    pairing = work.pairings["fq1"]
    Pairing.objects.filter(pk=pairing.pk).update(start=date(2025, 1, 1))
    for day in (date(2025, 11, 3), date(2025, 12, 8)):
        visit(world, pairing, day)
    points_posting.post_month(month=Month(2025, 11))
    points_posting.post_month(month=Month(2025, 12))
    before = year_rows(world, 2025)
    assert [(r["person"], r["total"]) for r in before] == [(pairing.partner_person_id, 2)]

    time_machine.move_to(datetime(2026, 1, 10, tzinfo=timezone.get_current_timezone()))
    new = points.change_rule(actor=world.users["zhuji"], rule=visit_rule(world),
                             label="每月走访", points=3, effective_from="2026-01")
    assert (new.version, new.points, new.effective_from) == (2, 3, date(2026, 1, 1))
    visit(world, pairing, date(2026, 1, 5))
    # Posting last year's months again (a retried task) changes nothing either.
    points_posting.post_month(month=Month(2025, 12))
    points_posting.post_month(month=Month(2026, 1))

    after = year_rows(world, 2025)
    assert after == before
    [row] = year_rows(world, 2026)
    assert row["total"] == 3 and row["visit_month"] == 3
    assert {(e.period, e.rule.version, e.points) for e in PointsEntry.objects.all()} == {
        ("2025-11", 1, 1), ("2025-12", 1, 1), ("2026-01", 2, 3)}
    old = PointsRule.objects.get(county=world.zhuji, code="visit_month", version=1)
    assert (old.version, old.points, old.effective_until) == (1, 1, date(2026, 1, 1))


def test_a_rule_change_cannot_reach_months_already_posted(world, work, time_machine):
    time_machine.move_to(datetime(2026, 11, 20, tzinfo=timezone.get_current_timezone()))
    visit(world, work.pairings["fq1"], date(2026, 11, 3))
    points_posting.post_month(month=Month(2026, 11))
    with pytest.raises(DomainError) as error:
        points.change_rule(actor=world.users["zhuji"], rule=visit_rule(world), label="走访",
                           points=2, effective_from="2026-11")
    assert error.value.field == "effective_from" and "2026-12" in str(error.value.message)
    assert PointsRule.objects.filter(code="visit_month", county=world.zhuji).count() == 1


@pytest.mark.parametrize(("value", "field"), [
    ("101", "points"), ("-101", "points"), ("1.5", "points"), ("一", "points"),
    ("1999-12", "effective_from"), ("2026-13", "effective_from"), ("2026-10", "effective_from"),
    ("2029-01", "effective_from"), ("2200-01", "effective_from"), ("", "effective_from"),
])
def test_bad_rule_input_is_refused_naming_the_field(world, value, field):
    rule = visit_rule(world)
    arguments = {"points": 2, "effective_from": "2026-12", field: value}
    with pytest.raises(DomainError) as error:
        points.change_rule(actor=world.users["zhuji"], rule=rule, label="走访", today=TODAY,
                           **arguments)
    assert error.value.field == field
    assert PointsRule.objects.filter(county=world.zhuji, code="visit_month").count() == 1


def test_an_unchanged_rule_or_an_empty_label_is_refused(world):
    rule = visit_rule(world)
    with pytest.raises(DomainError) as error:
        points.change_rule(actor=world.users["zhuji"], rule=rule, label=rule.label, points=1,
                           effective_from="2026-12", today=TODAY)
    assert error.value.field == "points" and "没有改动" in str(error.value.message)
    with pytest.raises(DomainError) as error:
        points.change_rule(actor=world.users["zhuji"], rule=rule, label="  ", points=1,
                           effective_from="2026-12", today=TODAY)
    assert error.value.field == "label"


def test_a_superseded_version_cannot_be_changed_again(world):
    rule = visit_rule(world)
    points.change_rule(actor=world.users["zhuji"], rule=rule, label="走访", points=2,
                       effective_from="2026-12", today=TODAY)
    with pytest.raises(Conflict):
        points.change_rule(actor=world.users["zhuji"], rule=rule, label="走访", points=4,
                           effective_from="2027-01", today=TODAY)


@pytest.mark.parametrize("username", ["fengqiao", "helper", "auditor", "api", "shangyu"])
def test_only_the_county_changes_its_rules(world, username):
    with pytest.raises(NotAllowed):
        points.change_rule(actor=world.users[username], rule=visit_rule(world), label="走访",
                           points=2, effective_from="2026-12", today=TODAY)


def test_a_rule_version_is_never_edited_or_deleted(world):
    rule = visit_rule(world)
    rule.points = 5
    with pytest.raises(NotAllowed):
        rule.save()
    with pytest.raises(NotAllowed):
        rule.delete()


def test_a_county_adds_a_rule_of_its_own_and_records_it_by_hand(world, work):
    rule = points.add_rule(actor=world.users["zhuji"], county=world.zhuji, code="commendation",
                           label="获县级表彰", points=5, effective_from="2026-11", today=TODAY)
    leader = work.pairings["fq1"].partner_person
    entry = points.record_entry(actor=world.users["zhuji"], rule=rule, person=leader,
                                village=world.fq1, period="2026-11", reason="县委表彰",
                                today=TODAY)
    assert (entry.points, entry.recorded_by, entry.code) == (5, world.users["zhuji"],
                                                             "commendation")
    with pytest.raises(DomainError) as error:
        points.record_entry(actor=world.users["zhuji"], rule=rule, person=leader,
                            village=world.fq1, period="2026-10", reason="早于规则", today=TODAY)
    assert error.value.field == "period"
    with pytest.raises(DomainError) as error:
        points.add_rule(actor=world.users["zhuji"], county=world.zhuji, code="visit_month",
                        label="x", points=1, effective_from="2026-12", today=TODAY)
    assert error.value.field == "code"


# --- The ledger is append-only ------------------------------------------------------------------


@pytest.fixture
def entry(world, work):
    visit(world, work.pairings["fq1"], date(2026, 11, 3))
    points_posting.post_month(month=Month(2026, 11))
    return PointsEntry.objects.get()


def test_a_points_entry_edit_or_delete_is_refused(entry):
    entry.points = 100
    with pytest.raises(NotAllowed):
        entry.save()
    with pytest.raises(NotAllowed):
        entry.delete()
    with pytest.raises(NotAllowed):
        PointsEntry.objects.filter(pk=entry.pk).update(points=100)
    with pytest.raises(NotAllowed):
        PointsEntry.objects.all().delete()
    assert PointsEntry.objects.get().points == 1


@pytest.mark.parametrize("statement", [
    "UPDATE casework_pointsentry SET points = 100",
    "DELETE FROM casework_pointsentry",
])
def test_postgresql_refuses_updating_or_deleting_an_entry(require_postgres, entry, statement):
    with pytest.raises(IntegrityError, match="never changed or deleted"), \
            transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert PointsEntry.objects.get().points == 1


def test_a_correction_is_a_reversing_entry_once_with_a_reason(world, entry):
    with pytest.raises(DomainError) as error:
        points.reverse_entry(actor=world.users["zhuji"], entry=entry, reason=" ")
    assert error.value.field == "reason"
    reversal = points.reverse_entry(actor=world.users["zhuji"], entry=entry,
                                    reason="走访记录重复登记")
    assert (reversal.points, reversal.reverses, reversal.period, reversal.pairing) == (
        -1, entry, entry.period, entry.pairing)
    with pytest.raises(Conflict):
        points.reverse_entry(actor=world.users["zhuji"], entry=entry, reason="再次")
    [row] = year_rows(world, 2026)
    assert (row["total"], row["entries"], row["corrections"]) == (0, 2, 1)
    # The reversed source is not posted again by a later run.
    points_posting.post_month(month=Month(2026, 11))
    assert PointsEntry.objects.count() == 2


def test_the_database_refuses_a_second_reversal_and_a_reversal_without_reason(world, entry):
    first = points.reverse_entry(actor=world.users["zhuji"], entry=entry, reason="更正")
    fields = {"person_id": entry.person_id, "rule_id": entry.rule_id, "code": entry.code,
              "village_id": entry.village_id, "period": entry.period, "points": -1,
              "recorded_by": world.users["zhuji"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(reverses=entry, reason="又一次", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(reverses=first, reason="", **fields)


@pytest.mark.parametrize("username", ["fengqiao", "helper", "auditor", "shangyu"])
def test_only_the_county_reverses_an_entry(world, entry, username):
    with pytest.raises(NotAllowed):
        points.reverse_entry(actor=world.users[username], entry=entry, reason="更正")
    assert PointsEntry.objects.count() == 1
