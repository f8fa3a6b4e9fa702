"""Shared fixtures: an organization with personas for every role, built through services.

Acme (enterprise)            executive: viewer · manager: manager · admin: superuser
├── North (division)         north_manager: manager
│   └── North Sales (team)   owner: owner (owns the team's KPI)
└── South (division)
    └── South Ops (team)     south_team_manager: manager
outsider: signed in, no role anywhere
"""

import ctypes.util
import dataclasses
import importlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_migrate

from kpis import services as kpi_services
from scorecard import services as core
from scorecard.celery import app as celery_app
from scorecard.models import Membership, OrgUnit, Perspective
from scorecard.rules import forget_grants
from strategy import services as strategy_services
from tests.database_copy import DatabaseCopy
from tests.factories import UserFactory, org_unit

# The live server for browser tests runs in a thread while Playwright's sync API holds an event
# loop in the main one; Django's async guard would refuse the database calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Hashing passwords slowly protects production, not tests.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline in tests unless a test starts a real worker; this must be set on the
# Celery app itself, which has already read the Django settings.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


def redis_url_of_this_worker(url: str) -> str:
    """Each xdist worker talks to its own Redis database (the configured one, then the next
    ones), so a real Celery worker started by one test process never takes a task that
    another test process sent, nor answers its health check."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker.startswith("gw"):
        return url
    base, _, database = url.rpartition("/")
    return f"{base}/{(int(database or 0) + int(worker[2:])) % 16}"


if settings.REDIS_URL:
    settings.REDIS_URL = os.environ["REDIS_URL"] = redis_url_of_this_worker(settings.REDIS_URL)
    celery_app.conf.broker_url = celery_app.conf.result_backend = settings.REDIS_URL

# Rate limits and sign-in slowdowns count in the cache. Tests keep it in this process's memory
# (a live server's threads share it), never in the Redis database a real worker uses as its
# broker, and each test starts with nothing spent (`fresh_cache`).
settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    caches["default"].clear()


# System parts that some tests need beyond Python. Without them (a fresh clone, no root) those
# tests are skipped with the reason and the command that installs the part; CI sets
# SIGHTLINE_REQUIRE_ALL_TESTS, which turns every such skip into a failure.
CHROMIUM = os.environ.get("SIGHTLINE_CHROMIUM", "/usr/bin/chromium")
REQUIRE_ALL = os.environ.get("SIGHTLINE_REQUIRE_ALL_TESTS", "").lower() in {"1", "true", "yes"}
SYSTEM_PARTS = {
    "browser": (
        lambda: os.access(CHROMIUM, os.X_OK),
        f"needs Chromium at {CHROMIUM}: run `sudo make browser` "
        "(apt-get install chromium fonts-dejavu-core), or set SIGHTLINE_CHROMIUM",
    ),
    "pdf": (
        lambda: bool(ctypes.util.find_library("pangoft2-1.0")),
        "needs pango for WeasyPrint's PDF packs: run `sudo make pdf-packages` "
        "(apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)",
    ),
    "celery_worker": (
        lambda: bool(settings.REDIS_URL) and connection.vendor == "postgresql",
        "needs REDIS_URL and a PostgreSQL DATABASE_URL: a worker process cannot share the "
        "SQLite test database (.ci/run sets both)",
    ),
}


def pytest_runtest_setup(item):
    for marker, (present, reason) in SYSTEM_PARTS.items():
        if item.get_closest_marker(marker) and not present():
            if REQUIRE_ALL:
                pytest.fail(f"SIGHTLINE_REQUIRE_ALL_TESTS is set, but this test {reason}")
            pytest.skip(reason)


@dataclass
class Org:
    acme: OrgUnit
    north: OrgUnit
    north_sales: OrgUnit
    south: OrgUnit
    south_ops: OrgUnit


@dataclass
class People:
    admin: object
    manager: object
    north_manager: object
    owner: object
    south_team_manager: object
    executive: object
    outsider: object


def build_org() -> Org:
    acme = org_unit("Acme", "enterprise")
    north = org_unit("North", "division", acme)
    south = org_unit("South", "division", acme)
    return Org(
        acme=acme,
        north=north,
        north_sales=org_unit("North Sales", "team", north),
        south=south,
        south_ops=org_unit("South Ops", "team", south),
    )


def build_people(org: Org) -> People:
    people = People(
        admin=UserFactory(username="admin", is_superuser=True, is_staff=True),
        manager=UserFactory(username="manager"),
        north_manager=UserFactory(username="north_manager"),
        owner=UserFactory(username="owner"),
        south_team_manager=UserFactory(username="south_team_manager"),
        executive=UserFactory(username="executive"),
        outsider=UserFactory(username="outsider"),
    )
    grants = [
        (people.manager, org.acme, Membership.Role.MANAGER),
        (people.north_manager, org.north, Membership.Role.MANAGER),
        (people.owner, org.north_sales, Membership.Role.OWNER),
        (people.south_team_manager, org.south_ops, Membership.Role.MANAGER),
        (people.executive, org.acme, Membership.Role.VIEWER),
    ]
    for user, unit, role in grants:
        core.membership_grant(user=user, org_unit=unit, role=role)
    return people


def reseed_classic_perspectives(**kwargs) -> None:
    """Transactional tests (browser, real worker) end with a flush, which also empties what the
    data migration seeded; the flush then sends post_migrate, and this puts the four
    perspectives back, so a test that runs next in the same worker finds them as migrated."""
    if kwargs.get("using", "default") != "default" or Perspective.objects.exists():
        return
    seeded = importlib.import_module("scorecard.migrations.0002_seed_perspectives")
    for order, name, color, description in seeded.CLASSIC_PERSPECTIVES:
        Perspective.objects.create(order=order, name=name, color=color, description=description)


post_migrate.connect(reseed_classic_perspectives, dispatch_uid="tests.reseed_perspectives")


@pytest.fixture(scope="session")
def demo_copy(django_db_setup, django_db_blocker) -> Iterator[DatabaseCopy]:
    """The demo organization as `seed_demo` builds it today, scores computed (Celery runs
    eagerly in tests), built once per xdist worker and kept as a copy of every table."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        copy = DatabaseCopy.take(connection)
        # The tests after this one in the same worker expect an empty database, as built.
        call_command("flush", interactive=False, verbosity=0)
        yield copy
        copy.release()


