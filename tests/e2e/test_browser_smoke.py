import pytest

from tests.e2e.conftest import log_in
from tests.villages.factories import PASSWORD, World

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db) -> World:
    return World.create()


def test_township_official_sees_only_own_township_villages_in_browser(live_server, live_world,
                                                                        page, tmp_path):
    log_in(page, live_server, "fengqiao", PASSWORD)
    page.goto(f"{live_server.url}/villages/")

    rows = page.locator("table tbody tr")
    text = rows.all_inner_texts()
    assert len(text) == 2
    assert all("枫桥镇" in row for row in text)
    body = page.inner_text("body")
    for other in ("湖西村", "紫草坞村", "五星村", "新河村"):
        assert other not in body
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=str(tmp_path / "villages.png"), full_page=True)

    # Typing another township's village id into the address bar gets a 404, not the page.
    response = page.goto(f"{live_server.url}/villages/{live_world.dk1.pk}/")
    assert response.status == 404
