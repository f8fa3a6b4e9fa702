"""Shared ground for the review tests: the Acme personas on a fixed day in FY2026 Q2, and the
North Sales KPI red in FY2026 Q1 (80 against a target of 100, red flag 90)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from kpis import recompute
from kpis import services as kpi_services
from scorecard import services as core

# FY2026 Q2 runs 1 April – 30 June 2026 with the default January start.
TODAY = dt.date(2026, 5, 12)


@pytest.fixture
def clock():
    with time_machine.travel(
        dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.UTC), tick=False
    ) as traveller:
        yield traveller


@pytest.fixture
def q1(db):
    return core.period_for_key("FY2026-Q1")


@pytest.fixture
def red_kpi(clock, north_sales_kpi, people, q1, django_capture_on_commit_callbacks):
    """North Sales' KPI turned red in Q1 through the engine (no data → red). The value comes
    in without a person (as an import or a script writes it), so its owner and the managers
    all hear of it: whoever enters a red value by hand is not told (test_red_trigger.py)."""
    recompute.recompute_everything()
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value=Decimal("80"), comment="Lost a key account.",
        )  # fmt: skip
    return north_sales_kpi
