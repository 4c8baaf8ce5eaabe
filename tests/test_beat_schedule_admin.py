from django.test import Client


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_admin_shows_the_beat_schedule_with_next_runs(world, frozen):
    page = signed_in(world.users["zhuji"]).get("/admin/schedule/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "earlywarning.tasks.build_monthly_bulletins" in text
    assert "2026-12-01 06:00" in text          # the 1st of next month at 06:00, Asia/Shanghai
    assert "earlywarning.tasks.send_rating_reminders" in text
    assert "2026-11-21 08:00" in text
    assert "/admin/schedule/" in signed_in(world.users["zhuji"]).get("/admin/").content.decode()


def test_schedule_page_is_for_admin_users_only(world):
    assert signed_in(world.users["fengqiao"]).get("/admin/schedule/").status_code == 302
    assert Client().get("/admin/schedule/").status_code == 302
