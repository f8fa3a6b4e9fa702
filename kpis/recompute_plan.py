"""A full recompute as independent jobs that several Celery workers can share (issue 18).

The work is split two ways:

- **by period**: the periods of one grain are independent of each other (a month reads no
  other month) unless a calculated KPI reads `prev()` or `ytd()`; then they go in time order,
  in one job. Grains go finest first, a stage each: a quarter folds what its months wrote.
- **by subtree**: a large tree is cut into chunks of whole subtrees of at most
  `SIGHTLINE_RECOMPUTE_CHUNK_UNITS` scorecards, and the units above them (the "upper" part)
  go in a stage after their children, reading the chunks' snapshots as the incremental
  recompute reads members outside its chain. A roll-up child, a supporting objective and
  (checked here) a calculated KPI's inputs live in the same chunk or below the upper part,
  so no two jobs of a stage read what the other writes.

A job holds its periods for its whole transaction: alone (FOR UPDATE) when it is the only
job of its periods, shared (FOR SHARE) with the other chunks of the same periods. An
incremental recompute (FOR UPDATE) waits for them, and they for it, as before.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings

from kpis import formulas
from kpis.formula_graph import Graph
from scorecard.models import OrgUnit, Period, Scorecard


@dataclass(frozen=True)
class Job:
    """Recompute these scorecards (None: every one) in these periods, in this order."""

    period_ids: tuple[int, ...]
    scorecard_ids: tuple[int, ...] | None
    shared: bool = False

    def as_arguments(self) -> dict:
        """What a Celery task carries (JSON)."""
        return {
            "period_ids": list(self.period_ids),
            "scorecard_ids": None if self.scorecard_ids is None else list(self.scorecard_ids),
            "shared": self.shared,
        }


@dataclass(frozen=True)
class Chunks:
    """The tree cut into subtree chunks and the units above them."""

    chunks: list[tuple[int, ...]]
    upper: tuple[int, ...]


Stage = list[Job]


def full_plan(ordered_period_ids: list[int], *, graph: Graph) -> list[Stage]:
    """The stages of a full recompute of these periods (finest first, then by start): each
    stage's jobs are independent; a stage starts when the one before has ended."""
    grains = dict(Period.objects.filter(pk__in=ordered_period_ids).values_list("pk", "grain"))
    by_grain: dict[str, list[int]] = defaultdict(list)
    for pk in ordered_period_ids:
        if pk in grains:
            by_grain[grains[pk]].append(pk)
    groups_of = _period_groups(graph)
    tree = tree_chunks(settings.SIGHTLINE_RECOMPUTE_CHUNK_UNITS, graph=graph)
    stages: list[Stage] = []
    for periods in by_grain.values():  # in the order of `ordered_period_ids`: finest first
        groups = groups_of(periods)
        if tree is None:
            stages.append([Job(group, None) for group in groups])
            continue
        stages.append([Job(group, chunk, shared=True) for group in groups for chunk in tree.chunks])
        if tree.upper:
            stages.append([Job(group, tree.upper, shared=True) for group in groups])
    return stages


def _period_groups(graph: Graph):
    """How a grain's periods are grouped into jobs: in groups of
    `SIGHTLINE_RECOMPUTE_PERIODS_PER_TASK` (each job reads the structure once for its
    group), or all in one job, in time order, when a calculated KPI reads an earlier
    period (prev, ytd), which must then be recomputed first."""
    reads_earlier = any(
        formula.read_over(formulas.PREV) or formula.read_over(formulas.YTD)
        for formula in graph.formulas.values()
    )
    size = settings.SIGHTLINE_RECOMPUTE_PERIODS_PER_TASK

    def groups(periods: list[int]) -> list[tuple[int, ...]]:
        if reads_earlier:
            return [tuple(periods)]
        return [tuple(periods[start : start + size]) for start in range(0, len(periods), size)]

    return groups


def tree_chunks(limit: int, *, graph: Graph) -> Chunks | None:
    """The scorecards cut into chunks of whole subtrees of at most `limit` scorecards (small
    sibling subtrees packed together), and the scorecards above them; None when the whole
    organization fits in one chunk, or when a calculated KPI reads a KPI of another chunk.
    One query."""
    rows = sorted(Scorecard.objects.values_list("org_unit__path", "pk"))
    if len(rows) <= limit:
        return None
    step = OrgUnit.steplen
    size: Counter[str] = Counter()
    for path, _ in rows:
        for end in range(step, len(path) + 1, step):
            size[path[:end]] += 1
    children: dict[str, list[str]] = defaultdict(list)
    for path in sorted(size):
        if len(path) > step:
            children[path[:-step]].append(path)
    subtrees: list[str] = []
    upper_paths: set[str] = set()

    def split(path: str) -> None:
        if size[path] <= limit:
            subtrees.append(path)
            return
        upper_paths.add(path)
        for child in children[path]:
            split(child)

    for root in sorted(path for path in size if len(path) == step):
        split(root)
    chunk_of = _pack(subtrees, size, limit)
    chunks: list[list[int]] = [[] for _ in range(max(chunk_of.values(), default=-1) + 1)]
    upper: list[int] = []
    placed: dict[int, int | None] = {}
    for path, scorecard_id in rows:
        if path in upper_paths:
            upper.append(scorecard_id)
            placed[scorecard_id] = None
            continue
        root = next(
            path[:end] for end in range(step, len(path) + 1, step) if path[:end] in chunk_of
        )
        chunks[chunk_of[root]].append(scorecard_id)
        placed[scorecard_id] = chunk_of[root]
    if _formula_reads_across(graph, placed):
        return None
    return Chunks(chunks=[tuple(chunk) for chunk in chunks], upper=tuple(upper))


def _pack(subtrees: list[str], size: Counter[str], limit: int) -> dict[str, int]:
    """{subtree path: chunk number}: neighbouring subtrees (in path order) share a chunk
    while together they hold at most `limit` scorecards."""
    chunk_of: dict[str, int] = {}
    number, filled = 0, 0
    for path in subtrees:
        if filled and filled + size[path] > limit:
            number, filled = number + 1, 0
        chunk_of[path] = number
        filled += size[path]
    return chunk_of


def _formula_reads_across(graph: Graph, placed: dict[int, int | None]) -> bool:
    """Whether a calculated KPI in a chunk reads a KPI outside it (one in the upper part
    reads chunks that ran before it, which is fine)."""
    for formula in graph.formulas.values():
        home = placed.get(formula.scorecard_id)
        if home is None:
            continue
        for input_id in formula.input_ids():
            if placed.get(graph.inputs[input_id].scorecard_id) != home:
                return True
    return False
