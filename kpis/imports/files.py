"""Reading a spreadsheet: a CSV (UTF-8, any of the usual delimiters) or XLSX file, its header
row and data rows as text cells, and the refusals of a file that cannot be imported at all."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from kpis.imports.rows import ImportRow

REQUIRED_COLUMNS = ("kpi", "period", "value")
OPTIONAL_COLUMNS = ("comment", "scorecard")

TOO_LARGE = "The file is {size} KB; the limit is {limit} KB. Split it into smaller files."
WRONG_TYPE = "Upload a .csv or .xlsx file."
NOT_UTF8 = (
    'The file is not UTF-8 text: in your spreadsheet choose "CSV UTF-8" when saving, or upload '
    "the .xlsx file."
)
NOT_CSV = "The file could not be read as CSV (line {line}): {problem}."
NOT_XLSX = "The file could not be read as an Excel workbook (.xlsx)."
TOO_LARGE_UNPACKED = (
    "The workbook holds {size} MB once unpacked; the limit is {limit} MB. Split it into smaller "
    "files."
)
TOO_MANY_PARTS = (
    "The workbook has {count} parts; the limit is {limit}. Copy the sheet into a new workbook "
    "and upload that."
)
TOO_MANY_TEXTS = (
    "The workbook holds more than {limit:,} texts, more than {rows:,} rows of {columns} columns "
    "can use. Copy the sheet into a new workbook and upload that."
)
EMPTY_FILE = "The file is empty: the first row must name the columns kpi, period and value."
MISSING_COLUMNS = (
    "Missing columns: {missing}. The first row must name the columns kpi, period and value "
    "(comment and scorecard are optional)."
)
TOO_MANY_COLUMNS = (
    "The first row has more than {limit} columns; at most {limit} are read. Keep the columns "
    "kpi, period, value, comment and scorecard."
)
TOO_MANY_ROWS = (
    "The file has more than {limit} rows; at most {limit} are imported at once. Split it into "
    "smaller files."
)
SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXCEL_COLUMNS = 16_384  # A to XFD: no real workbook has a row of more cells
TOO_MANY_CELLS = (
    "The sheet holds more cells than {rows:,} rows of {columns} columns: delete the empty "
    "formatted rows and columns, or copy the values into a new workbook and upload that."
)
NO_SUCH_SHEET = 'The workbook has no sheet named "{sheet}".'
FORMULA = "Cell {column} holds a formula; paste the values instead (formulas are not imported)."


class ImportRefused(Exception):
    """The file as a whole cannot be imported (size, type, encoding, columns)."""


def max_bytes() -> int:
    """The largest file accepted, in bytes (SIGHTLINE_IMPORT_MAX_BYTES)."""
    return settings.SIGHTLINE_IMPORT_MAX_BYTES


def read_table(*, name: str, content: bytes) -> list[ImportRow]:
    """The file's data rows as text cells keyed by lower-case column name.

    Every limit is checked while reading, so a hostile file costs no more than an allowed one:
    the bytes first, then (XLSX) the unpacked size before the workbook is opened, and the rows
    and columns as they are read, stopping one row past the limit."""
    return _rows_of(read_grid(name=name, content=content))


def read_grid(*, name: str, content: bytes, sheet: str = "") -> list[list[str]]:
    """The header row and the data rows of a CSV or XLSX file (`sheet`, or the first one), as
    text cells, within every limit `read_table` applies. Data connections read their files
    with it (connections.readers), so both kinds of import share one hardened reader."""
    if len(content) > max_bytes():
        raise ImportRefused(
            TOO_LARGE.format(size=-(-len(content) // 1024), limit=max_bytes() // 1024)
        )
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return _within_limits(_csv_rows(content))
    if lowered.endswith(".xlsx"):
        return _within_limits(_xlsx_rows(content, sheet))
    raise ImportRefused(WRONG_TYPE)


def _within_limits(rows: Iterable[list[str]]) -> list[list[str]]:
    """The header and at most SIGHTLINE_IMPORT_MAX_ROWS rows, each cut to the header's width.

    Blank rows count: a sheet can declare a million of them, and reading them is the work this
    limit bounds."""
    limit = settings.SIGHTLINE_IMPORT_MAX_ROWS
    table: list[list[str]] = []
    width = 0
    for row in rows:
        if not table:
            width = _header_width(row)
        elif len(table) > limit:
            raise ImportRefused(TOO_MANY_ROWS.format(limit=limit))
        table.append(row[:width])
    return table


def _header_width(header: list[str]) -> int:
    limit = settings.SIGHTLINE_IMPORT_MAX_COLUMNS
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    if width > limit:
        raise ImportRefused(TOO_MANY_COLUMNS.format(limit=limit))
    return width


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(NOT_UTF8) from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        yield from reader
    except csv.Error as error:  # a quoted field past the csv module's size limit, say
        raise ImportRefused(NOT_CSV.format(line=reader.line_num, problem=error)) from None


def _xlsx_rows(content: bytes, sheet_name: str = "") -> Iterator[list[str]]:
    _check_unpacked_size(content)
    try:
        sheet = _first_sheet(content, sheet_name)
    except ImportRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportRefused(NOT_XLSX) from None
    columns = settings.SIGHTLINE_IMPORT_MAX_COLUMNS + 1
    try:
        # Each row is cut one column past the limit, so that a wider header is seen.
        for cells in sheet.iter_rows(min_row=1, min_col=1, max_col=columns):
            yield [_cell_text(cell) for cell in cells]
    except ImportRefused:
        raise
    except Exception:  # a broken sheet part fails while it is read, not when it is opened
        raise ImportRefused(NOT_XLSX) from None
    finally:
        sheet.parent.close()


def _first_sheet(content: bytes, sheet_name: str = "") -> Any:
    """The workbook's first worksheet (or the one named `sheet_name`), read only, rows as
    they are stored."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    class UnsizedSheet(ReadOnlyWorksheet):
        # openpyxl believes a sheet's declared dimension (A1:XFD12000 pads every row to
        # 16,384 cells) and, when it has none, parses the whole sheet at opening to look for
        # one. Unsized, it reads the rows as they are stored, and only as far as we ask.
        def _get_size(self) -> None:
            pass

    class FirstSheetReader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = _shared_strings(source)

        def read_worksheets(self) -> None:
            for sheet, rel in self.parser.find_sheets():
                if sheet_name and sheet.name != sheet_name:
                    continue
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    with self.archive.open(rel.target) as source:
                        _check_sheet_shape(source)
                    unsized = UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    self.wb._sheets.append(unsized)
                    return

    # data_only=False keeps formulas as formulas, so they can be refused.
    reader = FirstSheetReader(io.BytesIO(content), read_only=True, data_only=False)
    reader.read()
    if not reader.wb.worksheets:
        raise ImportRefused(NO_SUCH_SHEET.format(sheet=sheet_name))
    return reader.wb.worksheets[0]


