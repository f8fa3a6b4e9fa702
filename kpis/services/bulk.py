"""Many targets or actuals at once: the API's all-or-nothing batches, and the rows of a grid
or an import, where every row is checked and the person chooses all or nothing or the valid
rows only."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kpis.models import Actual, Target
from kpis.services.actuals import StaleActual, actual_enter
from kpis.services.targets import target_set
from scorecard.models import Period
from scorecard.services import period_open


class BulkRowError(Exception):
    """A row of a bulk write was refused; nothing of the batch was saved."""

    def __init__(self, index: int, errors: Any, *, stale: Actual | None = None):
        self.index = index
        self.errors = errors
        self.stale = stale
        super().__init__(f"row {index}: {errors}")


@transaction.atomic
def targets_bulk_set(*, rows: list[dict]) -> list[Target]:
    """Upsert targets by KPI and period, all or nothing: the first bad row stops the batch."""
    saved = []
    opened: dict[tuple[str, date], Period] = {}
    for index, row in enumerate(rows):
        try:
            saved.append(
                target_set(
                    kpi=row["kpi"],
                    period=_opened(row["period"], opened),
                    value=row["value"],
                    red_flag=row.get("red_flag"),
                )
            )
        except ValidationError as error:
            raise BulkRowError(index, error.message_dict) from None
    return saved


def _opened(period: Period, opened: dict[tuple[str, date], Period]) -> Period:
    """The stored row of the period, opened once per batch rather than once per row (a
    refused row rolls the whole batch back, and what it opened with it)."""
    key = (period.grain, period.start)
    if key not in opened:
        opened[key] = period_open(period)
    return opened[key]


@transaction.atomic
def actuals_bulk_enter(*, rows: list[dict], by, source: str = Actual.Source.API) -> list[Actual]:
    """Upsert actuals by KPI and period, all or nothing. A row that carries the `version` it
    was based on is refused when someone saved since; a row without one overwrites."""
    saved = []
    opened: dict[tuple[str, date], Period] = {}
    for index, row in enumerate(rows):
        try:
            saved.append(
                actual_enter(
                    kpi=row["kpi"],
                    period=_opened(row["period"], opened),
                    value=row["value"],
                    comment=row.get("comment", ""),
                    by=by,
                    source=source,
                    based_on_version=row.get("version"),
                )
            )
        except ValidationError as error:
            raise BulkRowError(index, error.message_dict) from None
        except StaleActual as stale:
            raise BulkRowError(index, {"version": [str(stale)]}, stale=stale.current) from None
    return saved


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
) -> RowsOutcome:
    """Enter many actuals, checking every row (not stopping at the first bad one).

    Each row is `actual_enter`'s keywords (kpi, period, value, comment, based_on_version).
    Every row runs in its own savepoint, so a refused row leaves nothing behind; with
    `all_or_nothing` any refused row rolls the whole batch back, otherwise the valid rows
    stay saved. `check_only` tries every row and always rolls back: a preview."""
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
    if check_only or (errors and all_or_nothing):
        transaction.set_rollback(True)
        saved = []
    return RowsOutcome(saved=saved, errors=errors, all_or_nothing=all_or_nothing)
