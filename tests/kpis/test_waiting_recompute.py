"""Writes that queue up behind a busy worker share one recompute (kpis/scheduling.py)."""

import re
import time
from decimal import Decimal

import pytest

from kpis import recompute, scheduling, tasks
from kpis import services as kpi_services
from kpis.models import ScoreSnapshot
from scorecard import services as core
from scorecard.celery import app as celery_app
from strategy import services as strategy_services
from tests.conftest import build_north_sales_kpi, real_workers_running

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def nothing_waiting():
    scheduling._redis().delete(scheduling.WAITING_UNITS, scheduling.WAITING_PERIODS)
    yield
    scheduling._redis().delete(scheduling.WAITING_UNITS, scheduling.WAITING_PERIODS)


def kpi_score(kpi, period):
    row = ScoreSnapshot.objects.filter(period=period, subject_type="kpi", subject_id=kpi.pk).first()
    return row.score if row else None


def test_writes_sent_while_no_worker_was_free_are_recomputed_once_for_all(
    transactional_db, org, people, tmp_path, nothing_waiting
):
    q1 = core.period_for_key("FY2026-Q1")
    north = build_north_sales_kpi(org, people)
    south = kpi_services.kpi_create(
        objective=strategy_services.objective_create(
            scorecard=org.south_ops.scorecard,
            perspective=north.objective.perspective,
            title="Grow southern revenue",
        ),
        name="Southern revenue",
        unit="USD",
        owner=people.south_team_manager,
    )
    kpi_services.target_set(kpi=south, period=q1, value=Decimal("100"))
    celery_app.conf.task_always_eager = False  # the tasks wait in Redis: no worker runs yet
    try:
        kpi_services.actual_enter(kpi=north, period=q1, value="95", by=people.owner)
        kpi_services.actual_enter(kpi=south, period=q1, value="95", by=people.south_team_manager)
        waiting_units, waiting_periods = scheduling.take_waiting()
        scheduling.add_waiting(waiting_units, waiting_periods)
    finally:
        celery_app.conf.task_always_eager = True
    assert waiting_units == sorted([org.north_sales.pk, org.south_ops.pk])
    assert q1.pk in waiting_periods
    assert kpi_score(north, q1) is None and kpi_score(south, q1) is None

    with real_workers_running(tmp_path, count=1):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and None in (kpi_score(north, q1), kpi_score(south, q1)):
            time.sleep(0.05)
        # 95 against 100, red flag at 90: 10/3 × (1 + 5/10) = 5.000000, in both chains.
        assert kpi_score(north, q1) == kpi_score(south, q1) == Decimal("5.000000")
        while time.monotonic() < deadline and scheduling.count_waiting():
            time.sleep(0.05)
    log = (tmp_path / "worker.log").read_text(errors="replace")

    finished = re.findall(
        r"kpis\.tasks\.recompute_waiting\[[^\]]+\] succeeded in [\d.]+s: (\d+)", log
    )
    # Two commits sent two tasks; the first took both chains, the second found nothing.
    assert len(finished) == 2, log[-3000:]
    assert int(finished[0]) > 0 and int(finished[1]) == 0
    assert scheduling.take_waiting() == ([], [])


def test_a_recompute_that_fails_puts_its_work_back_for_the_retry(nothing_waiting, monkeypatch):
    scheduling.add_waiting([3, 1], [7])
    scheduling.add_waiting([2], [7, 8])

    def broken(**_kwargs):
        raise ValueError("the database went away")

    monkeypatch.setattr(recompute, "recompute_units", broken)
    with pytest.raises(ValueError):
        tasks.recompute_waiting.run()

    assert scheduling.take_waiting() == ([1, 2, 3], [7, 8])
    assert scheduling.take_waiting() == ([], [])


def test_a_task_that_finds_nothing_waiting_changes_nothing(nothing_waiting, db):
    assert tasks.recompute_waiting.run() == 0
