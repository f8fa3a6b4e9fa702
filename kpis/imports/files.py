"""Reading a spreadsheet: a CSV (UTF-8, any of the usual delimiters) or XLSX file, its header
row and data rows as text cells, and the refusals of a file that cannot be imported at all."""

import csv
import io
from typing import Any

from kpis.imports.rows import ImportRow

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
REQUIRED_COLUMNS = ("kpi", "period", "value")
OPTIONAL_COLUMNS = ("comment", "scorecard")

TOO_LARGE = "The file is {size} KB; the limit is {limit} KB. Split it into smaller files."
WRONG_TYPE = "Upload a .csv or .xlsx file."
NOT_UTF8 = (
    'The file is not UTF-8 text: in your spreadsheet choose "CSV UTF-8" when saving, or upload '
    "the .xlsx file."
)
NOT_XLSX = "The file could not be read as an Excel workbook (.xlsx)."
EMPTY_FILE = "The file is empty: the first row must name the columns kpi, period and value."
MISSING_COLUMNS = (
    "Missing columns: {missing}. The first row must name the columns kpi, period and value "
    "(comment and scorecard are optional)."
)
TOO_MANY_ROWS = "The file has {count} rows; at most {limit} are imported at once."
FORMULA = "Cell {column} holds a formula; paste the values instead (formulas are not imported)."


class ImportRefused(Exception):
    """The file as a whole cannot be imported (size, type, encoding, columns)."""


def read_table(*, name: str, content: bytes) -> list[ImportRow]:
    """The file's data rows as text cells keyed by lower-case column name."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(
            TOO_LARGE.format(size=-(-len(content) // 1024), limit=MAX_BYTES // 1024)
        )
    lowered = name.lower()
    if lowered.endswith(".csv"):
        table = _csv_table(content)
    elif lowered.endswith(".xlsx"):
        table = _xlsx_table(content)
    else:
        raise ImportRefused(WRONG_TYPE)
    return _rows_of(table)


def _csv_table(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(NOT_UTF8) from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_table(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        # data_only=False keeps formulas as formulas, so they can be refused.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused(NOT_XLSX) from None
    sheet = book.worksheets[0]
    table = []
    for cells in sheet.iter_rows():
        row = []
        for cell in cells:
            value = cell.value
            if getattr(cell, "data_type", "") == "f":
                row.append("=" + str(value).lstrip("="))
            elif value is None:
                row.append("")
            elif isinstance(value, float) and value.is_integer():
                row.append(str(int(value)))
            else:
                row.append(str(value))
        table.append(row)
    book.close()
    return table


def _rows_of(table: list[list[str]]) -> list[ImportRow]:
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise ImportRefused(EMPTY_FILE)
    header = [cell.strip().lower() for cell in table[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportRefused(MISSING_COLUMNS.format(missing=", ".join(missing)))
    if len(table) - 1 > MAX_ROWS:
        raise ImportRefused(TOO_MANY_ROWS.format(count=len(table) - 1, limit=MAX_ROWS))
    wanted = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        by_column = {
            column: cells[index] if index < len(cells) else ""
            for index, column in enumerate(header)
            if column in wanted
        }
        # NUL characters are no text any database column can hold: dropped.
        cells_text = {k: v.replace("\x00", "").strip() for k, v in by_column.items()}
        row = ImportRow(number=number, cells=cells_text)
        row.label = row.cells.get("kpi", "")
        for index, column in enumerate(header):
            if column in wanted and index < len(cells) and cells[index].startswith("="):
                row.errors.append(FORMULA.format(column=_column_letter(index) + str(number)))
        rows.append(row)
    return rows


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
