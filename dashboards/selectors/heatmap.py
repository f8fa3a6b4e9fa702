"""The heatmap of the dashboard: a subtree's units (tree order) with their overall and
per-perspective scores for a quarter, the changes against earlier quarters, and how fresh
each unit's data is."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from dashboards.selectors.freshness import Freshness, freshness_by_scorecard
from dashboards.selectors.quarters import (
    NO_DATA,
    key_of,
    period_before,
    period_year_before,
    score_change,
)
from kpis.models import ScoreSnapshot
from scorecard.models import OrgUnit, Period


@dataclass
class Cell:
    """One score on the heatmap: a unit's perspective or its overall score."""

    score: Decimal | None
    status: str
    qoq: Decimal | None = None
    yoy: Decimal | None = None
    reported: int = 0
    total: int = 0


@dataclass
class UnitRow:
    unit: OrgUnit
    level: int
    has_children: bool
    overall: Cell
    cells: dict[int, Cell]
    freshness: Freshness
    # How the page shows the row (set by the view): the cells of the shown columns, whether
    # its children are shown, whether it matches the status filter, its toggle's query.
    columns: list = field(default_factory=list)
    is_open: bool = False
    matches: bool = True
    toggle_query: str = ""


def _shown_units(root: OrgUnit, open_slugs: set[str]) -> list[OrgUnit]:
    """The units the tree shows (tree order): the root and the children of every open unit
    whose own ancestors from the root down are all open. Two queries that read only those
    units, never the rest of the subtree: the open units (by slug, a handful), then one
    index range of the materialised path per open branch, at the depth below it."""
    open_units = OrgUnit.objects.filter(slug__in=open_slugs, path__startswith=root.path)
    opened = {unit.path: unit for unit in open_units.only("path", "depth")}
    step = OrgUnit.steplen
    reachable = [
        unit
        for path, unit in opened.items()
        if all(path[:end] in opened for end in range(len(root.path), len(path), step))
    ]
    shown = Q(pk=root.pk)
    for unit in reachable:
        shown |= Q(path__startswith=unit.path, depth=unit.depth + 1)
    return list(OrgUnit.objects.filter(shown).select_related("scorecard").order_by("path"))


def heatmap_rows(
    *, root: OrgUnit, period: Period, open_slugs: set[str] | None = None
) -> list[UnitRow]:
    """The units of the root's subtree (tree order) with their overall and per-perspective
    scores for the period, the change against the quarter before (QoQ) and the same quarter
    a year before (YoY), and their data freshness. With `open_slugs`, only the units the
    tree shows (those whose ancestors are all open), read as such, so a first visit of a
    large subtree reads a few units and their scores (four queries: open units, units,
    snapshots, freshness); without, every unit (three: units, snapshots, freshness)."""
    if open_slugs is None:
        units = list(
            OrgUnit.objects.filter(path__startswith=root.path)
            .select_related("scorecard")
            .order_by("path")
        )
    else:
        units = _shown_units(root, open_slugs)
    return _rows_of(units, root=root, period=period)


def branch_rows(*, root: OrgUnit, parent: OrgUnit, period: Period) -> list[UnitRow]:
    """The rows of the parent's children only (tree order), levelled from `root`: what
    expanding one branch of the dashboard's tree adds. The work is the branch's, not the
    organization's: the children are one index range of the materialised path at one depth,
    and whether each has children of its own is treebeard's stored `numchild`. Three
    queries whatever the size of the tree: the children, their snapshots, their freshness."""
    children = (
        OrgUnit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .select_related("scorecard")
        .order_by("path")
    )
    return _rows_of(list(children), root=root, period=period)


def _rows_of(units: list[OrgUnit], *, root: OrgUnit, period: Period) -> list[UnitRow]:
    """The heatmap rows of these units (given in tree order): two queries, the snapshots of
    the three quarters compared and the freshness."""
    unit_ids = [unit.pk for unit in units]
    quarter_before, year_before = period_before(period), period_year_before(period)
    # The three periods in one read: the period's own rows and those of the two it is
    # compared with (of the same grain), told apart by the period's grain and start.
    rows = (
        ScoreSnapshot.objects.filter(
            scorecard__org_unit_id__in=unit_ids,
            subject_type__in=[
                ScoreSnapshot.SubjectType.PERSPECTIVE,
                ScoreSnapshot.SubjectType.SCORECARD,
            ],
        )
        # A subquery on the few period rows rather than a join: the snapshot table is then
        # read through its (period, scorecard, ...) index, three periods only.
        .filter(
            period_id__in=Period.objects.filter(
                Q(pk=period.pk)
                | Q(grain=year_before[0], start=year_before[1])
                | Q(grain=quarter_before[0], start=quarter_before[1])
            ).values("pk")
        )
        .values(
            "scorecard_id",
            "subject_type",
            "subject_id",
            "period__grain",
            "period__start",
            "score",
            "status",
            "reported",
            "total",
        )
    )
    now_key = key_of(period)
    found: dict[tuple, Any] = {}
    for row in rows:
        key = (row["scorecard_id"], row["subject_type"], row["subject_id"])
        found[(*key, (row["period__grain"], row["period__start"]))] = row

    def cell(scorecard_id: int, subject_type: str, subject_id: int) -> Cell | None:
        key = (scorecard_id, subject_type, subject_id)
        current = found.get((*key, now_key))
        if current is None:
            return None
        before = found.get((*key, quarter_before))
        year_ago = found.get((*key, year_before))
        return Cell(
            score=current["score"],
            status=current["status"],
            qoq=score_change(current["score"], before["score"] if before else None),
            yoy=score_change(current["score"], year_ago["score"] if year_ago else None),
            reported=current["reported"],
            total=current["total"],
        )

    freshness = freshness_by_scorecard(unit_ids=unit_ids, period=period)
    perspective_ids = sorted(
        {key[2] for key in found if key[1] == ScoreSnapshot.SubjectType.PERSPECTIVE}
    )
    result = []
    for unit in units:
        scorecard = getattr(unit, "scorecard", None)
        # treebeard keeps the number of children on each node (its moves and deletes too).
        has_children = unit.numchild > 0
        empty = Cell(score=None, status=NO_DATA)
        if scorecard is None:
            overall, cells, fresh = empty, {}, Freshness()
        else:
            overall = cell(scorecard.pk, "scorecard", scorecard.pk) or empty
            # The engine keeps a row for every perspective; one in which the scorecard has
            # no objective (no members) is no column of this unit.
            cells = {
                pid: found_cell
                for pid in perspective_ids
                if (found_cell := cell(scorecard.pk, "perspective", pid)) is not None
                and found_cell.total
            }
            fresh = freshness.get(scorecard.pk, Freshness())
        result.append(
            UnitRow(
                unit=unit,
                level=unit.depth - root.depth,
                has_children=has_children,
                overall=overall,
                cells=cells,
                freshness=fresh,
            )
        )
    return result
