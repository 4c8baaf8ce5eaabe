"""Lineage through the HTML form, the admin and ``/api/v1/lineage-events/``: rights, errors
beside their fields, nothing changed on refusal, and the village page's include."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from casework.models import CarriedWork
from rectify import lineage
from villages.models import LineageEvent, Village

DAY = "2026-11-01"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-11-20 10:00 +0800", tick=False)


def form_data(world, **changes):
    return {"kind": "merger", "effective_date": DAY, "document_number": "诸委〔2026〕8号",
            "reason": "村规模调整", "predecessors": f"{world.fq1.code} {world.fq2.code}",
            "successors": world.fq2.code, **changes}


def test_the_county_records_a_merger_on_the_form(world, work, login):
    client = login("zhuji")
    assert client.get("/lineage/new/").status_code == 200
    response = client.post("/lineage/new/", form_data(world))
    event = LineageEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lineage/{event.pk}/"
    assert not Village.objects.get(pk=world.fq1.pk).is_active
    page = client.get(f"/lineage/{event.pk}/")
    assert page.status_code == 200 and "诸委〔2026〕8号" in page.content.decode()
    assert len(page.context["carried"]) == 3
    assert client.get("/lineage/").context["page"].paginator.count == 1


def test_a_split_with_new_villages_on_the_form(world, login):
    response = login("zhuji").post("/lineage/new/", form_data(
        world, kind="split", predecessors=world.dk1.code, successors="",
        new_villages="330681105301 湖西一村\n330681105302 湖西二村"))
    assert response.status_code == 302
    assert Village.objects.get(code="330681105302").township == world.diankou


@pytest.mark.parametrize(("changes", "field"), [
    ({"predecessors": "330681108201 330682001201"}, "predecessors"),  # another county's code
    ({"predecessors": "330681108201", "successors": "330681108201"}, "successors"),
    ({"kind": "split", "predecessors": "330681108201", "successors": ""}, "successors"),
    ({"document_number": ""}, "document_number"),
    ({"effective_date": "2027-01-01"}, "effective_date"),
    ({"kind": "split", "predecessors": "330681108201", "successors": "",
      "new_villages": "330681108301"}, "new_villages"),
])
def test_bad_input_on_the_form_shows_beside_the_field(world, login, changes, field):
    response = login("zhuji").post("/lineage/new/", form_data(world, **changes))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert LineageEvent.objects.count() == 0
    assert not Village.objects.filter(is_active=False).exists()


def test_a_merger_across_counties_is_refused_for_the_city_too(world, login):
    response = login("city").post("/lineage/new/", form_data(
        world, predecessors=f"{world.fq1.code} {world.bg1.code}", successors=world.fq1.code))
    assert response.status_code == 400
    assert "predecessors" in response.context["form"].errors
    assert LineageEvent.objects.count() == 0


@pytest.mark.parametrize("username", ["fengqiao", "helper", "auditor", "api"])
def test_other_roles_cannot_open_or_post_the_form(world, login, username):
    client = login(username)
    assert client.get("/lineage/new/").status_code == 403
    assert client.post("/lineage/new/", form_data(world)).status_code == 403
    assert LineageEvent.objects.count() == 0


def test_township_officials_read_the_lineage_of_their_villages(world, login):
    event = lineage.make_event(actor=world.users["zhuji"], kind="merger",
                               effective_date=date(2026, 11, 1), document_number="文号1",
                               reason="调整", predecessors=[world.fq1, world.fq2],
                               successors=[world.fq2])
    assert login("fengqiao").get(f"/lineage/{event.pk}/").status_code == 200
    assert login("fengqiao").get("/lineage/").context["page"].paginator.count == 1
    assert login("diankou").get(f"/lineage/{event.pk}/").status_code == 404
    assert login("diankou").get("/lineage/").context["page"].paginator.count == 0


def test_the_village_page_include_renders_the_lineage(world, work, rf):
    lineage.make_event(actor=world.users["zhuji"], kind="merger",
                       effective_date=date(2026, 11, 1), document_number="诸委〔2026〕8号",
                       reason="调整", predecessors=[world.fq1, world.fq2], successors=[world.fq2])
    request = rf.get("/")
    request.user = world.users["fengqiao"]
    html = render_to_string("villages/_lineage.html", {
        "lineage": lineage.village_lineage(request.user, world.fq2)}, request=request)
    assert "诸委〔2026〕8号" in html and f"/villages/{world.fq1.pk}/" in html
    assert "/lineage/new/" not in html
    assert "/cases/" in html  # the carried-over case


# --- API --------------------------------------------------------------------------------------


def api_body(world, **changes):
    return {"kind": "merger", "effective_date": DAY, "document_number": "诸委〔2026〕8号",
            "reason": "村规模调整", "predecessors": [world.fq1.pk, world.fq2.pk],
            "successors": [world.fq2.pk], **changes}


def test_the_api_makes_and_lists_an_event(world, work, login, django_assert_max_num_queries):
    client = login("zhuji")
    response = client.post("/api/v1/lineage-events/", api_body(world),
                           content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [(v["code"], v["retired"]) for v in data["predecessors"]] == [
        (world.fq1.code, True), (world.fq2.code, False)]
    assert data["carried_to"] == world.fq2.pk and len(data["carried"]) == 3
    with django_assert_max_num_queries(8):
        listing = client.get(f"/api/v1/lineage-events/?village={world.fq1.pk}").json()
    assert listing["count"] == 1
    assert client.get(f"/api/v1/lineage-events/?region={world.diankou.pk}").json()["count"] == 0
    assert client.get("/api/v1/lineage-events/?kind=split").json()["count"] == 0


def test_the_api_makes_a_split_with_new_villages(world, login):
    response = login("zhuji").post("/api/v1/lineage-events/", api_body(
        world, kind="split", predecessors=[world.dk1.pk], successors=[],
        new_villages=[{"code": "330681105301", "name": "湖西一村",
                       "township": world.diankou.pk},
                      {"code": "330681105302", "name": "湖西二村",
                       "township": world.diankou.pk}],
        carried_to="330681105301"), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert [v["created"] for v in response.json()["successors"]] == [True, True]


@pytest.mark.parametrize(("changes", "field"), [
    ({"predecessors": [1], "successors": [1]}, "successors"),
    ({"kind": "split", "predecessors": [1], "successors": []}, "successors"),
    ({"document_number": ""}, "document_number"),
    ({"effective_date": "2026-13-01"}, "effective_date"),
    ({"predecessors": [999999]}, "predecessors"),
    ({"kind": "township_merger", "from_township": 4, "to_township": 4}, "to_township"),
])
def test_the_api_names_the_field_of_bad_input(world, login, changes, field):
    if "predecessors" in changes and changes["predecessors"] == [1]:
        changes["predecessors"] = changes["successors"] = [world.fq1.pk]
    if changes.get("from_township") == 4:
        changes["from_township"] = changes["to_township"] = world.diankou.pk
    response = login("zhuji").post("/api/v1/lineage-events/", api_body(world, **changes),
                                   content_type="application/json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert LineageEvent.objects.count() == 0


def test_a_merger_into_a_retired_village_is_refused(world, login):
    client = login("zhuji")
    client.post("/api/v1/lineage-events/", api_body(world), content_type="application/json")
    response = client.post("/api/v1/lineage-events/", api_body(
        world, predecessors=[world.dk1.pk, world.fq1.pk], successors=[world.fq1.pk]),
        content_type="application/json")
    assert response.status_code == 400
    assert LineageEvent.objects.count() == 1 and Village.objects.get(pk=world.dk1.pk).is_active


# A helper does not even see 栎桥村 (not assigned): it cannot name it (400), like any stranger.
@pytest.mark.parametrize(("username", "status"), [("fengqiao", 403), ("auditor", 403),
                                                  ("api", 403), ("helper", 400)])
def test_the_api_refuses_other_roles(world, login, username, status):
    response = login(username).post("/api/v1/lineage-events/", api_body(world),
                                    content_type="application/json")
    assert response.status_code == status
    assert LineageEvent.objects.count() == 0


def test_another_county_cannot_name_these_villages(world, login):
    response = login("shangyu").post("/api/v1/lineage-events/", api_body(world),
                                     content_type="application/json")
    assert response.status_code == 400 and "predecessors" in response.json()


def test_events_never_change_over_the_api(world, login):
    client = login("zhuji")
    event = client.post("/api/v1/lineage-events/", api_body(world),
                        content_type="application/json").json()
    url = f"/api/v1/lineage-events/{event['id']}/"
    assert client.patch(url, {"reason": "x"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert client.get("/api/v1/lineage-events/?colour=red").status_code == 400


# --- Admin ------------------------------------------------------------------------------------


def test_the_admin_adds_an_event_through_the_same_function(world, work, login):
    client = login("zhuji")
    assert client.get("/admin/villages/lineageevent/add/").status_code == 200
    response = client.post("/admin/villages/lineageevent/add/", form_data(world))
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = LineageEvent.objects.get()
    assert CarriedWork.objects.filter(event=event).count() == 3
    assert client.get(f"/admin/villages/lineageevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/villages/lineageevent/{event.pk}/delete/",
                       {"post": "yes"}).status_code == 403


def test_the_admin_shows_a_refusal_beside_its_field(world, login):
    response = login("zhuji").post("/admin/villages/lineageevent/add/", form_data(
        world, predecessors=world.fq1.code, successors=world.fq1.code))
    assert response.status_code == 200
    assert "successors" in response.context["adminform"].form.errors
    assert LineageEvent.objects.count() == 0


def test_the_admin_keeps_the_code_of_a_village_in_an_event(world, login):
    lineage.make_event(actor=world.users["zhuji"], kind="merger",
                       effective_date=date(2026, 11, 1), document_number="文号", reason="调整",
                       predecessors=[world.fq1, world.fq2], successors=[world.fq2])
    page = login("zhuji").get(f"/admin/villages/village/{world.fq2.pk}/change/")
    assert "code" in page.context["adminform"].readonly_fields


def test_the_village_api_refuses_a_new_code_for_a_village_in_an_event(world, login):
    lineage.make_event(actor=world.users["zhuji"], kind="merger",
                       effective_date=date(2026, 11, 1), document_number="文号", reason="调整",
                       predecessors=[world.fq1, world.fq2], successors=[world.fq2])
    response = login("zhuji").patch(f"/api/v1/villages/{world.fq2.pk}/",
                                    {"code": "330681108999"}, content_type="application/json")
    assert response.status_code == 400 and "code" in response.json()


def test_the_schema_documents_both_endpoints_without_warnings(db, client):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/v1/lineage-events/", "/api/v1/points-entries/"} <= set(schema["paths"])
    assert not GENERATOR_STATS
