"""Importing actuals from a spreadsheet: read the file, check every row, preview, apply.

A file is CSV (UTF-8) or XLSX with a header row naming the columns `kpi` (the KPI's id, or
its exact name), `period` (FY2026-Q3), `value`, and optionally `comment` and `scorecard` (the
scorecard's title or its unit's slug, needed when a KPI is named rather than numbered and the
name is not unique). Other columns, such as the template's `unit` and `target`, are ignored.
Row numbers are the spreadsheet's: the header is row 1.

The preview runs the very writes the import would make inside a transaction that is always
rolled back, so it reports every rule the services apply (future quarter, locked quarter,
roll-up KPI, red result without comment) and not an approximation of them.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from kpis import services
from kpis.forms import parse_number
from kpis.models import KPI, Actual
from scorecard.rules import may, visible_q
from scorecard.services import period_for_key

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
DUPLICATE = "Repeats row {first}: the same KPI and quarter appear twice."
UNKNOWN_KPI = 'No KPI "{kpi}" that you can see{where}.'
AMBIGUOUS_KPI = 'Several KPIs are named "{kpi}"{where}: use the KPI\'s id or add a scorecard.'
UNKNOWN_SCORECARD = 'No scorecard "{scorecard}" that you can see.'
NOT_YOURS = 'You may not enter actuals for "{kpi}": you neither own it nor manage its unit.'
HAS_ERRORS = "Nothing was imported: fix the rows marked as errors and upload the file again."
STALE = "Someone saved actuals in the meantime; check the preview again."

NEW, CHANGED, UNCHANGED, SKIPPED, ERROR = "new", "changed", "unchanged", "skipped", "error"
# Files with more rows than this are checked and imported by a Celery task, with progress.
BACKGROUND_ROWS = 300
# Rows tried per rolled-back transaction while checking: how often progress is reported.
CHUNK = 100

Progress = Callable[[int, int], None]


class ImportRefused(Exception):
    """The file as a whole cannot be imported (size, type, encoding, columns)."""


@dataclass
class ImportRow:
    number: int
    cells: dict[str, str]
    kind: str = NEW
    errors: list[str] = field(default_factory=list)
    kpi: KPI | None = None
    period: Any = None
    value: Decimal | None = None
    old_value: Decimal | None = None
    comment: str = ""
    version: int = 0
    label: str = ""
    decimals: int = 2

    def as_json(self) -> dict:
        """What a background job keeps of a checked row, to show its preview."""
        return {
            "number": self.number,
            "cells": self.cells,
            "kind": self.kind,
            "errors": self.errors,
            "label": self.label,
            "decimals": self.decimals,
            "old_value": _text(self.old_value),
            "value": _text(self.value),
            "comment": self.comment,
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ImportRow":
        return cls(
            number=data["number"],
            cells=dict(data["cells"]),
            kind=data["kind"],
            errors=list(data["errors"]),
            label=data["label"],
            decimals=data["decimals"],
            old_value=_number(data["old_value"]),
            value=_number(data["value"]),
            comment=data["comment"],
            version=data["version"],
        )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@dataclass
class Preview:
    rows: list[ImportRow]

    @property
    def has_errors(self) -> bool:
        return any(row.kind == ERROR for row in self.rows)

    def count(self, kind: str) -> int:
        return sum(row.kind == kind for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in (NEW, CHANGED, UNCHANGED, SKIPPED, ERROR)}

    @property
    def to_write(self) -> list[ImportRow]:
        return [row for row in self.rows if row.kind in (NEW, CHANGED)]


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


def preview(*, rows: list[ImportRow], user, progress: Progress | None = None) -> Preview:
    """Resolve and check every row, then try the writes and roll them back (in chunks, and
    saying how far it got after each when asked to)."""
    _resolve(rows, user)
    seen: dict[tuple[int, int], int] = {}
    for row in rows:
        if row.errors or row.kind == SKIPPED:
            continue
        assert row.kpi is not None
        key = (row.kpi.pk, row.period.pk)
        if key in seen:
            row.errors.append(DUPLICATE.format(first=seen[key]))
        seen.setdefault(key, row.number)
    _classify(rows)
    _dry_run(rows, user, progress)
    for row in rows:
        if row.errors:
            row.kind = ERROR
    return Preview(rows=rows)


def _resolve(rows: list[ImportRow], user) -> None:
    visible = KPI.objects.filter(visible_q(user, "objective__scorecard__org_unit__path"))
    ids = {int(r.cells["kpi"]) for r in rows if r.cells.get("kpi", "").isdigit()}
    names = {r.cells["kpi"] for r in rows if r.cells.get("kpi") and not r.cells["kpi"].isdigit()}
    # One query for every KPI the file names, by id or by name.
    candidates = list(
        visible.filter(Q(pk__in=ids) | Q(name__in=names)).select_related(
            "objective__scorecard__org_unit"
        )
    )
    by_id = {kpi.pk: kpi for kpi in candidates}
    periods: dict[str, Any] = {}
    for row in rows:
        if row.errors:
            continue
        if not row.cells.get("value"):
            row.kind = SKIPPED
            continue
        row.kpi = _kpi_of(row, by_id, candidates)
        if row.kpi is not None:
            row.label, row.decimals = row.kpi.name, row.kpi.decimals
        row.period = _period_of(row, periods)
        try:
            row.value = parse_number(row.cells["value"])
        except ValidationError as error:
            row.errors.extend(error.messages)
        row.comment = row.cells.get("comment", "")
        if row.kpi is not None and not may(user, "kpis.enter_actual", row.kpi):
            row.errors.append(NOT_YOURS.format(kpi=row.kpi.name))


def _kpi_of(row: ImportRow, by_id: dict[int, KPI], candidates: list[KPI]) -> KPI | None:
    text = row.cells.get("kpi", "")
    scorecard = row.cells.get("scorecard", "")
    where = f" in {scorecard}" if scorecard else ""
    if text.isdigit():
        found = by_id.get(int(text))
        matches = [found] if found else []
    else:
        matches = [kpi for kpi in candidates if kpi.name == text]
    if scorecard:
        matches = [kpi for kpi in matches if _in_scorecard(kpi, scorecard)]
    if not matches:
        row.errors.append(UNKNOWN_KPI.format(kpi=text, where=where))
        return None
    if len(matches) > 1:
        row.errors.append(AMBIGUOUS_KPI.format(kpi=text, where=where))
        return None
    return matches[0]


def _in_scorecard(kpi: KPI, scorecard: str) -> bool:
    card = kpi.objective.scorecard
    return scorecard.casefold() in (card.title.casefold(), card.org_unit.slug.casefold())


def _period_of(row: ImportRow, periods: dict[str, Any]):
    key = row.cells.get("period", "")
    if key not in periods:
        try:
            periods[key] = period_for_key(key)
        except ValidationError as error:
            periods[key] = error
    if isinstance(periods[key], ValidationError):
        row.errors.extend(periods[key].messages)
        return None
    return periods[key]


def _classify(rows: list[ImportRow]) -> None:
    pairs = [(row.kpi.pk, row.period.pk) for row in rows if row.kpi and row.period]
    wanted = set(pairs)
    kpi_ids = {kpi_id for kpi_id, _ in pairs}
    # One query for the current actuals of every KPI named, compared in memory.
    current = {
        (a.kpi_id, a.period_id): a
        for a in Actual.objects.filter(kpi_id__in=kpi_ids)
        if (a.kpi_id, a.period_id) in wanted
    }
    for row in rows:
        if row.errors or row.kind == SKIPPED or row.kpi is None or row.period is None:
            continue
        actual = current.get((row.kpi.pk, row.period.pk))
        if actual is None:
            row.kind, row.version = NEW, 0
            continue
        row.old_value, row.version = actual.value, actual.version
        # A blank comment cell keeps the comment already there.
        row.comment = row.comment or actual.comment
        same = actual.value == row.value and actual.comment == row.comment.strip()
        row.kind = UNCHANGED if same else CHANGED


def _dry_run(rows: list[ImportRow], user, progress: Progress | None) -> None:
    checked = [row for row in rows if row.kind in (NEW, CHANGED) and not row.errors]
    for start in range(0, len(checked), CHUNK):
        chunk = checked[start : start + CHUNK]
        outcome = services.actuals_enter_rows(
            rows=[_write_of(row) for row in chunk],
            by=user,
            source=Actual.Source.IMPORT,
            all_or_nothing=False,
            check_only=True,
        )
        for index, errors in outcome.errors.items():
            chunk[index].errors.extend(
                message for messages in errors.values() for message in messages
            )
        if progress:
            progress(start + len(chunk), len(checked))


def _write_of(row: ImportRow) -> dict:
    return {
        "kpi": row.kpi,
        "period": row.period,
        "value": row.value,
        "comment": row.comment,
        "based_on_version": row.version,
    }


@dataclass
class Applied:
    preview: Preview
    saved: int = 0
    refusal: str = ""


def stash(rows: list[ImportRow]) -> list[dict]:
    """What the session keeps between the preview and the confirmation: the cells and the
    version each row was compared with, so the confirmation checks everything again against
    the database as it is then and notices what changed in between."""
    return [{"number": row.number, "cells": row.cells, "version": row.version} for row in rows]


def recheck(*, stashed: list[dict], user, progress: Progress | None = None) -> Applied:
    """Check previewed rows again against the database as it is now: refused as a whole
    when a row is now in error or an actual changed since the preview."""
    rows = [ImportRow(number=item["number"], cells=dict(item["cells"])) for item in stashed]
    checked = preview(rows=rows, user=user, progress=progress)
    if checked.has_errors:
        return Applied(preview=checked, refusal=HAS_ERRORS)
    seen = {item["number"]: item["version"] for item in stashed}
    if any(row.version != seen.get(row.number) for row in checked.to_write):
        return Applied(preview=checked, refusal=STALE)
    return Applied(preview=checked)


def write(applied: Applied, user) -> Applied:
    """Write the new and changed rows of a rechecked preview, all or nothing."""
    outcome = services.actuals_enter_rows(
        rows=[_write_of(row) for row in applied.preview.to_write],
        by=user,
        source=Actual.Source.IMPORT,
        all_or_nothing=True,
    )
    applied.saved = len(outcome.saved)
    if outcome.rolled_back:
        # Someone wrote between the recheck and the write.
        applied.refusal = STALE
    return applied


def apply(*, stashed: list[dict], user) -> Applied:
    """Recheck the previewed rows and write them, all or nothing."""
    applied = recheck(stashed=stashed, user=user)
    return applied if applied.refusal else write(applied, user)
