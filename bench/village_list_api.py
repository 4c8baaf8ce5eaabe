"""Village list API (DRF: serializer, filters, pagination) vs a plain JsonResponse of .values().

Both go through the whole middleware stack with the same logged-in county user and return the
same rows of a 20,000-village data set. Goal: the DRF path within 2x of the plain one.
"""

from django.test import Client, override_settings

from bench.common import ensure_villages, median_seconds, report

VILLAGES = 20_000


def run() -> None:
    from villages.models import User

    ensure_villages(VILLAGES)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="city"))
    with override_settings(ROOT_URLCONF="bench.urls"):
        for size in (100, 500):
            def api(size=size):
                response = client.get(f"/api/v1/villages/?page_size={size}",
                                      HTTP_ACCEPT="application/json")
                assert response.status_code == 200 and len(response.json()["results"]) == size

            def plain(size=size):
                response = client.get(f"/bench/plain-villages/?page_size={size}")
                assert response.status_code == 200 and len(response.json()) == size

            project = median_seconds(api) * 1000
            baseline = median_seconds(plain) * 1000
            report(f"village list API page_size={size}", project, baseline, "ms", "≤ 2.0")
