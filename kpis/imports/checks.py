"""Checking the rows of an import: which KPI and period each names, whether the person may
enter it, what it would change, and every rule the services apply, found by trying the writes
in transactions that are always rolled back.

A row's `kpi` names the KPI by its id, by its code (`1.2.1`: a code of the importing unit's
scorecard, the row's `scorecard`, or without one of any scorecard the person sees, when only
one has it), by `unit-slug:CODE` (a code of that unit's scorecard, which must be the
importing unit or a unit below it), or by its exact name. Its `period` may be of any grain;
the services refuse one that is not at the KPI's frequency."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower

from kpis import services
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
from kpis.models import KPI, Actual
from kpis.services.numbers import kpi_value, parse_number
from scorecard.ids import BIGGEST_ID
from scorecard.models import OrgUnit
from scorecard.rules import may, visible_q
from scorecard.selectors import period_lookup, visible_scorecards

DUPLICATE = "Repeats row {first}: the same KPI and period appear twice."
UNKNOWN_KPI = 'No KPI "{kpi}" that you can see{where}.'
AMBIGUOUS_KPI = 'Several KPIs are named "{kpi}"{where}: use the KPI\'s id or add a scorecard.'
UNKNOWN_SCORECARD = 'No scorecard "{scorecard}" that you can see.'
OUTSIDE_SUBTREE = (
    '"{kpi}" names {unit}, which is neither {importing} nor a unit below it: import it with '
    "that unit's scorecard, or from a unit above both."
)
NOT_YOURS = 'You may not enter actuals for "{kpi}": you neither own it nor manage its unit.'
# Rows tried per rolled-back transaction while checking: how often progress is reported.
CHUNK = 100


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
    ids = {_kpi_id(r.cells.get("kpi", "")) for r in rows} - {None}
    texts = {r.cells["kpi"] for r in rows if r.cells.get("kpi") and _kpi_id(r.cells["kpi"]) is None}
    codes = {_unit_code(text)[1] for text in texts}
    # One query for every KPI the file names, by id, by code or by name.
    candidates = list(
        visible.filter(Q(pk__in=ids) | Q(name__in=texts) | Q(code__in=codes - {""})).select_related(
            "objective__scorecard__org_unit"
        )
    )
    by_id = {kpi.pk: kpi for kpi in candidates}
    importing = _importing_units(rows, user, any(":" in text for text in texts))
    periods: dict[str, Any] = {}
    for row in rows:
        if row.errors:
            continue
        if not row.cells.get("value"):
            row.kind = SKIPPED
            continue
        row.kpi = _kpi_of(row, by_id, candidates, importing)
        if row.kpi is not None:
            row.label, row.decimals = row.kpi.name, row.kpi.decimals
            row.levels = list(row.kpi.levels or []) if row.kpi.is_ordinal else []
        row.period = _period_of(row, periods)
        try:
            # An ordinal KPI's cell may name its level; numbers read as everywhere else.
            row.value = (
                kpi_value(row.kpi, row.cells["value"])
                if row.kpi is not None
                else parse_number(row.cells["value"])
            )
        except ValidationError as error:
            row.errors.extend(error.messages)
        row.comment = row.cells.get("comment", "")
        if row.kpi is not None and not may(user, "kpis.enter_actual", row.kpi):
            row.errors.append(NOT_YOURS.format(kpi=row.kpi.name))


def _kpi_id(text: str) -> int | None:
    """The id a `kpi` cell names, or None when it names a KPI by name. Only ASCII digits of
    an id a bigint holds count: `str.isdigit` also takes "²" and "١", which `int` refuses or
    reads as another number, and 10,000 digits would pass it and overflow every id."""
    if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= BIGGEST_ID:
        return int(text)
    return None


def _unit_code(text: str) -> tuple[str, str]:
    """(unit slug, code) of a `unit-slug:CODE` cell; ("", text) for a bare code. A code
    holds no colon (strategy.models.CODE_PATTERN), so the first colon is the separator."""
    slug, colon, code = text.partition(":")
    if colon and slug.strip() and code.strip():
        return slug.strip().lower(), code.strip()
    return "", text.strip()


def _importing_units(rows: list[ImportRow], user, needed: bool) -> dict[str, OrgUnit]:
    """The units the file's `scorecard` cells name (by scorecard title or unit slug,
    case-insensitively) among those the person sees, by the casefolded cell; read only when
    a row names a KPI as `unit-slug:CODE`, whose unit must lie in the importing unit's
    subtree (one query)."""
    named = {r.cells["scorecard"].lower() for r in rows if r.cells.get("scorecard")}
    if not needed or not named:
        return {}
    units: dict[str, OrgUnit] = {}
    cards = visible_scorecards(user).annotate(
        lower_title=Lower("title"), lower_slug=Lower("org_unit__slug")
    )
    for card in cards.filter(Q(lower_title__in=named) | Q(lower_slug__in=named)):
        for name in (card.title.lower(), card.org_unit.slug.lower()):
            if name in named:
                units.setdefault(name, card.org_unit)
    return units


def _kpi_of(
    row: ImportRow, by_id: dict[int, KPI], candidates: list[KPI], importing: dict[str, OrgUnit]
) -> KPI | None:
    text = row.cells.get("kpi", "")
    scorecard = row.cells.get("scorecard", "")
    where = f" in {scorecard}" if scorecard else ""
    pk = _kpi_id(text)
    slug, code = _unit_code(text)
    if pk is not None:
        found = by_id.get(pk)
        matches = [found] if found else []
    elif slug:
        return _kpi_below(row, slug, code, candidates, importing)
    else:
        # A code first: codes are what a published scorecard names its measures by.
        matches = [kpi for kpi in candidates if kpi.code and kpi.code == code]
        if scorecard:
            matches = [kpi for kpi in matches if _in_scorecard(kpi, scorecard)]
        matches = matches or [kpi for kpi in candidates if kpi.name == text]
    if scorecard:
        matches = [kpi for kpi in matches if _in_scorecard(kpi, scorecard)]
    if not matches:
        row.errors.append(UNKNOWN_KPI.format(kpi=text, where=where))
        return None
    if len(matches) > 1:
        row.errors.append(AMBIGUOUS_KPI.format(kpi=text, where=where))
        return None
    return matches[0]


def _kpi_below(
    row: ImportRow, slug: str, code: str, candidates: list[KPI], importing: dict[str, OrgUnit]
) -> KPI | None:
    """The KPI `unit-slug:CODE` names: the code in that unit's scorecard, a unit that must be
    the importing unit (the row's `scorecard`) or lie below it."""
    text = row.cells.get("kpi", "")
    scorecard = row.cells.get("scorecard", "")
    found = next(
        (
            kpi
            for kpi in candidates
            if kpi.code == code and kpi.objective.scorecard.org_unit.slug.lower() == slug
        ),
        None,
    )
    if found is None:
        row.errors.append(UNKNOWN_KPI.format(kpi=text, where=""))
        return None
    if scorecard:
        unit = importing.get(scorecard.lower())
        if unit is None:
            row.errors.append(UNKNOWN_SCORECARD.format(scorecard=scorecard))
            return None
        if not found.objective.scorecard.org_unit.path.startswith(unit.path):
            row.errors.append(
                OUTSIDE_SUBTREE.format(
                    kpi=text, unit=found.objective.scorecard.org_unit.name, importing=unit.name
                )
            )
            return None
    return found


def _in_scorecard(kpi: KPI, scorecard: str) -> bool:
    card = kpi.objective.scorecard
    return scorecard.casefold() in (card.title.casefold(), card.org_unit.slug.casefold())


def _period_of(row: ImportRow, periods: dict[str, Any]):
    key = row.cells.get("period", "")
    if key not in periods:
        try:
            periods[key] = period_lookup(key)
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
            rows=[write_of(row) for row in chunk],
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


def write_of(row: ImportRow) -> dict:
    return {
        "kpi": row.kpi,
        "period": row.period,
        "value": row.value,
        "comment": row.comment,
        "based_on_version": row.version,
    }
