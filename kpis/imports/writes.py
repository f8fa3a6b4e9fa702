"""Writing an import: the rows kept between the preview and the confirmation, checked again
against the database as it is then, and written all or nothing."""

from dataclasses import dataclass

from kpis import services
from kpis.imports.checks import preview, write_of
from kpis.imports.rows import ImportRow, Preview, Progress
from kpis.models import Actual

HAS_ERRORS = "Nothing was imported: fix the rows marked as errors and upload the file again."
STALE = "Someone saved actuals in the meantime; check the preview again."


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
        rows=[write_of(row) for row in applied.preview.to_write],
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
