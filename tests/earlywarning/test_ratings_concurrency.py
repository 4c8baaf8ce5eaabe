"""Two officials submit the same village and period at once, on real PostgreSQL."""

import threading

import pytest
from django.db import connection

from earlywarning.models.ratings import WarningRating
from tests.earlywarning.factories import rate
from tests.villages.factories import World


@pytest.mark.postgres
def test_simultaneous_submissions_give_one_rating_and_no_error(require_postgres, transactional_db,
                                                               frozen):
    world = World.create()
    barrier = threading.Barrier(2)
    errors = []

    def submit(user, color):
        try:
            barrier.wait(timeout=10)
            rate(user, world.fq1, color, reason="同时提交")
        except Exception as error:  # noqa: BLE001 - the test reports any failure below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(world.users[name], color))
               for name, color in (("fengqiao", "yellow"), ("zhuji", "green"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    rating = WarningRating.objects.get(village=world.fq1, period="2026-11-H2")
    assert rating.color in ("yellow", "green")
    assert rating.history.count() == 2
