"""With Redis stopped, the site keeps working; only "build now" says it cannot queue the job.

The app runs in a separate process configured for Redis on a port where no Redis answers (what
a stopped Redis looks like to a client), against the test's committed PostgreSQL database.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from django.db import connection

from earlywarning import bulletins
from earlywarning.models.bulletins import Bulletin
from tests.earlywarning.factories import OCTOBER, rate_september_and_october

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
from villages.models import User
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="zhuji"))
result = {path: client.get(path).status_code for path in
          ["/", "/villages/", "/ratings/completeness/", "/bulletins/", "/api/v1/bulletins/",
           "/api/v1/villages/"]}
response = client.post("/bulletins/build/", {"region": REGION, "month": "2026-10"}, follow=True)
result["build"] = response.status_code
result["build_message"] = [str(m) for m in response.context["messages"]]
print("RESULT" + json.dumps(result, ensure_ascii=False))
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_pages_and_api_work_and_build_now_explains_when_redis_is_down(
        require_postgres, transactional_db, world):
    rate_september_and_october(world)
    published = bulletins.publish(actor=world.users["zhuji"], bulletin=bulletins.build_draft(
        actor=None, region=world.zhuji, month=OCTOBER.previous()))
    db = connection.settings_dict
    env = dict(os.environ, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
               DJANGO_SETTINGS_MODULE="rectify.settings", DJANGO_ALLOW_ASYNC_UNSAFE="true",
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                            f"{db['PORT'] or 5432}/{db['NAME']}")
    run = subprocess.run([sys.executable, "-c", PROBE.replace("REGION", str(world.zhuji.pk))],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(line[len("RESULT"):])

    for path in ("/", "/villages/", "/ratings/completeness/", "/bulletins/",
                 "/api/v1/bulletins/", "/api/v1/villages/"):
        assert result[path] == 200, (path, result)
    assert result["build"] == 200
    assert any("无法连接任务队列" in message for message in result["build_message"])
    assert list(Bulletin.objects.values_list("pk", flat=True)) == [published.pk]
