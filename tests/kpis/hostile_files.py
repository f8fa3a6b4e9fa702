"""Hostile spreadsheets, written by hand with zipfile so that each holds exactly the trick it
names: a declared dimension far larger than its cells, millions of compressible rows, a zip
bomb, a workbook of many parts, a header wider than any sheet needs."""

import io
import zipfile
from collections.abc import Iterable, Iterator

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER_ROW = (
    "<row>"
    + "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in ("kpi", "period", "value"))
    + "</row>"
)


SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
SHARED_STRINGS_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook(
    sheet: Iterable[str],
    *,
    extra_parts: dict[str, bytes] | None = None,
    shared_strings: Iterable[str] = (),
) -> bytes:
    """An XLSX whose first sheet's XML is `sheet` (and whose table of texts is
    `shared_strings`), streamed into the zip chunk by chunk."""
    buffer = io.BytesIO()
    strings = iter(shared_strings)
    first_strings = next(strings, None)
    content_types = CONTENT_TYPES
    if first_strings is not None:
        content_types = content_types.replace("</Types>", SHARED_STRINGS_TYPE + "</Types>")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", PACKAGE_RELATIONSHIPS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in sheet:
                part.write(chunk.encode())
        if first_strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(first_strings.encode())
                for chunk in strings:
                    part.write(chunk.encode())
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def declared_dimension_sheet(*, last_cell: str = "") -> Iterator[str]:
    """The finding's 4.9 KB file: a dimension of A1:XFD12000 and one cell (or, with
    `last_cell`, the header and one more cell at that far corner)."""
    yield SHEET_START + '<dimension ref="A1:XFD12000"/><sheetData>'
    if last_cell:
        yield HEADER_ROW.replace("<row>", '<row r="1">')
        row = "".join(ch for ch in last_cell if ch.isdigit())
        yield f'<row r="{row}"><c r="{last_cell}"><v>1</v></c></row>'
    else:
        yield '<row r="1"><c r="A1" t="inlineStr"><is><t>kpi</t></is></c></row>'
    yield "</sheetData></worksheet>"


def many_rows_sheet(rows: int) -> Iterator[str]:
    """The header and `rows` rows of one cell: 26 bytes a row, compressed about 400 times."""
    yield SHEET_START + "<sheetData>" + HEADER_ROW
    block = "<row><c><v>1</v></c></row>" * 10_000
    for _ in range(rows // 10_000):
        yield block
    yield "</sheetData></worksheet>"


def many_texts(count: int) -> Iterator[str]:
    """A table of `count` one-letter texts: 16 bytes each, compressed about 300 times."""
    yield SHARED_STRINGS_START
    block = "<si><t>x</t></si>" * 10_000
    for _ in range(count // 10_000):
        yield block
    yield "</sst>"


def wide_rows_sheet(rows: int, cells: int) -> Iterator[str]:
    """The header, then `rows` rows of `cells` numbers each: 16 bytes a cell."""
    yield SHEET_START + "<sheetData>" + HEADER_ROW
    row = "<row>" + "<c><v>1</v></c>" * cells + "</row>"
    for _ in range(rows):
        yield row
    yield "</sheetData></worksheet>"


def wide_header_sheet(columns: int) -> Iterator[str]:
    yield SHEET_START + "<sheetData>" + HEADER_ROW.replace("</row>", "")
    yield "".join(f"<c><v>{n}</v></c>" for n in range(columns))
    yield "</row></sheetData></worksheet>"


def zip_bomb(unpacked_mib: int) -> bytes:
    """A valid small workbook carrying one more part of `unpacked_mib` MiB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", PACKAGE_RELATIONSHIPS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS),
            ("xl/worksheets/sheet1.xml", SHEET_START + "<sheetData/></worksheet>"),
        ):
            archive.writestr(name, text)
        zeros = bytes(1024 * 1024)
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as part:
            for _ in range(unpacked_mib):
                part.write(zeros)
    return buffer.getvalue()


def many_parts(count: int) -> bytes:
    return workbook(
        many_rows_sheet(0), extra_parts={f"xl/media/part{n}.bin": b"x" for n in range(count)}
    )
