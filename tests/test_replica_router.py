"""A read replica behind ``core.db.ReplicaRouter``: page and API reads go to it; writes, and
reads inside a write transaction, go to the primary. The replica here is a second alias on the
same database (as a streaming replica shows the same rows)."""

from copy import deepcopy

import pytest
import time_machine
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.conftest import NOW
from tests.villages.factories import World
from villages.models import Region, RegionLevel, Village

# The second alias, registered when this module is collected (before the test databases are
# set up): as a test mirror of ``default`` it gets no database of its own but the primary's.
_replica = deepcopy(connections.settings["default"])
_replica["TEST"] = {**_replica["TEST"], "MIRROR": "default"}
connections.settings.setdefault("replica", _replica)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica(settings):
    settings.DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
    return connections["replica"]


def used(action) -> tuple[int, int]:
    """How many statements ``action`` ran on the primary and on the replica."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as copy:
        action()
    return len(primary), len(copy)


def test_reads_go_to_the_replica_and_writes_to_the_primary(replica):
    assert used(lambda: list(Region.objects.all())) == (0, 1)
    primary, copy = used(lambda: Region.objects.create(code="330600000000", name="绍兴市",
                                                       level=RegionLevel.CITY))
    assert primary >= 1 and copy == 0


def test_reads_inside_a_write_transaction_stay_on_the_primary(replica):
    def write_then_read():
        with transaction.atomic():
            Region.objects.create(code="330600000000", name="绍兴市", level=RegionLevel.CITY)
            assert Region.objects.filter(code="330600000000").exists()

    primary, copy = used(write_then_read)
    assert copy == 0 and primary >= 2


def test_an_api_read_uses_the_replica_and_a_rating_submit_the_primary(replica):
    world = World.create()
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.force_authenticate(world.users["fengqiao"])

    def list_villages():
        assert client.get("/api/v1/villages/").status_code == 200

    primary, copy = used(list_villages)
    assert primary == 0 and copy >= 2

    def submit():
        response = client.post("/api/v1/ratings/", [
            {"village": world.fq1.pk, "period": "2026-11-H2", "color": "yellow",
             "reason": "班子调整到位"}], format="json")
        assert response.status_code == 201, response.content

    with time_machine.travel(NOW, tick=False):
        primary, copy = used(submit)
    assert primary >= 2
    assert Village.objects.filter(pk=world.fq1.pk, warning_ratings__color="yellow").exists()
