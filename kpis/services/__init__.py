"""Writes with rules for KPIs, targets and actuals, one module per idea:

- `structure`: create, edit, archive, delete and reorder an objective's KPIs;
- `cascade`: cascade a KPI to the child units, as a roll-up of the KPIs created there;
- `targets`: a quarter's target, the targets grid, the roll-forward into the next year;
- `actuals`: a quarter's actual, with its rules; `locks`: the quarters closed by a review;
- `bulk`: many targets or actuals at once (API batches, grids, imports);
- `numbers`: numbers as a person or a file gives them.

Callers use the names below as `from kpis import services; services.actual_enter(...)`.
"""

from kpis.services.actuals import (
    QUARTER_NOT_STARTED,
    RED_NEEDS_COMMENT,
    STALE_VERSION,
    StaleActual,
    actual_enter,
)
from kpis.services.bulk import (
    BulkRowError,
    BulkRowsInvalid,
    RowsOutcome,
    actuals_bulk_enter,
    actuals_enter_rows,
    targets_bulk_set,
)
from kpis.services.cascade import (
    CASCADE_KPI_ALREADY,
    CASCADE_KPI_HAS_ACTUALS,
    CASCADE_KPI_NEEDS_OBJECTIVE,
    CASCADE_KPI_NO_UNITS,
    CASCADE_KPI_NOT_CHILD,
    CASCADE_KPI_OBJECTIVE_ELSEWHERE,
    CASCADED_FIELDS,
    kpi_cascade,
)
from kpis.services.grains import PERIOD_NOT_AT_FREQUENCY, check_period_fits_frequency
from kpis.services.locks import (
    QUARTER_LOCKED,
    check_quarter_open,
    quarter_is_locked,
    quarter_lock,
    quarter_unlock,
)
from kpis.services.numbers import NOT_A_NUMBER, as_decimal
from kpis.services.structure import (
    KPI_HAS_DATA,
    kpi_archive,
    kpi_create,
    kpi_delete,
    kpi_move,
    kpi_update,
    unit_id_of,
)
from kpis.services.targets import (
    GridErrors,
    target_clear,
    target_set,
    targets_grid_save,
    targets_roll_forward,
)

__all__ = [
    "CASCADED_FIELDS",
    "CASCADE_KPI_ALREADY",
    "CASCADE_KPI_HAS_ACTUALS",
    "CASCADE_KPI_NEEDS_OBJECTIVE",
    "CASCADE_KPI_NOT_CHILD",
    "CASCADE_KPI_NO_UNITS",
    "CASCADE_KPI_OBJECTIVE_ELSEWHERE",
    "KPI_HAS_DATA",
    "NOT_A_NUMBER",
    "PERIOD_NOT_AT_FREQUENCY",
    "QUARTER_LOCKED",
    "QUARTER_NOT_STARTED",
    "RED_NEEDS_COMMENT",
    "STALE_VERSION",
    "BulkRowError",
    "BulkRowsInvalid",
    "GridErrors",
    "RowsOutcome",
    "StaleActual",
    "actual_enter",
    "actuals_bulk_enter",
    "actuals_enter_rows",
    "as_decimal",
    "check_period_fits_frequency",
    "check_quarter_open",
    "kpi_archive",
    "kpi_cascade",
    "kpi_create",
    "kpi_delete",
    "kpi_move",
    "kpi_update",
    "quarter_is_locked",
    "quarter_lock",
    "quarter_unlock",
    "target_clear",
    "target_set",
    "targets_bulk_set",
    "targets_grid_save",
    "targets_roll_forward",
    "unit_id_of",
]
