"""Exporting a scorecard's targets and actuals, and the import template, as CSV or XLSX.

Text that a spreadsheet would read as a formula (a cell starting with = + - @, or a tab or
carriage return that some programs strip first) is prefixed with an apostrophe, the escape
OWASP recommends against formula injection. Numbers are written as numbers: a negative
actual is data, not a formula, and stays one.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kpis import scoring
from kpis.models import KPI, Actual, Target
from kpis.updates import entry_periods, stored_periods
from scorecard.models import OrganizationSettings, Period, Scorecard

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = [
    "scorecard",
    "objective",
    "kpi_id",
    "kpi",
    "unit",
    "direction",
    "period",
    "target",
    "red_flag",
    "actual",
    "comment",
    "entered_by",
    "entered_at",
    # "yes" while the quarter has not ended: its numbers are so far (DESIGN.md section 4).
    "provisional",
    # Issue 15's published measures, after the older columns so that readers of those keep
    # their places.
    "objective_code",
    "kpi_code",
    "data_source",
    "baseline",
    # Issue 15's frequencies and target types: the KPI's frequency (each row is a period of
    # it), and a band's high edge and its red flag.
    "frequency",
    "target_high",
    "red_flag_high",
]
# `kpi` names the KPI as the import reads it back: its code when it has one (a code stays
# when the KPI is renamed), else its name; `name` is for the person filling it in.
TEMPLATE_COLUMNS = ["kpi", "name", "scorecard", "unit", "period", "target", "value", "comment"]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Cell = str | Decimal | int | None


def escape(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    # Per row, the decimals its KPI shows: an XLSX number cell keeps the raw number and shows
    # it as the pages do (thousands separators, the KPI's decimals). None: Excel's default.
    decimals: list[int | None] = field(default_factory=list)


def scorecard_table(*, scorecard: Scorecard, periods: list[Period]) -> Table:
    """One row per KPI and period at the KPI's own frequency (`periods` may hold every
    grain: a monthly KPI has a row per month, a yearly one per year), oldest period first,
    each saying whether its period is still provisional; an ordinal KPI's values as level
    names. Three queries: the KPIs (with objectives), their targets and their actuals (with
    who entered them) in the periods."""
    kpis = list(
        KPI.objects.filter(objective__scorecard=scorecard)
        .select_related("objective")
        .order_by("objective__perspective__order", "objective__order", "order", "id")
    )
    period_ids = [p.pk for p in periods]
    targets = {
        (t.kpi_id, t.period_id): t
        for t in Target.objects.filter(kpi__in=kpis, period_id__in=period_ids)
    }
    actuals = {
        (a.kpi_id, a.period_id): a
        for a in Actual.objects.filter(kpi__in=kpis, period_id__in=period_ids).select_related(
            "entered_by"
        )
    }
    rows: list[list[Cell]] = []
    decimals: list[int | None] = []
    today = timezone.localdate()
    for period in periods:
        provisional = "yes" if period.is_provisional(today) else "no"
        for kpi in kpis:
            if kpi.frequency != period.grain:
                continue
            target = targets.get((kpi.pk, period.pk))
            actual = actuals.get((kpi.pk, period.pk))
            rows.append(
                [
                    scorecard.title,
                    kpi.objective.title,
                    kpi.pk,
                    kpi.name,
                    kpi.unit,
                    kpi.direction,
                    period.key,
                    _value_cell(kpi, target.value) if target else None,
                    _value_cell(kpi, target.red_flag) if target else None,
                    _value_cell(kpi, actual.value) if actual else None,
                    actual.comment if actual else "",
                    actual.entered_by.username if actual and actual.entered_by else "",
                    actual.entered_at.isoformat() if actual else "",
                    provisional,
                    kpi.objective.code,
                    kpi.code,
                    kpi.data_source,
                    kpi.baseline,
                    kpi.frequency,
                    target.value_high if target else None,
                    target.red_flag_high if target else None,
                ]
            )
            decimals.append(kpi.decimals)
    return Table(EXPORT_COLUMNS, rows, decimals)


def template_table(
    *, scorecard: Scorecard, period: Period, kpis: Iterable[KPI], today: date | None = None
) -> Table:
    """The import template: a row per KPI the person may enter and period it is asked for on
    My updates for `period` (each KPI at its own frequency: a monthly KPI has a row per month,
    `kpis.updates.entry_periods`), the target for reference (a level's name for an ordinal
    KPI), value and comment left blank (blank rows are skipped on import). Two queries: the
    periods, the targets."""
    kpis = list(kpis)
    settings = OrganizationSettings.load()
    today = today or timezone.localdate()
    page = period.as_fiscal(settings.fiscal_start_month)
    wanted = [
        (kpi, fp)
        for kpi in kpis
        for fp in entry_periods(frequency=kpi.frequency, page=page, today=today, settings=settings)
    ]
    stored = stored_periods({fp for _, fp in wanted})
    stored[(period.grain, period.start)] = period
    shown = {
        (kpi.pk, fp): stored.get((fp.grain, fp.start)) or Period.stand_in(fp) for kpi, fp in wanted
    }
    targets = {
        (t.kpi_id, t.period_id): t.value
        for t in Target.objects.filter(kpi__in=kpis, period_id__in={p.pk for p in shown.values()})
    }
    rows: list[list[Cell]] = []
    decimals: list[int | None] = []
    for kpi, fp in wanted:
        row_period = shown[(kpi.pk, fp)]
        rows.append(
            [
                kpi.code or kpi.name,
                kpi.name,
                scorecard.title,
                kpi.unit,
                row_period.key,
                _value_cell(kpi, targets.get((kpi.pk, row_period.pk))),
                None,
                "",
            ]
        )
        decimals.append(kpi.decimals)
    return Table(TEMPLATE_COLUMNS, rows, decimals)


def _value_cell(kpi: KPI, value: Decimal | None) -> Cell:
    """A value as a file carries it: an ordinal KPI's level name (what the import reads),
    else the number."""
    if value is not None and kpi.is_ordinal:
        return scoring.level_name(kpi.levels or (), value) or value
    return value


def as_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if cell is None else escape(cell) for cell in row])
    # A byte-order mark, so Excel opens the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Actuals")
    sheet.append(table.columns)
    for index, row in enumerate(table.rows):
        places = table.decimals[index] if index < len(table.decimals) else None
        sheet.append([_xlsx_cell(sheet, cell, places) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def number_format(places: int) -> str:
    """Excel's format for a KPI's numbers: thousands separators and its decimals."""
    return "#,##0" + ("." + "0" * places if places else "")


def _xlsx_cell(sheet: Any, cell: Cell, places: int | None) -> object:
    if isinstance(cell, Decimal):
        from openpyxl.cell import WriteOnlyCell

        # Excel holds doubles; the export carries at most the field's 6 decimal places.
        number = WriteOnlyCell(sheet, value=float(cell))
        if places is not None:
            number.number_format = number_format(places)
        return number
    return escape(cell)
