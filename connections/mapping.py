"""From source rows to the spreadsheet import's rows: which KPI, which period, which value.

The mapping is one JSON object (issue 16): the KPI from `kpi_id_column` (ids),
`kpi_code_column` (codes of the import unit's scorecard, or `unit-slug:CODE` for a unit below
it) or `kpi` (one fixed KPI id); the period from `period_column` (period keys) or
`date_column` (dates folded into each KPI's frequency by its time aggregation, in the
organization's time zone, with `kpis.engine.fold`); the value from `value_column`; a comment
from `comment_column`. The rows that come out are checked by the spreadsheet import's row
checks (`kpis.imports.preview`), so both imports apply one implementation of every rule."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError

from connections.readers import Table
from kpis.engine import fold
from kpis.imports import ImportRow
from kpis.models import KPI
from scorecard import fiscal
from scorecard.models import OrgUnit
from scorecard.selectors import fiscal_start_month

KPI_KEYS = ("kpi_id_column", "kpi_code_column", "kpi")
PERIOD_KEYS = ("period_column", "date_column")
KNOWN_KEYS = (*KPI_KEYS, *PERIOD_KEYS, "value_column", "comment_column")

NOT_AN_OBJECT = 'The mapping must be a JSON object, e.g. {"kpi_id_column": "kpi_id", ...}.'
ONE_KPI_KEY = "Name the KPI in exactly one way: kpi_id_column, kpi_code_column or kpi."
ONE_PERIOD_KEY = "Name the period in exactly one way: period_column or date_column."
NO_VALUE_COLUMN = "Name the column that holds the value: value_column."
UNKNOWN_KEYS = "Unknown mapping keys: {keys}. Known keys: {known}."
NOT_A_COLUMN_NAME = "{key} must name a column (a text)."
FIXED_KPI_ID = "kpi must be the id of one KPI (a whole number)."
MISSING_COLUMNS = "The source has no column {missing}; it has {present}."
NULL_VALUE = "The value ({column}) is empty: a row without a value is refused."
NULL_KPI = "The KPI ({column}) is empty."
NULL_PERIOD = "The period ({column}) is empty."
NOT_A_DATE = 'The date ({column}) "{value}" is not a date: use 2026-03-31.'
UNKNOWN_CODE = 'No KPI with code "{code}" in the scorecard of {unit}.'
UNKNOWN_UNIT = 'No unit "{slug}" below {unit}.'
SEVERAL_CODES = 'Several KPIs have code "{code}" in {unit}: use unit-slug:CODE or the KPI id.'
FOLD_FAILED = "The values folded into {period} cannot be combined: {problem}"


@dataclass
class Mapped:
    """The rows to check, and the source rows behind each (by the row's number)."""

    rows: list[ImportRow]
    sources: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


def check_mapping(mapping: Any) -> None:
    """Refuse a mapping that cannot be applied (ValidationError on `mapping`)."""
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": NOT_AN_OBJECT})
    errors = []
    unknown = sorted(set(mapping) - set(KNOWN_KEYS))
    if unknown:
        errors.append(UNKNOWN_KEYS.format(keys=", ".join(unknown), known=", ".join(KNOWN_KEYS)))
    if sum(key in mapping for key in KPI_KEYS) != 1:
        errors.append(ONE_KPI_KEY)
    if sum(key in mapping for key in PERIOD_KEYS) != 1:
        errors.append(ONE_PERIOD_KEY)
    if "value_column" not in mapping:
        errors.append(NO_VALUE_COLUMN)
    for key in (*KNOWN_KEYS,):
        if key == "kpi" or key not in mapping:
            continue
        if not isinstance(mapping[key], str) or not mapping[key].strip():
            errors.append(NOT_A_COLUMN_NAME.format(key=key))
    if "kpi" in mapping and not _is_id(mapping["kpi"]):
        errors.append(FIXED_KPI_ID)
    if errors:
        raise ValidationError({"mapping": errors})


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value < 2**63
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19


def columns_needed(mapping: dict) -> list[str]:
    return [
        mapping[key]
        for key in ("kpi_id_column", "kpi_code_column", *PERIOD_KEYS, "value_column")
        if key in mapping
    ] + ([mapping["comment_column"]] if "comment_column" in mapping else [])


def check_columns(table: Table, mapping: dict) -> str:
    """The refusal of a source that lacks a mapped column, or ''."""
    missing = [column for column in columns_needed(mapping) if column not in table.columns]
    if not missing or (not table.rows and not table.columns):
        return ""
    return MISSING_COLUMNS.format(
        missing=", ".join(missing), present=", ".join(table.columns) or "no columns"
    )


def map_rows(*, table: Table, mapping: dict, unit: OrgUnit) -> Mapped:
    """The source rows as import rows (cells kpi, period, value, comment), numbered from 1 in
    source order. With a date column, the rows of one KPI and period fold into one row."""
    resolved = _kpis_of(table.rows, mapping, unit)
    rows: list[ImportRow] = []
    sources: dict[int, list[dict[str, Any]]] = {}
    folding: dict[tuple[int, str], list[tuple[datetime.date, int, dict]]] = {}
    for number, source in enumerate(table.rows, start=1):
        row = ImportRow(number=number, cells={})
        kpi = _kpi_cell(row, source, mapping, resolved)
        value = source.get(mapping["value_column"])
        if _blank(value):
            row.errors.append(NULL_VALUE.format(column=mapping["value_column"]))
        row.cells.update(
            value=_text(value), comment=_text(source.get(mapping.get("comment_column", "")))
        )
        row.cells["kpi"] = str(kpi.pk) if kpi is not None else row.cells.get("kpi", "")
        row.label = kpi.name if kpi is not None else row.cells["kpi"]
        if "date_column" in mapping:
            day = _date_cell(row, source, mapping["date_column"])
            if kpi is not None and day is not None and not row.errors:
                key = fiscal.period_of(day, kpi.frequency, fiscal_start_month()).key
                folding.setdefault((kpi.pk, key), []).append((day, number, source))
                continue
        else:
            period = source.get(mapping["period_column"])
            if _blank(period):
                row.errors.append(NULL_PERIOD.format(column=mapping["period_column"]))
            row.cells["period"] = _text(period)
        rows.append(row)
        sources[number] = [source]
    by_id = {kpi.pk: kpi for kpi in resolved.values() if isinstance(kpi, KPI)}
    for (kpi_id, key), members in folding.items():
        row = _folded(by_id[kpi_id], key, members, mapping)
        rows.append(row)
        sources[row.number] = [source for _, _, source in sorted(members, key=lambda m: m[1])]
    rows.sort(key=lambda row: row.number)
    return Mapped(rows=rows, sources=sources)


def _folded(kpi: KPI, key: str, members: list, mapping: dict) -> ImportRow:
    """One row for the KPI and period from the source rows dated in it, oldest first (rows of
    one day keep their source order): their values folded by the KPI's time aggregation."""
    members = sorted(members, key=lambda member: (member[0], member[1]))
    number = min(member[1] for member in members)
    row = ImportRow(number=number, cells={"kpi": str(kpi.pk), "period": key})
    row.label = kpi.name
    try:
        values = [_decimal(source[mapping["value_column"]]) for _, _, source in members]
        folded = fold(values, kpi.time_aggregation)
    except (InvalidOperation, ValueError, ArithmeticError) as error:
        row.errors.append(FOLD_FAILED.format(period=key, problem=error))
        folded = None
    row.cells["value"] = "" if folded is None else format(folded.normalize(), "f")
    comments = [_text(source.get(mapping.get("comment_column", ""))) for _, _, source in members]
    row.cells["comment"] = "\n".join(comment for comment in comments if comment)
    return row


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = str(value).strip().replace(",", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f'"{value}" is not a number') from None


def _kpi_cell(row: ImportRow, source: dict, mapping: dict, resolved: dict) -> KPI | None:
    if "kpi" in mapping:
        row.cells["kpi"] = str(mapping["kpi"])
        return resolved.get(str(mapping["kpi"]))
    column = mapping.get("kpi_id_column") or mapping["kpi_code_column"]
    cell = source.get(column)
    if _blank(cell):
        row.errors.append(NULL_KPI.format(column=column))
        return None
    text = _text(cell)
    row.cells["kpi"] = text
    if "kpi_code_column" in mapping:
        found = resolved.get(text)
        if found is None:
            row.errors.append(
                resolved.get(("error", text), UNKNOWN_CODE.format(code=text, unit=""))
            )
        return found
    return resolved.get(text)


def _kpis_of(sources: Iterable[dict], mapping: dict, unit: OrgUnit) -> dict:
    """The KPIs the rows name, by the text that names them. Ids are resolved by the row
    checks (with the owner's permissions); codes here, within the import's unit: a bare code
    in the unit's own scorecards, `slug:CODE` in the scorecards of a unit below it."""
    from kpis.selectors import kpis_by_id

    if "kpi" in mapping:
        found = kpis_by_id([int(mapping["kpi"])])
        return {str(mapping["kpi"]): found.get(int(mapping["kpi"]))}
    if "kpi_id_column" in mapping:
        texts = {_text(s.get(mapping["kpi_id_column"])) for s in sources}
        ids = [int(t) for t in texts if t.isascii() and t.isdigit() and len(t) < 19]
        found = kpis_by_id(ids)
        return {text: found.get(int(text)) for text in texts if text in {str(i) for i in ids}}
    return _kpis_by_code({_text(s.get(mapping["kpi_code_column"])) for s in sources}, unit)


def _kpis_by_code(texts: set[str], unit: OrgUnit) -> dict:
    from kpis.selectors import kpis_by_code_in_units

    texts.discard("")
    wanted: dict[str, tuple[str, str]] = {}
    for text in texts:
        slug, _, code = text.rpartition(":")
        wanted[text] = (slug.strip() or unit.slug, code.strip())
    units = {
        u.slug: u
        for u in OrgUnit.objects.filter(
            path__startswith=unit.path, slug__in={slug for slug, _ in wanted.values()}
        )
    }
    found = kpis_by_code_in_units(
        unit_ids=[u.pk for u in units.values()], codes={code for _, code in wanted.values()}
    )
    resolved: dict[Any, Any] = {}
    for text, (slug, code) in wanted.items():
        target = units.get(slug)
        if target is None:
            resolved[("error", text)] = UNKNOWN_UNIT.format(slug=slug, unit=unit.name)
            continue
        matches = found.get((target.pk, code.casefold()), [])
        if len(matches) == 1:
            resolved[text] = matches[0]
        elif matches:
            resolved[("error", text)] = SEVERAL_CODES.format(code=code, unit=target.name)
        else:
            resolved[("error", text)] = UNKNOWN_CODE.format(code=code, unit=target.name)
    return resolved


def _date_cell(row: ImportRow, source: dict, column: str) -> datetime.date | None:
    value = source.get(column)
    if _blank(value):
        row.errors.append(NULL_PERIOD.format(column=column))
        return None
    if isinstance(value, datetime.datetime):
        # A moment is dated in the organization's time zone: 23:30 UTC may be tomorrow there.
        zone = ZoneInfo(settings.TIME_ZONE)
        return (
            (value if value.tzinfo else value.replace(tzinfo=datetime.UTC)).astimezone(zone).date()
        )
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        if len(text) > 10:
            return _date_cell(row, {column: datetime.datetime.fromisoformat(text)}, column)
        return datetime.date.fromisoformat(text)
    except ValueError:
        row.errors.append(NOT_A_DATE.format(column=column, value=text[:40]))
        return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "").strip()
