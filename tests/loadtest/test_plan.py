"""The load test's plan and its check for lost writes (loadtest/prepare.py, loadtest/run.py):
writers never share a cell, every planned write is one the server takes, and a write whose
stored value is not the acknowledged one is counted as lost."""

import json
from decimal import Decimal

import pytest

from kpis import services as kpi_services
from kpis.models import KPI, Actual
from loadtest.prepare import build_plan
from loadtest.run import lost_writes
from scorecard.selectors import period_lookup

pytestmark = pytest.mark.django_db(transaction=True)


def test_writers_hold_disjoint_cells_they_own(demo):
    plan = build_plan(executives=2, owners=3, managers=2)

    cells = [
        (kind, cell["kpi"], cell["period"])
        for kind, writers in (("actual", plan.owners), ("target", plan.managers))
        for writer in writers
        for cell in writer.cells
    ]
    assert len(cells) == len(set(cells))
    assert all(writer.cells for writer in [*plan.owners, *plan.managers])
    for writer in plan.owners:
        owners = set(
            KPI.objects.filter(pk__in=[c["kpi"] for c in writer.cells]).values_list(
                "owner__username", flat=True
            )
        )
        assert owners == {writer.username}
    assert len(plan.executives) == 2


def test_a_locked_period_is_left_out_of_the_plan(demo):
    first = build_plan(executives=1, owners=1, managers=1).owners[0].cells[0]
    kpi = KPI.objects.select_related("objective__scorecard").get(pk=first["kpi"])
    kpi_services.quarter_lock(
        scorecard=kpi.objective.scorecard, period=period_lookup(first["period"])
    )

    again = build_plan(executives=1, owners=1, managers=1).owners[0].cells
    assert (first["kpi"], first["period"]) not in {(c["kpi"], c["period"]) for c in again}


def test_a_write_not_stored_as_acknowledged_counts_as_lost(demo, tmp_path):
    stored = Actual.objects.select_related("period").exclude(value=None).order_by("pk")[:2]
    kept, changed = stored[0], stored[1]
    acks = [
        {"kind": "actual", "kpi": kept.kpi_id, "period": kept.period.key, "value": "1"},
        # The last acknowledged value of a cell is the one that must be stored.
        {"kind": "actual", "kpi": kept.kpi_id, "period": kept.period.key, "value": str(kept.value)},
        {
            "kind": "actual",
            "kpi": changed.kpi_id,
            "period": changed.period.key,
            "value": str(changed.value + Decimal("0.5")),
        },
    ]
    path = tmp_path / "acks.json"
    path.write_text(json.dumps(acks))

    assert lost_writes(path) == (2, 1)
