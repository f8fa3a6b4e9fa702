"""Simulated Sightline users for `make loadtest` (loadtest/run.py starts everything).

Executives read the dashboard, scorecards, maps and KPI details; owners enter actuals through
My updates and through the API; managers read their scorecard and set targets through the
API. Every write the server acknowledges is recorded, and written to LOADTEST_ACKS when the
run stops, for run.py to check against the database. LOADTEST_THINK=0 drops the think time
(the saturation run). The plan (accounts, pages, cells) comes from LOADTEST_PLAN. The steady
state's figures (loadtest/steady.py: every request after the last person signed in) go to
LOADTEST_STEADY when the run stops."""

import itertools
import json
import os
import random
from decimal import Decimal

from locust import HttpUser, between, constant, events, task

from loadtest.steady import SteadyWindow

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"]).read())  # noqa: SIM115 (read at import)
THINK = between(1, 3) if os.environ.get("LOADTEST_THINK", "1") != "0" else constant(0)
ACKS: list[dict] = []
STEADY = SteadyWindow(people=int(os.environ.get("LOADTEST_USERS", "1")))
_slots = {kind: itertools.count() for kind in ("executive", "owner", "manager")}


def varied(base: str, rng: random.Random, factors: tuple[int, int] = (90, 110)) -> str:
    """A value near the stored one (in per cent of it), so statuses move a little."""
    number = Decimal(base) * Decimal(rng.randint(*factors)) / 100
    return str(number.quantize(Decimal("0.01")))


class Person(HttpUser):
    abstract = True
    wait_time = THINK
    kind = ""

    def on_start(self) -> None:
        self.rng = random.Random()
        self.slot = next(_slots[self.kind])
        self.username = self.account()
        self.sign_in()
        STEADY.person_signed_in()

    def account(self) -> str:
        raise NotImplementedError

    def sign_in(self) -> None:
        self.client.get("/accounts/login/", name="sign in page")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PLAN["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {self.username} answered {response.status_code}")

    def csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    def page(self, path: str, name: str) -> None:
        self.client.get(path, name=name)


class Executive(Person):
    weight = 5
    kind = "executive"

    def account(self) -> str:
        names = PLAN["executives"]
        return names[self.slot % len(names)]

    @task(3)
    def dashboard(self) -> None:
        self.page("/dashboard/", "dashboard")

    @task(3)
    def scorecard(self) -> None:
        self.page(f"/units/{self.rng.choice(PLAN['units'])}/", "scorecard")

    @task(1)
    def home(self) -> None:
        self.page("/", "home")

    @task(1)
    def strategy_map(self) -> None:
        self.page(f"/units/{self.rng.choice(PLAN['units'])}/map/", "strategy map")

    @task(1)
    def kpi_detail(self) -> None:
        slug, kpi_id = self.rng.choice(PLAN["kpi_pages"])
        self.page(f"/units/{slug}/kpis/{kpi_id}/", "KPI detail")


class Writer(Person):
    abstract = True
    plan_key = ""

    def account(self) -> str:
        writers = PLAN[self.plan_key]
        # A writer slot beyond the plan's writers reads only: two simulated people never
        # write the same cell, so the last acknowledged value of each cell is known.
        self.cells = writers[self.slot]["cells"] if self.slot < len(writers) else []
        self.unit = writers[self.slot % len(writers)]["unit"]
        return writers[self.slot % len(writers)]["username"]

    def acknowledge(self, kind: str, cell: dict, value: str) -> None:
        ACKS.append({"kind": kind, "kpi": cell["kpi"], "period": cell["period"], "value": value})


class Owner(Writer):
    weight = 3
    kind = "owner"
    plan_key = "owners"

    @task(2)
    def my_updates(self) -> None:
        self.page("/my-updates/", "my updates")

    @task(2)
    def enter_on_my_updates(self) -> None:
        if not self.cells:
            return self.my_updates()
        cell = self.rng.choice(self.cells)
        value = varied(cell["base"], self.rng)
        with self.client.post(
            f"/my-updates/{cell['kpi']}/save/?period={cell['period']}",
            data={"value": value, "comment": "load test"},
            headers={**self.csrf(), "HX-Request": "true"},
            name="my updates: save",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and "actual-saved" in response.headers.get(
                "HX-Trigger", ""
            ):
                self.acknowledge("actual", cell, value)
            else:
                response.failure(f"not saved ({response.status_code})")

    @task(1)
    def enter_through_the_api(self) -> None:
        if not self.cells:
            return self.my_updates()
        cell = self.rng.choice(self.cells)
        found = self.client.get(
            f"/api/actuals/?kpi={cell['kpi']}&period={cell['period']}", name="api: actuals"
        )
        rows = found.json().get("results", []) if found.status_code == 200 else []
        if not rows:
            return
        value = varied(cell["base"], self.rng)
        with self.client.patch(
            f"/api/actuals/{rows[0]['id']}/",
            json={"value": value, "comment": "load test", "version": rows[0]["version"]},
            headers=self.csrf(),
            name="api: actual change",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                self.acknowledge("actual", cell, value)
            else:
                response.failure(f"not saved ({response.status_code}: {response.text[:200]})")


class Manager(Writer):
    weight = 2
    kind = "manager"
    plan_key = "managers"

    @task(2)
    def own_scorecard(self) -> None:
        self.page(f"/units/{self.unit}/", "scorecard")

    @task(1)
    def set_a_target(self) -> None:
        if not self.cells:
            return self.own_scorecard()
        cell = self.rng.choice(self.cells)
        value = varied(cell["base"], self.rng, cell["factors"])
        row = {"kpi": cell["kpi"], "period": cell["period"], "value": value}
        with self.client.post(
            "/api/targets/bulk/",
            json=[{**row, "red_flag": cell["red_flag"]}],
            headers=self.csrf(),
            name="api: targets bulk",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                self.acknowledge("target", cell, value)
            else:
                response.failure(f"not saved ({response.status_code}: {response.text[:200]})")


@events.request.add_listener
def count_in_the_steady_state(name: str, response_time: float, exception=None, **_kwargs) -> None:
    STEADY.record(name, response_time, failed=exception is not None)


@events.test_stop.add_listener
def write_acknowledged(**_kwargs) -> None:
    with open(os.environ["LOADTEST_ACKS"], "w") as out:
        json.dump(ACKS, out)
    with open(os.environ["LOADTEST_STEADY"], "w") as out:
        json.dump(STEADY.summary(), out)
