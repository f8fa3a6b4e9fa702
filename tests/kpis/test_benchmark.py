"""The benchmark command builds its organization and reports every figure the issue asks."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from kpis import benchmark
from scorecard.models import OrgUnit

KEYS = {
    "kpis", "actuals", "full_recompute_s", "floor_s", "incremental_recompute_s",
    "incremental_queries", "scorecard_page_s", "scorecard_page_queries",
}  # fmt: skip


@pytest.mark.parametrize(("units", "breadth"), [(1, 1), (15, 2), (20, 3), (200, 6), (259, 6)])
def test_it_grows_the_breadth_of_a_four_level_tree_with_the_units(units, breadth):
    # 1 + b + b² + b³ must reach the count: 1+2+4+8 = 15, 1+3+9+27 = 40 ≥ 20, 1+6+36+216 = 259.
    assert benchmark.branching_for(units) == breadth


def test_it_writes_every_figure_to_json(db, tmp_path):
    target = tmp_path / "bench.json"

    call_command("benchmark", "--units", "13", "--kpis-per-unit", "8", "--quarters", "2",
                 "--json", str(target), stdout=io.StringIO())  # fmt: skip

    figures = json.loads(target.read_text())
    assert figures.keys() >= KEYS
    # Breadth 2: 1 enterprise, 2 divisions, 4 departments and the 6 teams left over, 2 each
    # under the first 3 departments. 13 × 8 = 104 KPIs; the 4 roll-up slots of the 6 units with
    # children hold no actuals: 104 − 6 × 4 = 80 entered KPIs. A third monthly: slots 3 and 6
    # (of 0–7), so 7 teams' slot 3 and all 13 units' slot 6 = 20 entered monthly KPIs with
    # 6 months each, 60 quarterly with 2 quarters: 120 + 120 = 240 actuals.
    assert (figures["kpis"], figures["actuals"], figures["monthly_kpis"]) == (104, 240, 26)
    # Four levels: enterprise, divisions, departments, teams (treebeard counts from 1).
    assert max(OrgUnit.objects.values_list("depth", flat=True)) == 4


@pytest.mark.slow
def test_it_keeps_the_same_query_counts_for_a_larger_organization(db):
    small = benchmark.measure(benchmark.Shape(units=20, kpis_per_unit=4, quarters=1))
    for unit in OrgUnit.objects.order_by("-depth"):
        unit.delete()
    large = benchmark.measure(benchmark.Shape(units=60, kpis_per_unit=4, quarters=1))

    assert small["incremental_queries"] == large["incremental_queries"]
    assert small["scorecard_page_queries"] == large["scorecard_page_queries"]


def test_a_monthly_share_of_nothing_makes_every_kpi_quarterly(db, tmp_path):
    target = tmp_path / "bench.json"

    call_command("benchmark", "--units", "13", "--kpis-per-unit", "8", "--quarters", "2",
                 "--monthly-share", "0", "--json", str(target), stdout=io.StringIO())  # fmt: skip

    figures = json.loads(target.read_text())
    # 80 entered KPIs × 2 quarters.
    assert (figures["actuals"], figures["monthly_kpis"]) == (160, 0)


@pytest.mark.parametrize("share", ["-0.1", "1.5"])
def test_it_refuses_a_monthly_share_outside_0_to_1(db, share):
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("benchmark", "--monthly-share", share, stdout=io.StringIO())


def test_it_refuses_a_database_that_already_holds_an_organization(org):
    with pytest.raises(CommandError, match="empty database"):
        call_command("benchmark", "--units", "5", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--workers", "-1"], "The workers must number 0 to 16."),
        (["--workers", "17"], "The workers must number 0 to 16."),
    ],
)
def test_it_refuses_a_number_of_workers_out_of_range(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("benchmark", *arguments, stdout=io.StringIO())
    assert not OrgUnit.objects.exists()


def test_workers_need_redis(db, settings):
    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="--workers needs REDIS_URL"):
        call_command("benchmark", "--workers", "2", stdout=io.StringIO())
    assert not OrgUnit.objects.exists()


def test_it_reports_the_recomputes_own_memory_without_workers(db, tmp_path):
    target = tmp_path / "bench.json"
    call_command("benchmark", "--units", "13", "--kpis-per-unit", "4", "--quarters", "1",
                 "--json", str(target), stdout=io.StringIO())  # fmt: skip
    figures = json.loads(target.read_text())
    assert figures["full_recompute_peak_of"] == "process"
    assert figures["full_recompute_peak_mb"] >= 0  # this machine is Linux: a figure
    assert figures["workers"] == 0 and figures["full_recompute_workers_s"] is None
