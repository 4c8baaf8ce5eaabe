"""Deadline day, for locust (run by ``bench/load.py``: ``make load``).

- Township officials (one per township sheet of the plan): log in, open the rating sheet,
  open their notifications (the trivial authenticated page), submit the whole sheet in one
  ``POST /api/v1/ratings/``, look at the sheet again, and leave.
- County and city staff: log in, then open the dashboard, rating completeness and their
  notifications in turn.
- REST clients: poll a published bulletin with ``If-None-Match`` (304) and the list of
  bulletins published since the start.

The plan (accounts, sheets, token, bulletin ids) is a JSON file named by ``LOAD_PLAN``.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, task
from locust.exception import StopUser

with open(os.environ["LOAD_PLAN"]) as stream:
    PLAN = json.load(stream)
_SHEETS = iter(PLAN["sheets"])
_STAFF = itertools.cycle(PLAN["staff"])


def log_in(client, username: str, password: str) -> None:
    client.get("/accounts/login/", name="login page")
    with client.post("/accounts/login/", name="login", allow_redirects=False, catch_response=True,
                     data={"username": username, "password": password,
                           "csrfmiddlewaretoken": client.cookies.get("csrftoken", "")}) as answer:
        if answer.status_code != 302:
            answer.failure(f"login as {username}: {answer.status_code}")


class TownshipOfficial(HttpUser):
    fixed_count = len(PLAN["sheets"])
    wait_time = between(0.5, 2)

    def on_start(self):
        self.sheet = next(_SHEETS)
        log_in(self.client, self.sheet["username"], PLAN["password"])

    @task
    def rate_the_sheet(self):
        self.client.get("/ratings/", name="sheet")
        self.client.get("/notifications/", name="trivial page")
        with self.client.post("/api/v1/ratings/", json=self.sheet["payload"], name="submit",
                              headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
                              catch_response=True) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}: {answer.text[:300]}")
        self.client.get("/ratings/", name="sheet")
        raise StopUser()


class CountyStaff(HttpUser):
    fixed_count = PLAN["staff_users"]
    wait_time = between(1, 3)

    def on_start(self):
        log_in(self.client, next(_STAFF), PLAN["staff_password"])

    @task
    def dashboard(self):
        self.client.get("/", name="dashboard")

    @task
    def completeness(self):
        self.client.get("/ratings/completeness/", name="completeness")

    @task
    def trivial(self):
        self.client.get("/notifications/", name="trivial page")


class RestClient(HttpUser):
    fixed_count = PLAN["rest_clients"]
    wait_time = between(1, 2)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {PLAN['token']}"
        self.etags = {}

    @task(3)
    def poll_a_bulletin(self):
        pk = random.choice(PLAN["bulletins"])
        headers = {"If-None-Match": self.etags[pk]} if pk in self.etags else {}
        with self.client.get(f"/api/v1/bulletins/{pk}/", headers=headers, catch_response=True,
                             name="bulletin 304" if headers else "bulletin") as answer:
            if answer.status_code not in (200, 304):
                answer.failure(str(answer.status_code))
            elif "ETag" in answer.headers:
                self.etags[pk] = answer.headers["ETag"]

    @task
    def list_new_bulletins(self):
        self.client.get("/api/v1/bulletins/", params={"since": PLAN["since"]},
                        name="bulletins since")
