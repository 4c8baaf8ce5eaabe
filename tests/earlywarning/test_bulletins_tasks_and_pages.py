import pytest
from django.test import Client
from kombu.exceptions import OperationalError

from earlywarning import bulletins, tasks
from earlywarning.models.bulletins import Bulletin
from earlywarning.views import bulletins as views
from tests.earlywarning.factories import OCTOBER, rate_september_and_october

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def rated(world):
    rate_september_and_october(world)
    return world


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_monthly_job_queues_one_task_per_county_and_city(rated, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.build_region_bulletin, "delay",
                        lambda region_id, month: queued.append((region_id, month)))
    assert tasks.build_monthly_bulletins() == 3
    assert sorted(queued) == sorted(
        (r.pk, "2026-10") for r in (rated.city, rated.zhuji, rated.shangyu))


def test_region_task_is_idempotent_and_leaves_published_months_alone(rated, settings):
    settings.BULLETIN_AUTO_PUBLISH = False
    assert tasks.build_region_bulletin.apply(args=(rated.zhuji.pk, "2026-10")).get() == "draft"
    assert tasks.build_region_bulletin.apply(args=(rated.zhuji.pk, "2026-10")).get() == "draft"
    assert Bulletin.objects.filter(region=rated.zhuji).count() == 1
    bulletins.publish(actor=None, bulletin=Bulletin.objects.get(region=rated.zhuji))
    assert tasks.build_region_bulletin.apply(args=(rated.zhuji.pk, "2026-10")).get() == \
        "published"
    assert Bulletin.objects.filter(region=rated.zhuji).count() == 1


def test_auto_publish_setting_publishes_what_the_task_builds(rated, settings):
    settings.BULLETIN_AUTO_PUBLISH = True
    tasks.build_region_bulletin.apply(args=(rated.shangyu.pk, "2026-10")).get()
    assert Bulletin.objects.get(region=rated.shangyu).status == "published"


def test_beat_runs_the_monthly_job_on_the_first_at_six(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["earlywarning-monthly-bulletins"]
    assert entry["task"] == "earlywarning.tasks.build_monthly_bulletins"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {6}, {0})


def test_detail_page_is_an_official_notice_with_chinese_title(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    page = signed_in(rated.users["zhuji"]).get(f"/bulletins/{draft.pk}/",
                                               HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "枫源村" in page.content.decode()
    assert b"/publish/" in page.content


def test_township_official_reads_published_county_bulletin_without_buttons(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    client = signed_in(rated.users["fengqiao"])
    assert client.get(f"/bulletins/{draft.pk}/").status_code == 404
    bulletins.publish(actor=None, bulletin=draft)
    page = client.get(f"/bulletins/{draft.pk}/")
    assert page.status_code == 200
    assert b"/publish/" not in page.content and b"/correct/" not in page.content
    assert client.post(f"/bulletins/{draft.pk}/correct/", {"reason": "x"}).status_code == 403
    assert Bulletin.objects.count() == 1


def test_other_county_cannot_publish_through_the_page(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    response = signed_in(rated.users["shangyu"]).post(f"/bulletins/{draft.pk}/publish/")
    assert response.status_code == 404
    assert Bulletin.objects.get(pk=draft.pk).status == "draft"


def test_list_page_filters_and_runs_constant_queries(rated, django_assert_max_num_queries):
    bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    bulletins.build_draft(actor=None, region=rated.shangyu, month=OCTOBER)
    client = signed_in(rated.users["city"])
    with django_assert_max_num_queries(12):
        page = client.get("/bulletins/", {"region": rated.shangyu.pk, "status": "draft"})
    assert page.status_code == 200
    assert page.content.decode().count("/bulletins/") >= 2


def test_excel_export_has_townships_and_villages(rated):
    from io import BytesIO

    from openpyxl import load_workbook

    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    response = signed_in(rated.users["zhuji"]).get(f"/bulletins/{draft.pk}/export/")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    villages = [row[1] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert sorted(villages) == ["枫源村", "湖西村"]
    assert signed_in(rated.users["api"]).get(f"/bulletins/{draft.pk}/export/").status_code == 403


def test_build_now_queues_after_commit(rated, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(views, "enqueue_build", lambda region_id, month: queued.append(
        (region_id, month)))
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(rated.users["zhuji"]).post(
            "/bulletins/build/", {"region": rated.zhuji.pk, "month": "2026-10"})
    assert response.status_code == 302
    assert queued == [(rated.zhuji.pk, "2026-10")]


def test_build_now_with_the_broker_down_answers_with_a_clear_message(transactional_db, rated,
                                                                     monkeypatch):
    # A real commit, so the on-commit enqueue runs inside the request as in production.
    def broker_down(region_id, month):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(views, "enqueue_build", broker_down)
    client = signed_in(rated.users["zhuji"])
    response = client.post("/bulletins/build/", {"region": rated.zhuji.pk, "month": "2026-10"},
                           follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "无法连接任务队列" in response.content.decode()


@pytest.mark.parametrize("user", ["fengqiao", "api"])
def test_build_now_is_refused_to_non_staff(rated, user):
    response = signed_in(rated.users[user]).post(
        "/bulletins/build/", {"region": rated.zhuji.pk, "month": "2026-10"})
    assert response.status_code == 403


def test_admin_shows_bulletins_read_only(rated):
    draft = bulletins.build_draft(actor=None, region=rated.zhuji, month=OCTOBER)
    bulletins.publish(actor=None, bulletin=draft)
    client = signed_in(rated.users["zhuji"])
    url = f"/admin/earlywarning/bulletin/{draft.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"month": "2026-09"}).status_code == 403
    assert client.post(f"/admin/earlywarning/bulletin/{draft.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert client.get("/admin/earlywarning/bulletin/add/").status_code == 403
    assert Bulletin.objects.get(pk=draft.pk).month == "2026-10"
