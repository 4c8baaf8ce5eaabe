import pytest

from earlywarning.models.ratings import WarningRating
from tests.conftest import NOW
from tests.e2e.conftest import log_in
from tests.villages.factories import PASSWORD, World

# The server thread shares the clock, running from NOW: the open period is 2026-11-H2.
pytestmark = [pytest.mark.browser, pytest.mark.frozen_at(NOW, tick=True)]


@pytest.fixture
def live_world(transactional_db, frozen) -> World:
    return World.create()


def test_township_official_rates_the_open_period_and_county_sees_completeness(
        live_server, live_world, page, browser, tmp_path):
    log_in(page, live_server, "fengqiao", PASSWORD)
    page.goto(f"{live_server.url}/ratings/")
    assert "2026-11-H2" in page.inner_text("main")
    assert "湖西村" not in page.inner_text("main")

    # Keyboard only: focus the village's first color, arrow to yellow, type the reason.
    page.locator(f"input[name=color-{live_world.fq1.pk}][value=green]").focus()
    page.keyboard.press("ArrowDown")
    page.fill(f"#reason-{live_world.fq1.pk}", "书记已调整，班子运转正常")
    page.screenshot(path=str(tmp_path / "sheet.png"), full_page=True)
    page.get_by_role("button", name="全部提交").click()
    page.wait_for_load_state()
    assert page.locator(".message-success").count() == 1
    rating = WarningRating.objects.get(village=live_world.fq1)
    assert (rating.color, rating.status) == ("yellow", "submitted")

    page.goto(f"{live_server.url}/villages/{live_world.fq1.pk}/")
    assert page.locator("#warning-ratings .badge-yellow").count() >= 1

    assert page.goto(f"{live_server.url}/villages/{live_world.dk1.pk}/").status == 404

    county = browser.new_context(locale="zh-CN").new_page()
    log_in(county, live_server, "zhuji", PASSWORD)
    county.goto(f"{live_server.url}/ratings/completeness/?period=2026-11-H2")
    table = county.inner_text("table")
    assert "枫桥镇" in table and "店口镇" in table
    assert county.locator("tr.row-late").count() == 1   # 店口镇 has not rated yet
