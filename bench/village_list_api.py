"""Village list API vs a plain JsonResponse of .values() of the same rows.

Both go through the whole middleware stack with the same logged-in city user and return the
same rows with the same columns (``bench/urls.py``'s plain view: no count, no paging, no
filters, Django's JSON encoder). Goal: the API within 1.3x of the plain view at ``page_size``
100 and 500. A second line compares with the plain view without the two warning columns
(current color and tier, two correlated subqueries), the baseline of the first measurements.
"""

import statistics

from django.test import Client, override_settings

from bench.common import REPEATS, median_seconds, report

ROUNDS = 3


def run(villages: int) -> None:
    from villages.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="city"))
    with override_settings(ROOT_URLCONF="bench.urls"):
        for size in (100, 500):
            def api(size=size):
                response = client.get(f"/api/v1/villages/?page_size={size}",
                                      HTTP_ACCEPT="application/json")
                assert response.status_code == 200 and len(response.json()["results"]) == size

            def plain(size=size, columns=""):
                response = client.get(f"/bench/plain-villages/?page_size={size}{columns}")
                assert response.status_code == 200 and len(response.json()) == size

            def register(size=size):
                plain(size, "&columns=register")

            # Interleaved rounds, so a burst of load from elsewhere hits all three alike.
            times = {"api": [], "plain": [], "register": []}
            for _round in range(ROUNDS):
                for name, action in (("plain", plain), ("api", api), ("register", register)):
                    times[name].append(median_seconds(action, repeats=REPEATS) * 1000)
            project, baseline, narrow = (statistics.median(times[name])
                                         for name in ("api", "plain", "register"))
            report(f"village list API page_size={size}, {villages:,} villages", project,
                   baseline, "ms", "≤ 1.3", key=f"village list API page_size={size}")
            report(f"village list API page_size={size} vs the register columns only", project,
                   narrow, "ms", "printed", compare=False)
