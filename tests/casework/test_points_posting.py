"""The monthly posting of derived points: who earns what, set-based and idempotent."""

from datetime import date, datetime

from django.utils import timezone

from casework import points_posting
from casework.evidence import store_bytes
from casework.models import (
    Case,
    InstructorDays,
    LedgerItem,
    Pairing,
    PairingKind,
    PointsEntry,
    Visit,
)
from casework.tasks import post_monthly_points
from core.periods import Month
from tests.casework.factories import LedgerItemFactory
from tests.villages.factories import PersonFactory

NOV = Month(2026, 11)


def at(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def visit(world, pairing, day):
    return Visit.objects.create(village=pairing.village, pairing=pairing, date=day,
                                visitor="领导", purpose="走访", logged_by=world.users["zhuji"])


def strike(item, day):
    """Strike ``item`` off on ``day`` (the domain function would date it today)."""
    stored = store_bytes(content=b"%PDF-1.4\n%%EOF\n", name="e.pdf", ext="pdf",
                         content_type="application/pdf", village=item.village,
                         actor=item.listed_by)
    LedgerItem.objects.filter(pk=item.pk).update(
        status="struck_off", resolution="已解决", verified_by=item.listed_by, evidence=stored,
        struck_off_at=at(day), started_at=at(day))


def entries(code):
    return {(e.person_id, e.village_id, e.period, e.points)
            for e in PointsEntry.objects.filter(code=code)}


def test_a_month_with_visits_earns_each_paired_cadre_one_entry(world, work):
    pairing = work.pairings["fq1"]
    visit(world, pairing, date(2026, 11, 3))
    visit(world, pairing, date(2026, 11, 20))
    visit(world, work.pairings["dk1"], date(2026, 10, 31))  # October: not this month
    posted = points_posting.post_month(month=NOV)
    assert posted["visit_month"] == 1
    entry = PointsEntry.objects.get(code="visit_month")
    assert (entry.person, entry.village, entry.period, entry.points, entry.pairing) == (
        pairing.partner_person, world.fq1, "2026-11", 1, pairing)
    assert entry.recorded_by is None and entry.rule.version == 1 and entry.reason == ""


def test_ledger_items_struck_off_on_time_and_overdue_count_for_every_cadre(world, work):
    instructor = PersonFactory(region=world.fengqiao, name="指导员")
    Pairing.objects.create(kind=PairingKind.INSTRUCTOR, village=world.fq1,
                           partner_person=instructor, start=date(2026, 1, 1))
    # A pairing that ended before November earns nothing in November.
    gone = PersonFactory(region=world.fengqiao, name="已调离")
    Pairing.objects.create(kind=PairingKind.LEADER, village=world.fq1, partner_person=gone,
                           start=date(2026, 1, 1), end=date(2026, 10, 31))
    staff = world.users["zhuji"]
    on_time = LedgerItemFactory(village=world.fq1, listed_by=staff, number=2,
                                due=date(2026, 11, 30))
    late = LedgerItemFactory(village=world.fq1, listed_by=staff, number=3,
                             due=date(2026, 11, 10))
    open_past_due = LedgerItemFactory(village=world.fq1, listed_by=staff, number=4,
                                      due=date(2026, 11, 15))
    LedgerItemFactory(village=world.fq1, listed_by=staff, number=5, due=date(2026, 12, 15))
    strike(on_time, date(2026, 11, 20))
    strike(late, date(2026, 11, 12))
    points_posting.post_month(month=NOV)
    leader = work.pairings["fq1"].partner_person
    assert {(e.person, e.ledger_item) for e in PointsEntry.objects.filter(
        code="ledger_on_time")} == {(leader, on_time), (instructor, on_time)}
    assert {(e.person, e.ledger_item, e.points) for e in PointsEntry.objects.filter(
        code="ledger_overdue")} == {(p, item, -1) for p in (leader, instructor)
                                    for item in (late, open_past_due)}


def test_a_case_moved_up_in_the_month_earns_its_cadres_ten(world, work):
    Case.objects.filter(pk=work.cases["dk1"].pk).update(
        status="moved_up", outcome="moved_up", outcome_override_reason="县委研判晋位",
        outcome_at=at(date(2026, 11, 5)))
    Case.objects.filter(pk=work.cases["fq1"].pk).update(
        status="moved_up", outcome="moved_up", outcome_override_reason="县委研判晋位",
        outcome_at=at(date(2026, 10, 5)))
    points_posting.post_month(month=NOV)
    assert entries("case_moved_up") == {
        (work.pairings["dk1"].partner_person_id, world.dk1.pk, "2026-11", 10)}


def test_instructor_days_earn_or_lose_points_against_twenty(world, work):
    met, short = (PersonFactory(region=world.fengqiao) for _n in range(2))
    InstructorDays.objects.create(person=met, village=world.fq1, month="2026-11", days=20)
    InstructorDays.objects.create(person=short, village=world.fq2, month="2026-11", days=19)
    InstructorDays.objects.create(person=short, village=world.fq2, month="2026-10", days=5)
    points_posting.post_month(month=NOV)
    assert entries("instructor_month_met") == {(met.pk, world.fq1.pk, "2026-11", 1)}
    assert entries("instructor_month_short") == {(short.pk, world.fq2.pk, "2026-11", -2)}


def test_posting_again_adds_nothing_in_a_fixed_number_of_statements(
        world, work, django_assert_max_num_queries):
    for key in ("fq1", "dk1", "bg1"):
        visit(world, work.pairings[key], date(2026, 11, 3))
    points_posting.post_month(month=NOV)
    for key in ("fq1", "dk1", "bg1"):
        visit(world, work.pairings[key], date(2026, 11, 4))
    with django_assert_max_num_queries(10):
        again = points_posting.post_month(month=NOV)
    assert sum(again.values()) == 0
    assert PointsEntry.objects.count() == 3


def test_the_task_posts_the_month_just_ended(world, work, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 2, 0, tzinfo=timezone.get_current_timezone()))
    visit(world, work.pairings["fq1"], date(2026, 11, 3))
    result = post_monthly_points()
    assert result["month"] == "2026-11" and result["visit_month"] == 1


def test_the_task_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["casework-monthly-points"]
    assert entry["task"] == "casework.tasks.post_monthly_points"
