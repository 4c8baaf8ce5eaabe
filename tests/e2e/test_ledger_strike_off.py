import importlib

import pytest

from casework.models import LedgerItem, LedgerStatus, ProblemType
from tests.casework.factories import PDF, WorkWorld
from tests.e2e.conftest import log_in
from tests.villages.factories import PASSWORD, World

pytestmark = pytest.mark.browser


@pytest.fixture
def live_work(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # An earlier transactional test's flush removed the rows the data migration seeded.
    seeded = importlib.import_module("casework.migrations.0003_problem_types").PROBLEM_TYPES
    for code, group, order, word, name, remedy in seeded:
        ProblemType.objects.update_or_create(code=code, defaults={
            "group": group, "order": order, "word": word, "name": name, "remedy": remedy})
    world = World.create()
    return world, WorkWorld.create(world)


def test_township_official_strikes_off_a_ledger_item_with_evidence_in_browser(
        live_server, live_work, page, tmp_path):
    world, work = live_work
    item = work.items["fq1"]
    log_in(page, live_server, "fengqiao", PASSWORD)

    page.goto(f"{live_server.url}/ledger/")
    page.get_by_role("link", name=item.problem).click()
    page.wait_for_url(f"{live_server.url}/ledger/{item.pk}/")

    # Without evidence the page says what is missing and nothing changes.
    page.fill("textarea[name=resolution]", "已落实三务公开，张榜公布")
    page.get_by_role("button", name="销号").click()
    assert page.locator(".field-error").count() >= 1
    assert LedgerItem.objects.get(pk=item.pk).status == LedgerStatus.LISTED

    evidence = tmp_path / "公开栏照片.pdf"
    evidence.write_bytes(PDF)
    page.fill("textarea[name=resolution]", "已落实三务公开，张榜公布")
    page.set_input_files("input[name=evidence]", str(evidence))
    page.get_by_role("button", name="销号").click()
    page.wait_for_url(f"{live_server.url}/ledger/{item.pk}/")
    assert "销号" in page.inner_text("#item-status")
    page.screenshot(path=str(tmp_path / "struck-off.png"), full_page=True)

    stored = LedgerItem.objects.get(pk=item.pk)
    assert stored.status == LedgerStatus.STRUCK_OFF
    assert stored.verified_by == world.users["fengqiao"]
    with page.expect_download() as download:
        page.click("#evidence-link")
    assert download.value.suggested_filename == "公开栏照片.pdf"

    # The village's printable ledger shows the item struck off, with its verifier.
    page.goto(f"{live_server.url}/ledger/village/{world.fq1.pk}/")
    assert "fengqiao" in page.inner_text(".paper-table")
