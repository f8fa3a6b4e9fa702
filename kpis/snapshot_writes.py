"""Writing score snapshots in bulk: one statement a period, whatever the number of rows.

A full recompute writes every snapshot of the organization (200,000 rows at 200 units with
monthly KPIs). Django's `bulk_create` renders every row as its own parameters, and the
client then parses that text: measured, about 75 µs a row, most of a full recompute. Here
the rows travel as one array a column and PostgreSQL unpacks them with `unnest`, so the
statement has twelve parameters however many rows it carries (measured: a few µs a row).
Each array goes as the text of an array literal, built here: the driver's own list adapter
quotes element by element in Python, which cost half the write (profiled). It is an upsert,
as `bulk_create(update_conflicts=True)` was: two recomputes racing to create the same row
cannot collide.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import connection

from kpis import engine
from kpis.models import ScoreSnapshot

TABLE = ScoreSnapshot._meta.db_table
# (column, PostgreSQL array type) of what each row carries, in the order of `_columns`.
ROW_COLUMNS = [
    ("scorecard_id", "bigint[]"),
    ("subject_type", "text[]"),
    ("subject_id", "bigint[]"),
    ("value", "numeric[]"),
    ("score", "numeric[]"),
    ("status", "text[]"),
    ("reported", "integer[]"),
    ("total", "integer[]"),
    ("periods_reported", "integer[]"),
    ("periods_total", "integer[]"),
]
UPDATED = [name for name, _ in ROW_COLUMNS[3:]] + ["computed_at"]
UNIQUE = ["period_id", "scorecard_id", "subject_type", "subject_id"]

UPSERT = (
    f"INSERT INTO {TABLE} (period_id, computed_at, {', '.join(n for n, _ in ROW_COLUMNS)}) "
    f"SELECT %s, %s, * FROM unnest({', '.join(f'%s::{kind}' for _, kind in ROW_COLUMNS)}) "
    f"ON CONFLICT ({', '.join(UNIQUE)}) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in UPDATED)
)


def upsert(
    *,
    period_id: int,
    rows: Sequence[tuple[engine.Key, engine.Outcome]],
    computed_at: datetime,
) -> None:
    """Insert the period's snapshot rows, or update the stored ones with the same key."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [period_id, computed_at, *_columns(rows)])


def _columns(rows: Sequence[tuple[engine.Key, engine.Outcome]]) -> list[str]:
    """The rows turned into one array literal a column, in `ROW_COLUMNS`' order."""
    return [
        text_array(values) if kind == "text[]" else number_array(values)
        for (_, kind), values in zip(ROW_COLUMNS, _transposed(rows), strict=True)
    ]


def number_array(values: Sequence[int | Decimal | None]) -> str:
    """A PostgreSQL array literal of integers or decimals (None: NULL). `str` of a finite
    Decimal is a valid numeric ("1.5", "1E+2"); the engine stores no other."""
    return "{" + ",".join("NULL" if value is None else str(value) for value in values) + "}"


def text_array(values: Sequence[str]) -> str:
    """A PostgreSQL array literal of strings, each quoted (a comma or a brace is no end)."""
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def _transposed(rows: Sequence[tuple[engine.Key, engine.Outcome]]) -> list[list]:
    """One list a column (a transpose), in `ROW_COLUMNS`' order."""
    return [
        [key[0] for key, _ in rows],
        [key[1] for key, _ in rows],
        [key[2] for key, _ in rows],
        [outcome.value for _, outcome in rows],
        [outcome.score for _, outcome in rows],
        [outcome.status for _, outcome in rows],
        [outcome.reported for _, outcome in rows],
        [outcome.total for _, outcome in rows],
        [outcome.periods_reported for _, outcome in rows],
        [outcome.periods_total for _, outcome in rows],
    ]
