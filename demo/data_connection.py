"""The demo's data connection (issue 16): an SQLite "ERP" file holding the actuals of one of
the demo's entered KPIs, and a scheduled import that reads it back. Its runs change no
number (the file holds what the demo entered), so the demo's scores stay as they were; once
the worker's beat has run it (every five minutes under `make run`), the KPI shows as fed by
the import, and its values drill down to the file's rows."""

import hashlib
import os
import sqlite3
import tempfile
from pathlib import Path

from django.conf import settings

from connections import services as connection_services
from connections.models import Connection
from kpis.models import KPI
from scorecard.models import Membership

CONNECTION_NAME = "Demo ERP (SQLite)"
IMPORT_NAME = "ERP actuals"
SCHEDULE = "*/5 * * * *"
QUERY = "SELECT kpi_code, period, value, comment FROM actuals ORDER BY period"
MAPPING = {
    "kpi_code_column": "kpi_code",
    "period_column": "period",
    "value_column": "value",
    "comment_column": "comment",
}


def create_demo_import() -> None:
    """Write the ERP file and create its connection and import (nothing when the demo has
    no entered KPI with a code and a manager above it)."""
    kpi = (
        KPI.objects.filter(source=KPI.Source.MANUAL, archived_at__isnull=True)
        .exclude(code="")
        .filter(actuals__isnull=False)
        .select_related("objective__scorecard__org_unit")
        .order_by("pk")
        .first()
    )
    if kpi is None:
        return
    unit = kpi.objective.scorecard.org_unit
    manager = _nearest_manager(unit)
    if manager is None:
        return
    rows = [
        (kpi.code, actual.period.key, format(actual.value, "f"), actual.comment)
        for actual in kpi.actuals.select_related("period").order_by("period__start")
    ]
    file_name = _write_erp(rows)
    connection = connection_services.connection_create(
        name=CONNECTION_NAME, kind=Connection.Kind.SQL, url=f"sqlite:///{file_name}"
    )
    connection_services.import_create(
        name=IMPORT_NAME,
        connection=connection,
        org_unit=unit,
        owner=manager,
        query=QUERY,
        mapping=MAPPING,
        schedule=SCHEDULE,
    )


def _nearest_manager(unit):
    memberships = Membership.objects.filter(role=Membership.Role.MANAGER).select_related(
        "user", "org_unit"
    )
    above = [m for m in memberships if unit.path.startswith(m.org_unit.path)]
    above.sort(key=lambda m: len(m.org_unit.path), reverse=True)
    return above[0].user if above else None


def _write_erp(rows: list[tuple]) -> str:
    """Write the file next to its final name and rename it into place, so a reader (or a
    second demo built at the same time) never sees half a file. Its name holds a digest of
    its rows: demos built on other days (the tests build some on fixed dates) hold other
    actuals, and each demo's connection must read its own."""
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    file_name = f"demo-erp-{digest}.sqlite"
    root = Path(settings.SIGHTLINE_CONNECTION_FILE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=root, suffix=".sqlite")
    os.close(handle)
    with sqlite3.connect(temporary) as db:
        db.execute("CREATE TABLE actuals (kpi_code TEXT, period TEXT, value TEXT, comment TEXT)")
        db.executemany("INSERT INTO actuals VALUES (?, ?, ?, ?)", rows)
    db.close()
    os.replace(temporary, root / file_name)
    return file_name