@pytest.fixture
def demo(demo_copy, transactional_db) -> None:
    """The demo as it was built, whatever the tests before this one changed."""
    demo_copy.restore(connection)


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a whole test module, for worlds that take long to build.

    A module-scoped fixture that builds in it builds once; each test still runs in its own
    savepoint inside it (the `db` fixture), so what one test writes is gone before the next,
    and the whole module is rolled back at its end. `on_commit` callbacks never run in it:
    modules whose tests need them use `transactional_db` and build per test.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def as_stored(*things: object) -> None:
    """Reload every model instance that `things` hold (in dataclasses, dicts, lists), so that a
    module-scoped world starts each test as stored: what the last test changed in memory (a
    moved unit's path, a cached relation, a user's cached roles) goes with its savepoint."""
    for thing in things:
        if isinstance(thing, Model):
            thing.refresh_from_db()
            forget_grants(thing)
        elif isinstance(thing, dict):
            as_stored(*thing.values())
        elif isinstance(thing, list | tuple | set):
            as_stored(*thing)
        elif dataclasses.is_dataclass(thing) and not isinstance(thing, type):
            as_stored(*(getattr(thing, field.name) for field in dataclasses.fields(thing)))


@pytest.fixture
def org(db) -> Org:
    return build_org()


@pytest.fixture
def people(org) -> People:
    return build_people(org)


@pytest.fixture
def financial() -> Perspective:
    return Perspective.objects.get(order=4)


@pytest.fixture
def customer() -> Perspective:
    return Perspective.objects.get(order=3)


@pytest.fixture
def north_sales_kpi(org, people):
    """A KPI of North Sales owned by the owner persona, with a target for FY2026 Q1."""
    return build_north_sales_kpi(org, people)


def build_north_sales_kpi(org: Org, people: People):
    objective = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard,
        perspective=Perspective.objects.get(order=4),
        title="Grow regional revenue",
        owner=people.north_manager,
    )
    kpi = kpi_services.kpi_create(
        objective=objective, name="Regional revenue", unit="USD", owner=people.owner
    )
    kpi_services.target_set(kpi=kpi, period=core.period_for_key("FY2026-Q1"), value=Decimal("100"))
    return kpi


PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture
def real_worker(transactional_db, tmp_path):
    """A Celery worker process on Redis, reading the test database; ready when yielded."""
    empty_worker_queues()
    with real_workers_running(tmp_path, count=1) as workers:
        yield workers[0]


@pytest.fixture
def two_real_workers(transactional_db, tmp_path):
    """Two Celery worker processes sharing the queues (logs: tmp_path/worker-N.log)."""
    empty_worker_queues()
    with real_workers_running(tmp_path, count=2) as workers:
        yield workers


def empty_worker_queues() -> None:
    """Nothing left by an earlier test of this process: a message its workers had prefetched
    goes back to the queue when they stop (acks are late), and this test's workers would run
    it too (seen: a recompute job counted twice). A test that queues tasks before its
    workers start calls `real_workers_running` itself."""
    from kpis import waiting

    with celery_app.connection_for_write() as broker:
        for queue in ("default", "rollups", "reminders"):
            broker.default_channel.queue_purge(queue)
    waiting.forget()


@contextmanager
def real_workers_running(tmp_path, *, count: int):
    from scorecard.tasks import worker_health

    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    logs = [tmp_path / ("worker.log" if count == 1 else f"worker-{n}.log") for n in range(count)]
    workers = []
    for number, log in enumerate(logs):
        with log.open("wb") as output:
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "scorecard", "worker", "--pool", "solo",
                 "--hostname", f"test{number}@%h",
                 "--queues", "default,rollups,reminders", "--loglevel", "INFO"],
                cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT,
            ))  # fmt: skip
    celery_app.conf.task_always_eager = False
    try:
        for _ in workers:
            worker_health.delay().get(timeout=60)
        yield workers
    finally:
        celery_app.conf.task_always_eager = True
        for worker in workers:
            worker.terminate()
        for worker, log in zip(workers, logs, strict=True):
            worker.wait(timeout=20)
            print(log.read_text(errors="replace")[-3000:])


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium; Playwright's own browser download cannot run on these machines.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
