from datetime import date

import pytest
from django.core import mail

from core.periods import HalfMonth
from earlywarning.models.ratings import Notification
from earlywarning.reminders import due_reminders
from earlywarning.tasks import send_rating_reminders
from tests.earlywarning.factories import rate


def test_reminders_fall_on_the_1st_the_16th_and_two_days_before_each_deadline():
    # 2026-11-H1 ends on the 15th with its deadline on the 18th: "two days before" is the 16th
    # too, so one reminder covers both.
    assert due_reminders(date(2026, 11, 16)) == [(HalfMonth(2026, 11, 1), "ended")]
    assert due_reminders(date(2026, 12, 1)) == [(HalfMonth(2026, 11, 2), "ended")]
    assert due_reminders(date(2026, 11, 10)) == []


def test_a_longer_deadline_moves_the_second_reminder(settings):
    settings.RATING_DEADLINE_DAYS = 5
    assert due_reminders(date(2026, 11, 18)) == [(HalfMonth(2026, 11, 1), "deadline")]


@pytest.mark.frozen_at("2026-11-17 09:00 +08:00")
def test_only_officials_with_missing_ratings_are_reminded_once(world, frozen, settings):
    world.users["fengqiao"].email = "fq@example.org"
    world.users["fengqiao"].save()
    rate(world.users["diankou"], world.dk1, "green", period=HalfMonth(2026, 11, 1))

    sent = send_rating_reminders.apply(args=["2026-11-16"]).get()
    again = send_rating_reminders.apply(args=["2026-11-16"]).get()

    assert sent == 1 and again == 0   # 枫桥镇 only: 店口镇 has rated
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"fengqiao"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["fq@example.org"]
    assert "枫桥镇" in mail.outbox[0].body


@pytest.mark.usefixtures("frozen")
def test_notifications_page_lists_and_marks_read(world):
    from django.test import Client

    Notification.objects.create(user=world.users["fengqiao"], key="k", message="请评定",
                                link="/ratings/")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(world.users["fengqiao"])
    assert "请评定" in client.get("/notifications/").content.decode()
    client.post("/notifications/")
    assert Notification.objects.get().read_at is not None
