"""Many targets or actuals at once: the API's all-or-nothing batches, and the rows of a grid
or an import, where every row is checked and the person chooses all or nothing or the valid
rows only."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from kpis.models import Actual, Target
from kpis.services.actuals import StaleActual, actual_enter
from kpis.services.targets import target_set
from scorecard.models import Period
from scorecard.services import period_open


class BulkRowError(Exception):
    """A row of a bulk write was stale (saved by someone since the `version` it carries);
    nothing of the batch was saved."""

    def __init__(self, index: int, errors: Any, *, stale: Actual | None = None):
        self.index = index
        self.errors = errors
        self.stale = stale
        super().__init__(f"row {index}: {errors}")


class BulkRowsInvalid(Exception):
    """Rows of a bulk write were refused, each with its field errors (`errors`, by the row's
    0-based index); nothing of the batch was saved."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.errors = errors
        super().__init__(f"rows {sorted(errors)} refused")


@transaction.atomic
def targets_bulk_set(*, rows: list[dict], check_only: bool = False) -> list[Target]:
    """Upsert targets by KPI and period, all or nothing: every row is tried, and any refused
    one (BulkRowsInvalid, with every refused row) saves none. `check_only` tries every row and
    keeps none."""

    def write(row: dict, period: Period) -> Target:
        return target_set(
            kpi=row["kpi"],
            period=period,
            value=row["value"],
            red_flag=row.get("red_flag"),
            value_high=row.get("value_high"),
            red_flag_high=row.get("red_flag_high"),
        )

    return _all_or_nothing(rows, write, check_only=check_only)


@transaction.atomic
def actuals_bulk_enter(
    *, rows: list[dict], by, source: str = Actual.Source.API, check_only: bool = False
) -> list[Actual]:
    """Upsert actuals by KPI and period, all or nothing. A row that carries the `version` it
    was based on is stale when someone saved since; a row without one overwrites. Refused
    rows come first (BulkRowsInvalid, with every one of them); only a batch without any is
    refused for its first stale row (BulkRowError with `stale`)."""

    def write(row: dict, period: Period) -> Actual:
        return actual_enter(
            kpi=row["kpi"],
            period=period,
            value=row["value"],
            comment=row.get("comment", ""),
            by=by,
            source=source,
            based_on_version=row.get("version"),
        )

    return _all_or_nothing(rows, write, check_only=check_only)


def _all_or_nothing(
    rows: list[dict], write: Callable[[dict, Period], Any], *, check_only: bool
) -> list:
    """Try every row in its own savepoint (a refused row leaves nothing behind, and the rows
    after it are still checked); roll the batch back when any row was refused or stale."""
    saved = []
    errors: dict[int, dict[str, list[str]]] = {}
    stale: tuple[int, StaleActual] | None = None
    # Periods are opened outside the rows' savepoints: a period opened for a refused row
    # must not vanish under the rows after it. A refused batch rolls them back with it.
    opened: dict[tuple[str, date], Period] = {}
    for index, row in enumerate(rows):
        try:
            period = _opened(row["period"], opened)
            with transaction.atomic():
                saved.append(write(row, period))
        except ValidationError as error:
            errors[index] = field_errors(error)
        except StaleActual as conflict:
            stale = stale or (index, conflict)
    if errors:
        raise BulkRowsInvalid(errors)
    if stale is not None:
        stale_index, stale_error = stale
        raise BulkRowError(stale_index, {"version": [str(stale_error)]}, stale=stale_error.current)
    if check_only:
        transaction.set_rollback(True)
        return []
    return saved


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A service's refusal as field errors; one not tied to a field is `non_field_errors`."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    errors = dict(error.message_dict)
    if NON_FIELD_ERRORS in errors:
        errors["non_field_errors"] = errors.pop(NON_FIELD_ERRORS)
    return errors


def _opened(period: Period, opened: dict[tuple[str, date], Period]) -> Period:
    """The stored row of the period, opened once per batch rather than once per row (a
    refused batch rolls back what it opened with it)."""
    key = (period.grain, period.start)
    if key not in opened:
        opened[key] = period_open(period)
    return opened[key]


@dataclass
class RowsOutcome:
    """What a grid or an import did: the actuals saved and, by row index, why others were
    refused. With `all_or_nothing`, one refused row means nothing was saved."""

    saved: list[Actual]
    errors: dict[int, dict[str, list[str]]]
    all_or_nothing: bool

    @property
    def rolled_back(self) -> bool:
        return self.all_or_nothing and bool(self.errors)


@transaction.atomic
def actuals_enter_rows(
    *,
    rows: list[dict],
    by,
    source: str,
    all_or_nothing: bool = True,
    check_only: bool = False,
    today: date | None = None,
    on_row: Callable[[int], None] | None = None,
) -> RowsOutcome:
    """Enter many actuals, checking every row (not stopping at the first bad one).

    Each row is `actual_enter`'s keywords (kpi, period, value, comment, based_on_version).
    Every row runs in its own savepoint, so a refused row leaves nothing behind; with
    `all_or_nothing` any refused row rolls the whole batch back, otherwise the valid rows
    stay saved. `check_only` tries every row and always rolls back: a preview. `on_row` is
    told how many rows were tried so far (a long import's progress)."""
    saved: list[Actual] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        try:
            with transaction.atomic():
                saved.append(actual_enter(by=by, source=source, today=today, **row))
        except ValidationError as error:
            errors[index] = error.message_dict
        except StaleActual as stale:
            errors[index] = {"version": [str(stale)]}
        if on_row is not None:
            on_row(index + 1)
    if check_only or (errors and all_or_nothing):
        transaction.set_rollback(True)
        saved = []
    return RowsOutcome(saved=saved, errors=errors, all_or_nothing=all_or_nothing)
