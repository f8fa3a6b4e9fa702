"""The demo's SQLite-backed import: its first run changes no number of the demo."""

import sqlite3

import pytest

from connections import services
from connections.models import Import
from demo import data_connection
from kpis.models import Actual


@pytest.fixture(autouse=True)
def june():
    """The demo is built for today: this module keeps the real clock."""
    yield


@pytest.mark.django_db
def test_the_demo_import_runs_and_changes_nothing(demo):
    demo_import = Import.objects.get(name=data_connection.IMPORT_NAME)
    kpi_ids = set(Actual.objects.filter(source=Actual.Source.FORM).values_list("kpi_id", flat=True))
    before = dict(Actual.objects.values_list("pk", "value"))

    finished = services.run_execute(run_id=services.run_request(import_job=demo_import).pk)

    assert finished.status == "succeeded", finished.error
    assert finished.rows_read > 0
    assert finished.rows_changed == 0
    assert finished.rows_unchanged == finished.rows_read
    assert dict(Actual.objects.values_list("pk", "value")) == before
    assert demo_import.schedule == data_connection.SCHEDULE
    assert demo_import.next_run_at is not None
    # The one KPI whose actuals the file holds is now fed by the import.
    assert list(demo_import.fed_kpis.values_list("pk", flat=True)) in [[k] for k in kpi_ids]


def test_demos_built_with_other_actuals_keep_their_own_files(settings, tmp_path):
    """Tests build demos on other days in one folder: a second demo's ERP file must not
    replace the first's (the first demo's import then read the second's actuals)."""
    settings.SIGHTLINE_CONNECTION_FILE_ROOT = str(tmp_path)
    first = data_connection._write_erp([("F1.1", "FY2026-Q2", "10", "")])
    second = data_connection._write_erp([("F1.1", "FY2026-Q2", "12", "")])

    assert first != second
    with sqlite3.connect(tmp_path / first) as db:
        assert db.execute("SELECT value FROM actuals").fetchall() == [("10",)]
    db.close()
