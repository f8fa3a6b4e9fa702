"""A full recompute shared out (issue 18): the plan cuts a large tree into chunks of whole
subtrees and the units above them, groups each grain's periods, and, run job by job, writes
exactly the snapshots one job over everything writes; on real workers too."""

import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from kpis import recompute, services, snapshot_writes, tasks
from kpis.formula_graph import formula_graph
from kpis.models import KPI, ScoreSnapshot
from kpis.recompute_plan import Job, tree_chunks
from scorecard import services as core
from scorecard.models import Period
from strategy import services as strategy_services
from tests.factories import org_unit

NOW = dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def tree(db):
    """Acme ─ North ─ North A, North B; South ─ South A; East: seven scorecards."""
    acme = org_unit("Acme", "enterprise")
    north = org_unit("North", "division", acme)
    south = org_unit("South", "division", acme)
    units = {
        "acme": acme,
        "north": north,
        "north_a": org_unit("North A", "team", north),
        "north_b": org_unit("North B", "team", north),
        "south": south,
        "south_a": org_unit("South A", "team", south),
        "east": org_unit("East", "division", acme),
    }
    return {name: unit.scorecard.pk for name, unit in units.items()}


def named(tree, ids):
    by_id = {pk: name for name, pk in tree.items()}
    return sorted(by_id[pk] for pk in ids)


def test_a_tree_that_fits_one_chunk_is_not_cut(tree):
    assert tree_chunks(7, graph=formula_graph()) is None


def test_it_cuts_whole_subtrees_and_packs_neighbours_up_to_the_limit(tree):
    # Acme holds 7 > 3: it is above the chunks. North (3), South (2) and East (1) fit; South
    # and East together make 3.
    cut = tree_chunks(3, graph=formula_graph())
    assert [named(tree, chunk) for chunk in cut.chunks] == [
        ["north", "north_a", "north_b"],
        ["east", "south", "south_a"],
    ]
    assert named(tree, cut.upper) == ["acme"]


def test_a_subtree_larger_than_the_limit_goes_above_and_its_children_are_cut(tree):
    # North holds 3 > 2: above, with Acme; its teams make one chunk, South another, East a
    # third (South's 2 leave no room).
    cut = tree_chunks(2, graph=formula_graph())
    assert [named(tree, chunk) for chunk in cut.chunks] == [
        ["north_a", "north_b"],
        ["south", "south_a"],
        ["east"],
    ]
    assert named(tree, cut.upper) == ["acme", "north"]


def test_a_formula_reading_another_chunk_keeps_the_tree_whole(tree, financial):
    south_a = core.OrgUnit.objects.get(name="South A")
    north_a = core.OrgUnit.objects.get(name="North A")
    cost = services.kpi_create(objective=objective_of(south_a, financial), name="Cost", code="C")
    assert cost.pk
    services.kpi_create(
        objective=objective_of(north_a, financial),
        name="Doubled cost",
        code="D",
        source=KPI.Source.FORMULA,
        formula=f"[{south_a.slug}:C] * 2",
    )
    # Under the limit of 3 North A and South A are in different chunks: a chunk would read
    # the other's snapshot before it is recomputed.
    assert tree_chunks(3, graph=formula_graph()) is None


def objective_of(unit, perspective):
    return strategy_services.objective_create(
        scorecard=unit.scorecard, perspective=perspective, title="Grow margins"
    )


def test_the_stages_go_finest_first_with_the_upper_part_after_its_chunks(tree, settings):
    settings.SIGHTLINE_RECOMPUTE_CHUNK_UNITS = 3
    settings.SIGHTLINE_RECOMPUTE_PERIODS_PER_TASK = 2
    # Opening a month opens its quarter (FY2026 Q2) and its year.
    months = [core.period_for_key(f"2026-0{n}") for n in (4, 5, 6)]
    stages = recompute.full_stages(period_ids=[month.pk for month in months])
    # The three months (two jobs of periods a chunk), then the quarter, then the year.
    grains = [
        {Period.objects.get(pk=pk).grain for job in stage for pk in job.period_ids}
        for stage in stages
    ]
    assert grains == [{"month"}, {"month"}, {"quarter"}, {"quarter"}, {"year"}, {"year"}]
    month_chunks = stages[0]
    assert len(month_chunks) == 2 * 2  # two groups of periods × two chunks
    assert all(job.shared for stage in stages for job in stage)
    assert [named(tree, job.scorecard_ids) for job in stages[1]] == [["acme"], ["acme"]]


# Chunked and whole, on the demo -----------------------------------------------------------


def stored_snapshots() -> dict:
    return {
        (row[0], row[1], row[2], row[3]): row[4:]
        for row in ScoreSnapshot.objects.values_list(
            "period_id", "scorecard_id", "subject_type", "subject_id", *recompute.SNAPSHOT_FIELDS
        )
    }


def recompute_from_nothing() -> list[recompute.RecomputeResult]:
    ScoreSnapshot.objects.all().delete()
    return recompute.recompute_everything()


