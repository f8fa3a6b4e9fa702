"""A task through a real Celery worker on Redis, reading the real (PostgreSQL) database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from scorecard.celery import app as celery_app
from scorecard.tasks import worker_health

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL: a worker process cannot share "
        "the SQLite in-memory test database (.ci/run sets both)",
    ),
]


@pytest.fixture
def real_worker(transactional_db):
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "scorecard",
            "worker",
            "--pool",
            "solo",
            "--queues",
            "default,rollups,reminders",
            "--loglevel",
            "INFO",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        output, _ = worker.communicate(timeout=20)
        print(output.decode(errors="replace")[-3000:])


def test_it_runs_a_task_on_a_real_worker_against_the_database(real_worker, org):
    result = worker_health.delay()

    assert result.get(timeout=60) == {"database": "postgresql", "org_units": 5}
