"""Connections' fixtures: a connections folder, a real SQLite "ERP" in it, monthly sales KPIs
of North Sales, and an import owned by North's manager."""

import sqlite3
from decimal import Decimal

import pytest
import time_machine

from connections import services
from connections.models import Connection
from kpis import services as kpi_services
from scorecard.models import Perspective
from strategy import services as strategy_services

# Pages and runs happen mid-June 2026: January to May have started, June is under way.
TODAY = "2026-06-15 10:00:00+00:00"


@pytest.fixture(autouse=True)
def june():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def root(settings, tmp_path):
    folder = tmp_path / "connections"
    folder.mkdir()
    settings.SIGHTLINE_CONNECTION_FILE_ROOT = str(folder)
    return folder


SALES = [
    # (region, day, amount, note)
    ("NS", "2026-01-05", "100", "first"),
    ("NS", "2026-01-20", "50", ""),
    ("NS", "2026-02-10", "70", ""),
    ("NS", "2026-03-03", "30", "march"),
    ("LEADS", "2026-02-01", "7", ""),
]


def make_erp(path, rows=SALES) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sales (region TEXT, day TEXT, amount NUMERIC, note TEXT)")
        db.executemany("INSERT INTO sales VALUES (?, ?, ?, ?)", rows)
    db.close()


@pytest.fixture
def erp(root):
    make_erp(root / "erp.sqlite")
    return root / "erp.sqlite"


@pytest.fixture
def sales_kpis(org, people):
    """Two monthly KPIs of North Sales summed over time: sales (code NS), leads (code LEADS)."""
    objective = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard,
        perspective=Perspective.objects.get(order=4),
        title="Grow regional sales",
        owner=people.north_manager,
    )
    made = {}
    for code, name in (("NS", "Monthly sales"), ("LEADS", "Leads")):
        made[code] = kpi_services.kpi_create(
            objective=objective,
            name=name,
            code=code,
            unit="USD",
            owner=people.owner,
            frequency="month",
            time_aggregation="sum",
            direction="up",
            baseline=Decimal("0"),
        )
    return made


@pytest.fixture
def sqlite_connection(erp):
    return services.connection_create(
        name="ERP (SQLite)", kind=Connection.Kind.SQL, url="sqlite:///erp.sqlite"
    )


SALES_QUERY = "SELECT region, day, amount, note FROM sales ORDER BY rowid"
SALES_MAPPING = {
    "kpi_code_column": "region",
    "date_column": "day",
    "value_column": "amount",
    "comment_column": "note",
}


@pytest.fixture
def sales_import(org, people, sqlite_connection, sales_kpis):
    return services.import_create(
        name="Monthly sales",
        connection=sqlite_connection,
        org_unit=org.north_sales,
        owner=people.north_manager,
        query=SALES_QUERY,
        mapping=SALES_MAPPING,
    )
