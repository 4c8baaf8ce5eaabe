"""Dashboard figures are their lists: every figure on the dashboard links to a list, and the
number shown is the number of rows that list counts (``data-figure`` on the link, ``data-count``
on the list), for the city, a county and a township official on the demo data."""

import html
import re

import pytest

FIGURE = re.compile(r'<a [^>]*href="([^"]+)"[^>]*data-figure="(\d+)"')


def count_on(page: str, fragment: str) -> int:
    """The count a list page states: the section named by the link's #fragment, else the list's
    own count."""
    if fragment:
        found = re.search(rf'id="h-{re.escape(fragment)}" data-count="(\d+)"', page)
    else:
        found = re.search(r'data-count="(\d+)"', page)
    assert found, f"no count on the page (#{fragment})"
    return int(found.group(1))


@pytest.mark.parametrize("username", ["city", "zhuji", "fengqiao"])
def test_every_dashboard_figure_equals_the_count_of_the_list_it_links_to(
        demo_data, db, client, username):
    from villages.models import User

    client.force_login(User.objects.get(username=username))
    dashboard = client.get("/").content.decode()
    figures = FIGURE.findall(dashboard)
    assert len(figures) >= 15, "the dashboard shows its figures as links"
    for href, shown in figures:
        url = html.unescape(href)
        path, _hash, fragment = url.partition("#")
        response = client.get(path)
        assert response.status_code == 200, f"{username}: {url} answers {response.status_code}"
        assert count_on(response.content.decode(), fragment) == int(shown), (
            f"{username}: the dashboard shows {shown} for {url}")
