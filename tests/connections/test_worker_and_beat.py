"""A scheduled import carried out by a real Celery worker with its embedded beat, on Redis:
the beat claims the due import and the worker runs it against the real SQLite file."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from connections.models import Import, ImportRun
from kpis.models import Actual
from scorecard.celery import app as celery_app
from tests.conftest import PROJECT

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def june():
    """The worker runs on the real clock, so this module does too."""
    yield


@pytest.fixture
def worker_with_beat(transactional_db, tmp_path, root):
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SIGHTLINE_CONNECTION_FILE_ROOT": str(root),
        # The beat looks for due imports every second instead of every minute.
        "SIGHTLINE_CONNECTION_BEAT_SECONDS": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "scorecard", "worker", "--beat",
             "--schedule", str(tmp_path / "beat-schedule"), "--pool", "solo",
             "--queues", "default,rollups,reminders", "--loglevel", "INFO"],
            cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    celery_app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=20)
        print(log.read_text(errors="replace")[-3000:])


def test_the_beat_runs_a_due_import_on_the_worker(sales_import, sales_kpis, worker_with_beat):
    # Due now: the next minute the cron names would make the test wait for it.
    Import.objects.filter(pk=sales_import.pk).update(
        schedule="* * * * *", next_run_at="2000-01-01T00:00Z"
    )

    deadline = time.monotonic() + 90
    run = None
    while time.monotonic() < deadline:
        run = ImportRun.objects.filter(import_job=sales_import).first()
        if run is not None and not run.is_active:
            break
        time.sleep(0.5)

    assert run is not None, "the beat queued no run"
    assert (run.trigger, run.status) == ("schedule", "succeeded"), run.error
    assert Actual.objects.filter(kpi=sales_kpis["NS"]).count() == 3
    sales_import.refresh_from_db()
    assert sales_import.next_run_at is not None
    assert sales_import.next_run_at.year >= 2026
