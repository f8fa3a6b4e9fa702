"""Writes that queue up behind a busy worker share one recompute (kpis/scheduling.py)."""

import re
import time
from decimal import Decimal

import pytest

from kpis import recompute, tasks, waiting
from kpis import services as kpi_services
from kpis.models import ScoreSnapshot
from scorecard import services as core
from scorecard.celery import app as celery_app
from strategy import services as strategy_services
from tests.conftest import build_north_sales_kpi, real_workers_running

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def nothing_waiting():
    """No work or task left in this test process's Redis database by an earlier test."""
    waiting.forget()
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge("rollups")
    yield
    waiting.forget()


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
    finally:
        celery_app.conf.task_always_eager = True
    chains = dict(
        (period, units)
        for units, periods in waiting.grouped(waiting._redis().smembers(waiting.WAITING))
        for period in periods
    )
    assert chains[q1.pk] == sorted([org.north_sales.pk, org.south_ops.pk])
    assert kpi_score(north, q1) is None and kpi_score(south, q1) is None

    log = tmp_path / "worker.log"
    with real_workers_running(tmp_path, count=1):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(finished(log)) < 2:
            time.sleep(0.05)
        # 95 against 100, red flag at 90: 10/3 × (1 + 5/10) = 5.000000, in both chains.
        assert kpi_score(north, q1) == kpi_score(south, q1) == Decimal("5.000000")

    # Two commits sent two tasks: the first took both chains and recomputed the quarter once,
    # the second found nothing to take.
    text = log.read_text(errors="replace")
    assert len(finished(log)) == 2, text[-3000:]
    assert int(finished(log)[0]) > 0 and int(finished(log)[1]) == 0
    assert text.count("recomputed FY2026-Q1:") == 1, text[-3000:]
    assert waiting.count() == 0


def finished(log) -> list[str]:
    """The rows changed by each recompute_waiting the worker finished, in order."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return re.findall(r"kpis\.tasks\.recompute_waiting\[[^\]]+\] succeeded in \S+s: (\d+)", text)


def test_what_a_task_took_waits_under_its_id_until_it_ends(nothing_waiting):
    waiting.add([3, 1], [7])
    waiting.add([2], [7, 8])

    took = waiting.take("first")
    waiting.add([4], [8])

    # Period 7 holds units 1-3 and period 8 only unit 2: two recomputes.
    assert took == [([1, 2, 3], [7]), ([2], [8])]
    assert waiting.take("first") == took  # a retry, or a redelivery after a killed worker
    assert waiting.take("second") == [([4], [8])]
    waiting.done("first")
    waiting.done("second")
    assert waiting.take("first") == [] and waiting.count() == 0


def test_a_recompute_that_fails_keeps_its_work_for_the_retry(nothing_waiting, monkeypatch):
    waiting.add([3, 1], [7])
    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        raise ValueError("the database went away")

    monkeypatch.setattr(recompute, "recompute_units", broken)
    with pytest.raises(ValueError):
        tasks.recompute_waiting.apply(task_id="retried", throw=True)
    with pytest.raises(ValueError):
        tasks.recompute_waiting.apply(task_id="retried", throw=True)

    assert calls == [{"unit_ids": [1, 3], "period_ids": [7]}] * 2
    assert waiting.count() == 0  # taken, not back in the shared set for others to fail on
    waiting.done("retried")


def test_a_task_that_finds_nothing_waiting_changes_nothing(nothing_waiting, db):
    assert tasks.recompute_waiting.apply(throw=True).get() == 0
