"""Dashboard server time at 2,000, 20,000 (and 100,000) villages, each freshly loaded.

Each size is its own database, copied from its ``load_demo`` load (``bench/common.py``): the
page meets the statistics the load left, as a user does after a load. The city user's whole
page through the middleware, median of the repetitions. The baseline is the same page at the
next smaller size; ``bench/__main__.py`` prints the comparison (goal ≤ 2.0).
"""

from django.test import Client

from bench.common import median_seconds, record

EXTRA_SIZES = (2_000,)
GROWTH_GOAL = "≤ 2.0"


def run(villages: int) -> None:
    from villages.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="city"))

    def dashboard():
        response = client.get("/")
        assert response.status_code == 200

    milliseconds = median_seconds(dashboard) * 1000
    print(f"(dashboard at {villages:,} villages: {milliseconds:.1f} ms, city user)", flush=True)
    record("dashboard", milliseconds, "ms")
