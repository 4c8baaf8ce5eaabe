"""REST for the roster, talks and award eligibility, and honest filters on every list: ``since``
works, and an unknown query parameter is a 400 that names the allowed ones."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from earlywarning import bulletins, roster
from earlywarning.models import AwardEligibility, RosterEntry, Talk
from tests.earlywarning.factories import OCTOBER, OPEN, rate, rate_september_and_october


@pytest.fixture
def w(world, frozen):
    return world


def api(user) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.force_authenticate(user)
    return client


def test_roster_lists_villages_with_their_reasons_for_a_period(w):
    data = api(w.users["zhuji"]).get("/api/v1/warning-roster/", {"period": str(OPEN)}).json()
    by_name = {row["village_name"]: row for row in data["results"]}
    assert set(by_name) == {"枫源村", "湖西村"}  # 上虞市's 五星村 is not zhuji's to see
    assert by_name["枫源村"]["reasons"] == [{"kind": "poor_grade",
                                           "detail": "2025年度定级较差"}]
    assert by_name["枫源村"]["removed_at"] is None


@pytest.mark.parametrize("query,field", [
    ({"period": "2026-13-H1"}, "period"), ({"period": "2030-01-H1"}, "period"),
    ({"since": "yesterday"}, "since"), ({"since": "1900-01-01"}, "since"),
])
def test_roster_refuses_malformed_filters(w, query, field):
    response = api(w.users["zhuji"]).get("/api/v1/warning-roster/", query)
    assert response.status_code == 400 and field in response.json()


def test_since_returns_what_changed_at_or_after_a_time(w, time_machine):
    roster.ensure(OPEN)
    client = api(w.users["zhuji"])
    later = timezone.now() + timedelta(hours=1)
    time_machine.move_to(later, tick=False)
    roster.decide(actor=w.users["zhuji"], village=w.fq1, action="remove", reason="已晋位")
    rate(w.users["zhuji"], w.dk1, "yellow")

    changed = client.get("/api/v1/warning-roster/", {"since": later.isoformat()}).json()
    assert [row["village_name"] for row in changed["results"]] == ["枫源村"]
    ratings = client.get("/api/v1/ratings/", {"since": later.isoformat()}).json()
    assert [row["village_name"] for row in ratings["results"]] == ["湖西村"]
    assert client.get("/api/v1/ratings/", {
        "since": (later + timedelta(minutes=1)).isoformat()}).json()["count"] == 0


@pytest.mark.parametrize("url", ["/api/v1/ratings/", "/api/v1/evaluations/",
                                 "/api/v1/cases/", "/api/v1/ledger-items/",
                                 "/api/v1/warning-roster/", "/api/v1/bulletins/",
                                 "/api/v1/villages/", "/api/v1/talks/"])
def test_an_unknown_query_parameter_is_refused_naming_the_allowed_ones(w, url):
    response = api(w.users["zhuji"]).get(url, {"villag": "12"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "villag" in detail and "page_size" in detail


def test_evaluations_filter_by_village(w):
    response = api(w.users["zhuji"]).get("/api/v1/evaluations/", {"village": w.fq1.pk})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_county_changes_the_roster_over_the_api_and_a_township_cannot(w):
    decision = {"village": w.fq2.pk, "action": "add", "reason": "信访件多发"}
    assert api(w.users["fengqiao"]).post("/api/v1/warning-roster/decisions/",
                                         decision).status_code == 403
    assert api(w.users["shangyu"]).post("/api/v1/warning-roster/decisions/",
                                        decision).status_code == 404
    missing = api(w.users["zhuji"]).post("/api/v1/warning-roster/decisions/",
                                         {**decision, "reason": ""})
    assert missing.status_code == 400 and "reason" in missing.json()
    closed = api(w.users["zhuji"]).post("/api/v1/warning-roster/decisions/",
                                        {**decision, "period": "2026-11-H1"})
    assert closed.status_code == 400 and "period" in closed.json()
    assert not RosterEntry.objects.filter(village=w.fq2).exists()

    added = api(w.users["zhuji"]).post("/api/v1/warning-roster/decisions/", decision)
    assert added.status_code == 201
    assert added.json()[0]["reasons"] == [{"kind": "county_added", "detail": "信访件多发"}]


@pytest.fixture
def flagged(w):
    rate_september_and_october(w)
    bulletin = bulletins.build_draft(actor=None, region=w.zhuji, month=OCTOBER)
    return bulletins.publish(actor=None, bulletin=bulletin)


def test_talks_and_eligibility_come_from_the_published_bulletin(w, flagged):
    talks = api(w.users["zhuji"]).get("/api/v1/talks/").json()["results"]
    assert [(t["township_name"], t["month"], t["status"]) for t in talks] == [
        ("枫桥镇", "2026-10", "due")]
    lost = api(w.users["city"]).get("/api/v1/award-eligibility/", {"year": 2026}).json()
    assert [(e["township_name"], e["status"]) for e in lost["results"]] == [("枫桥镇", "lost")]
    assert api(w.users["shangyu"]).get("/api/v1/talks/").json()["count"] == 0


def test_a_talk_is_recorded_as_held_by_the_county_only(w, flagged):
    talk = Talk.objects.get()
    url = f"/api/v1/talks/{talk.pk}/held/"
    held = {"held_on": "2026-11-19", "notes": "约谈乡镇党委副书记、组织委员",
            "follow_up": "月底复查"}
    assert api(w.users["fengqiao"]).post(url, held).status_code == 403
    assert api(w.users["shangyu"]).post(url, held).status_code == 404
    future = api(w.users["zhuji"]).post(url, {**held, "held_on": "2026-12-01"})
    assert future.status_code == 400 and "held_on" in future.json()
    assert api(w.users["zhuji"]).post(url, held).status_code == 200
    talk.refresh_from_db()
    assert (talk.status, talk.held_by, talk.follow_up) == ("done", w.users["zhuji"], "月底复查")
    assert api(w.users["zhuji"]).post(url, held).status_code == 409


def test_a_talk_for_a_township_outside_the_region_is_404(w):
    response = api(w.users["zhuji"]).post("/api/v1/talks/", {"township": w.baiguan.pk,
                                                             "month": "2026-10"})
    assert response.status_code == 404


def test_only_the_county_restores_eligibility_and_says_why(w, flagged):
    eligibility = AwardEligibility.objects.get()
    url = f"/api/v1/award-eligibility/{eligibility.pk}/restore/"
    assert api(w.users["fengqiao"]).post(url, {"reason": "整改到位"}).status_code == 403
    assert api(w.users["zhuji"]).post(url, {"reason": ""}).status_code == 400
    restored = api(w.users["zhuji"]).post(url, {"reason": "经复核，红色村数系统误判"})
    assert restored.status_code == 200
    eligibility.refresh_from_db()
    assert (eligibility.status, eligibility.restored_by) == ("restored", w.users["zhuji"])