@pytest.mark.django_db(transaction=True)
def test_chunks_write_exactly_what_one_job_over_everything_writes(demo, settings):
    settings.SIGHTLINE_RECOMPUTE_CHUNK_UNITS = 1_000_000
    whole = recompute_from_nothing()
    expected = stored_snapshots()
    assert len(expected) > 1000

    settings.SIGHTLINE_RECOMPUTE_CHUNK_UNITS = 2
    settings.SIGHTLINE_RECOMPUTE_PERIODS_PER_TASK = 3
    cut = tree_chunks(2, graph=formula_graph())
    assert cut is not None and len(cut.chunks) > 2 and cut.upper
    chunked = recompute_from_nothing()
    assert stored_snapshots() == expected
    # One result a period, and every row written once: no two jobs wrote the same row.
    assert [r.period_id for r in chunked] == [r.period_id for r in whole]
    assert sum(r.written for r in chunked) == len(expected)
    assert sum(r.changed for r in recompute.recompute_everything()) == 0


def test_the_array_literals_quote_what_needs_quoting():
    assert snapshot_writes.number_array([1, None, Decimal("2.50"), Decimal("1E+2")]) == (
        "{1,NULL,2.50,1E+2}"
    )
    assert snapshot_writes.text_array(["a,b", 'say "hi"', "back\\slash", "{}"]) == (
        '{"a,b","say \\"hi\\"","back\\\\slash","{}"}'
    )


@pytest.mark.django_db(transaction=True)
def test_a_text_with_quotes_and_commas_survives_the_database_round_trip():
    from django.db import connection

    values = ["a,b", 'say "hi"', "back\\slash", "{}", "NULL"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::text[])", [snapshot_writes.text_array(values)])
        assert [row[0] for row in cursor.fetchall()] == values


# On real workers --------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_recompute_scores_shares_the_jobs_out_to_two_workers_and_loses_nothing(
    demo, two_real_workers, settings, tmp_path
):
    settings.SIGHTLINE_RECOMPUTE_CHUNK_UNITS = 1_000_000
    recompute_from_nothing()
    expected = stored_snapshots()
    ScoreSnapshot.objects.all().delete()
    settings.SIGHTLINE_RECOMPUTE_CHUNK_UNITS = 2
    settings.SIGHTLINE_RECOMPUTE_PERIODS_PER_TASK = 3
    output = io.StringIO()
    call_command("recompute_scores", stdout=output)
    assert stored_snapshots() == expected
    periods = Period.objects.count()
    assert output.getvalue().strip() == (
        f"Recomputed {periods} periods: {len(expected)} snapshots written, 0 removed."
    )
    # Every job ran on a worker, once, and both workers took some.
    jobs = sum(len(stage) for stage in recompute.full_stages())
    ran = [log.read_text().count("Task kpis.tasks.recompute_job[") // 2 for log in
           sorted(tmp_path.glob("worker-*.log"))]  # fmt: skip
    assert sum(ran) == jobs
    assert all(ran), f"one worker took no job: {ran}"


def test_a_job_carries_its_arguments_as_json():
    job = Job(period_ids=(3, 1), scorecard_ids=(7,), shared=True)
    assert job.as_arguments() == {"period_ids": [3, 1], "scorecard_ids": [7], "shared": True}


@pytest.fixture
def small_chunks_on_workers(monkeypatch):
    """Workers started after this plan in chunks of two units, three periods a job."""
    monkeypatch.setenv("SIGHTLINE_RECOMPUTE_CHUNK_UNITS", "2")
    monkeypatch.setenv("SIGHTLINE_RECOMPUTE_PERIODS_PER_TASK", "3")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_sends_its_stages_to_the_workers_as_a_chain(
    demo, small_chunks_on_workers, two_real_workers, settings, tmp_path
):
    settings.SIGHTLINE_RECOMPUTE_CHUNK_UNITS = 1_000_000
    recompute_from_nothing()
    expected = stored_snapshots()
    ScoreSnapshot.objects.all().delete()
    sent = tasks.recompute_everything.delay(None).get(timeout=60)
    assert sent > 10  # jobs, in chunks of two units
    deadline = time.monotonic() + 120
    while len(stored_snapshots()) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.5)
    finished = [log.read_text().count("Task kpis.tasks.recompute_job[") // 2 for log in
                sorted(tmp_path.glob("worker-*.log"))]  # fmt: skip
    while sum(finished) < sent and time.monotonic() < deadline:
        time.sleep(0.5)
        finished = [log.read_text().count("Task kpis.tasks.recompute_job[") // 2 for log in
                    sorted(tmp_path.glob("worker-*.log"))]  # fmt: skip
    assert stored_snapshots() == expected
    assert sum(finished) == sent
    # The nightly run found everything missing and said so, once a job.
    assert "nightly full recompute changed" in "".join(
        log.read_text() for log in tmp_path.glob("worker-*.log")
    )


def test_recompute_scores_says_so_when_no_worker_answers(db):
    from django.core.management import CommandError

    from scorecard.celery import app

    app.conf.task_always_eager = False
    try:
        with pytest.raises(CommandError, match="No Celery worker answers"):
            call_command("recompute_scores", stdout=io.StringIO())
    finally:
        app.conf.task_always_eager = True
    assert not ScoreSnapshot.objects.exists()


def test_recompute_scores_refuses_a_timeout_that_is_no_wait(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="positive number of seconds"):
        call_command("recompute_scores", "--timeout", "0", stdout=io.StringIO())
