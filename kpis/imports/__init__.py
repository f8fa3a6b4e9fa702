"""Importing actuals from a spreadsheet: read the file, check every row, preview, apply.

A file is CSV (UTF-8) or XLSX with a header row naming the columns `kpi` (the KPI's id, its
code, `unit-slug:CODE` for a unit below the importing one, or its exact name), `period` (of
the KPI's frequency: 2026-03, FY2026-Q3 or FY2026), `value` (a level's name for an ordinal
KPI), and optionally `comment` and `scorecard` (the importing unit: the scorecard's title or
its unit's slug, needed when a code or a name is not unique; see `checks`). Other columns,
such as the template's `name`, `unit` and `target`, are ignored.
Row numbers are the spreadsheet's: the header is row 1.

The preview runs the very writes the import would make inside a transaction that is always
rolled back, so it reports every rule the services apply (future quarter, locked quarter,
roll-up KPI, red result without comment) and not an approximation of them.

One module per step: `files` reads the spreadsheet, `checks` checks its rows (the preview),
`writes` keeps them until the confirmation and writes them; `rows` is what they pass along.
Callers use the names below (`from kpis import imports; imports.preview(...)`); large files
take the same steps in a Celery task (`kpis.import_jobs`).
"""

from kpis.imports.checks import (
    AMBIGUOUS_KPI,
    DUPLICATE,
    NOT_YOURS,
    OUTSIDE_SUBTREE,
    UNKNOWN_KPI,
    UNKNOWN_SCORECARD,
    preview,
)
from kpis.imports.files import (
    EMPTY_FILE,
    FORMULA,
    MISSING_COLUMNS,
    NOT_CSV,
    NOT_UTF8,
    NOT_XLSX,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    TOO_LARGE,
    TOO_LARGE_UNPACKED,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_PARTS,
    TOO_MANY_ROWS,
    TOO_MANY_TEXTS,
    WRONG_TYPE,
    ImportRefused,
    max_bytes,
    read_table,
)
from kpis.imports.rows import (
    CHANGED,
    ERROR,
    NEW,
    SKIPPED,
    UNCHANGED,
    ImportRow,
    Preview,
    Progress,
)
from kpis.imports.writes import (
    HAS_ERRORS,
    STALE,
    Applied,
    apply,
    recheck,
    stash,
    write,
)

__all__ = [
    "AMBIGUOUS_KPI",
    "CHANGED",
    "DUPLICATE",
    "EMPTY_FILE",
    "ERROR",
    "FORMULA",
    "HAS_ERRORS",
    "MISSING_COLUMNS",
    "NEW",
    "NOT_CSV",
    "NOT_UTF8",
    "NOT_XLSX",
    "NOT_YOURS",
    "OPTIONAL_COLUMNS",
    "OUTSIDE_SUBTREE",
    "REQUIRED_COLUMNS",
    "SKIPPED",
    "STALE",
    "TOO_LARGE",
    "TOO_LARGE_UNPACKED",
    "TOO_MANY_CELLS",
    "TOO_MANY_COLUMNS",
    "TOO_MANY_PARTS",
    "TOO_MANY_ROWS",
    "TOO_MANY_TEXTS",
    "UNCHANGED",
    "UNKNOWN_KPI",
    "UNKNOWN_SCORECARD",
    "WRONG_TYPE",
    "Applied",
    "ImportRefused",
    "ImportRow",
    "Preview",
    "Progress",
    "apply",
    "max_bytes",
    "preview",
    "read_table",
    "recheck",
    "stash",
    "write",
]