def _check_sheet_shape(source: Any) -> None:
    """Refuse a sheet that holds more than the limits let us read, before openpyxl parses it:
    openpyxl builds each row's cells in memory, all of them, however many a row holds. This
    scan builds nothing and stops at the first element past the limits, so it costs no more
    than reading an allowed sheet."""
    shape = _SheetShape()
    _scan(source, start=shape.start)


class _SheetShape:
    """Counts a worksheet's rows, the cells of each row and its elements in all (blank rows
    and formatted empty cells are elements too)."""

    ROW, CELL = (f"{SPREADSHEET_NS}}}{tag}" for tag in ("row", "c"))

    def __init__(self) -> None:
        self.rows_limit = settings.SIGHTLINE_IMPORT_MAX_ROWS
        self.columns_limit = settings.SIGHTLINE_IMPORT_MAX_COLUMNS
        # A cell is an element or two (<c>, <v>); a sheet has a few more of its own.
        self.elements_limit = (self.rows_limit + 1) * (self.columns_limit + 1) * 2 + 10_000
        self.rows = self.cells_in_row = self.elements = 0

    def start(self, tag: str, attributes: Any) -> None:
        self.elements += 1
        if self.elements > self.elements_limit:
            raise ImportRefused(
                TOO_MANY_CELLS.format(rows=self.rows_limit, columns=self.columns_limit)
            )
        if tag == self.ROW:
            self.rows += 1
            self.cells_in_row = 0
            if self.rows > self.rows_limit + 1:  # the header and one row past the limit
                raise ImportRefused(TOO_MANY_ROWS.format(limit=self.rows_limit))
        elif tag == self.CELL:
            self.cells_in_row += 1
            if self.cells_in_row > EXCEL_COLUMNS:
                raise ImportRefused(NOT_XLSX)


def _shared_strings(source: Any) -> list[str]:
    """The workbook's table of texts as openpyxl reads it (plain text and rich-text runs,
    phonetic hints left out), with a limit: no more texts than the cells that the row and
    column limits let us read could use. Each text costs time to parse, so a table of millions
    of one-letter texts is refused as soon as it passes that many."""
    rows, columns = settings.SIGHTLINE_IMPORT_MAX_ROWS, settings.SIGHTLINE_IMPORT_MAX_COLUMNS
    texts = _TextsTable(limit=(rows + 1) * columns)
    _scan(source, start=texts.start, end=texts.end, data=texts.data)
    return texts.strings


class _TextsTable:
    """Collects the texts of xl/sharedStrings.xml as the scan reports its tags."""

    ITEM, TEXT, PHONETIC = (f"{SPREADSHEET_NS}}}{tag}" for tag in ("si", "t", "rPh"))

    def __init__(self, *, limit: int):
        self.limit = limit
        self.strings: list[str] = []
        self.pieces: list[str] = []
        self.in_phonetic = 0
        self.in_text = False

    def start(self, tag: str, attributes: Any) -> None:
        if tag == self.ITEM:
            self.pieces = []
        elif tag == self.PHONETIC:
            self.in_phonetic += 1
        elif tag == self.TEXT:
            self.in_text = not self.in_phonetic

    def end(self, tag: str) -> None:
        if tag == self.ITEM:
            self.strings.append("".join(self.pieces).replace("x005F_", ""))
            if len(self.strings) > self.limit:
                rows = settings.SIGHTLINE_IMPORT_MAX_ROWS
                columns = settings.SIGHTLINE_IMPORT_MAX_COLUMNS
                message = TOO_MANY_TEXTS.format(limit=self.limit, rows=rows, columns=columns)
                raise ImportRefused(message)
        elif tag == self.PHONETIC:
            self.in_phonetic -= 1
        elif tag == self.TEXT:
            self.in_text = False

    def data(self, text: str) -> None:
        if self.in_text:
            self.pieces.append(text)


def _scan(source: Any, *, start: Any, end: Any = None, data: Any = None) -> None:
    """Feed an XML part to expat, which calls back for each tag (names as `namespace}tag`) and
    builds nothing. Plain expat rather than defusedxml's parser, three times faster for it
    calls our handlers directly; it is guarded as defusedxml guards openpyxl's: no entity
    declarations, no external entities (and expat itself refuses entity expansion bombs)."""
    from xml.parsers import expat

    def refuse(*args: Any) -> Any:
        raise ImportRefused(NOT_XLSX)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if data is not None:
        parser.CharacterDataHandler = data
    while chunk := source.read(64 * 1024):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _check_unpacked_size(content: bytes) -> None:
    """Refuse a zip bomb before openpyxl unpacks anything. The sizes are the ones the archive
    declares; zipfile stops reading a member at its declared size (and then fails its CRC
    check), so a member that lies about its size cannot unpack past it either."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRefused(NOT_XLSX) from None
    parts_limit = settings.SIGHTLINE_IMPORT_MAX_ZIP_MEMBERS
    if len(members) > parts_limit:
        raise ImportRefused(TOO_MANY_PARTS.format(count=len(members), limit=parts_limit))
    unpacked = sum(member.file_size for member in members)
    limit = settings.SIGHTLINE_IMPORT_MAX_UNCOMPRESSED_BYTES
    if unpacked > limit:
        mib = 1024 * 1024
        raise ImportRefused(
            TOO_LARGE_UNPACKED.format(size=-(-unpacked // mib), limit=max(1, limit // mib))
        )


def _cell_text(cell: Any) -> str:
    value = cell.value
    if getattr(cell, "data_type", "") == "f":
        return "=" + str(value).lstrip("=")
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_of(table: list[list[str]]) -> list[ImportRow]:
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise ImportRefused(EMPTY_FILE)
    header = [cell.strip().lower() for cell in table[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportRefused(MISSING_COLUMNS.format(missing=", ".join(missing)))
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
