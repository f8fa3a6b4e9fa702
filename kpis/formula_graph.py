"""Which KPIs a calculated KPI reads: its references resolved by code, and the graph of every
calculated KPI's inputs. Shared by the save-time checks (`kpis.services.formulas`), the
recompute chain (`kpis.recompute`) and the explanation. Reads only; a fixed number of
queries, whatever the number of formulas.

A reference `[CODE]` names the KPI with that code in the formula's own scorecard,
`[unit-slug:CODE]` the one in that unit's scorecard; archived KPIs are not found. Codes are
unique within a scorecard (the measures' rule); if two KPIs still share one, the reference is
ambiguous and resolves to neither.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from kpis import formulas
from kpis.formulas import Reference
from kpis.models import KPI

INPUT_COLUMNS = [
    "id",
    "code",
    "name",
    "source",
    "target_type",
    "frequency",
    "time_aggregation",
    "objective__scorecard_id",
    "objective__scorecard__org_unit_id",
    "objective__scorecard__org_unit__slug",
]


@dataclass(frozen=True)
class InputKpi:
    id: int
    code: str
    name: str
    source: str
    target_type: str
    frequency: str
    time_aggregation: str
    scorecard_id: int
    unit_id: int
    unit_slug: str

    @classmethod
    def from_row(cls, row: dict) -> "InputKpi":
        return cls(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            source=row["source"],
            target_type=row["target_type"],
            frequency=row["frequency"],
            time_aggregation=row["time_aggregation"],
            scorecard_id=row["objective__scorecard_id"],
            unit_id=row["objective__scorecard__org_unit_id"],
            unit_slug=row["objective__scorecard__org_unit__slug"],
        )


@dataclass
class Resolution:
    """For each reference: the KPIs it may name (none: unknown; two or more: ambiguous)."""

    found: dict[Reference, list[InputKpi]] = field(default_factory=dict)

    def one(self, reference: Reference) -> InputKpi | None:
        matches = self.found.get(reference, [])
        return matches[0] if len(matches) == 1 else None


def resolve(
    references: Iterable[tuple[int, Reference]], *, among: QuerySet[KPI] | None = None
) -> dict[tuple[int, Reference], list[InputKpi]]:
    """{(scorecard id, reference): the KPIs it names} for references made from a formula in
    that scorecard, among the given KPIs (default: every active one). One query."""
    wanted = list(dict.fromkeys(references))
    if not wanted:
        return {}
    codes = {reference.code for _, reference in wanted}
    queryset = (KPI.objects.all() if among is None else among).filter(
        archived_at__isnull=True, code__in=codes
    )
    local = {(scorecard_id, r.code) for scorecard_id, r in wanted if r.unit is None}
    elsewhere = {(r.unit, r.code) for _, r in wanted if r.unit is not None}
    condition = Q(pk__in=[])
    if local:
        condition |= Q(objective__scorecard_id__in={s for s, _ in local})
    if elsewhere:
        condition |= Q(objective__scorecard__org_unit__slug__in={u for u, _ in elsewhere})
    by_scorecard: dict[tuple[int, str], list[InputKpi]] = defaultdict(list)
    by_unit: dict[tuple[str, str], list[InputKpi]] = defaultdict(list)
    for row in queryset.filter(condition).order_by("id").values(*INPUT_COLUMNS):
        kpi = InputKpi.from_row(row)
        by_scorecard[(kpi.scorecard_id, kpi.code)].append(kpi)
        by_unit[(kpi.unit_slug, kpi.code)].append(kpi)
    return {
        (scorecard_id, reference): (
            by_unit.get((reference.unit, reference.code), [])
            if reference.unit
            else by_scorecard.get((scorecard_id, reference.code), [])
        )
        for scorecard_id, reference in wanted
    }


@dataclass(frozen=True)
class FormulaKpi:
    id: int
    scorecard_id: int
    unit_id: int
    frequency: str
    missing_values: str
    formula: formulas.Formula | None
    # The reference → the KPI id it reads (None: unknown or ambiguous).
    inputs: dict[Reference, int | None]
    error: str = ""

    def input_ids(self) -> set[int]:
        return {kpi_id for kpi_id in self.inputs.values() if kpi_id is not None}

    def read_over(self, kind: str) -> set[int]:
        """The input ids read through prev() or ytd()."""
        if self.formula is None:
            return set()
        found = {self.inputs.get(reference) for reference in self.formula.reads_over(kind)}
        return {kpi_id for kpi_id in found if kpi_id is not None}


@dataclass
class Graph:
    formulas: dict[int, FormulaKpi]
    inputs: dict[int, InputKpi]

    def readers_of(self, kpi_ids: set[int]) -> set[int]:
        """The calculated KPIs that read any of these KPIs, directly or through others."""
        readers: set[int] = set()
        frontier = set(kpi_ids)
        while frontier:
            found = {
                formula.id
                for formula in self.formulas.values()
                if formula.id not in readers and formula.input_ids() & frontier
            }
            readers |= found
            frontier = found
        return readers

    def in_order(self) -> list[int]:
        """The calculated KPIs, each after the calculated KPIs it reads (a cycle, which the
        save refuses, is broken where it is found)."""
        done: dict[int, None] = {}
        visiting: set[int] = set()

        def visit(kpi_id: int) -> None:
            if kpi_id in done or kpi_id in visiting or kpi_id not in self.formulas:
                return
            visiting.add(kpi_id)
            for input_id in sorted(self.formulas[kpi_id].input_ids()):
                visit(input_id)
            visiting.discard(kpi_id)
            done[kpi_id] = None

        for kpi_id in sorted(self.formulas):
            visit(kpi_id)
        return list(done)


FORMULA_COLUMNS = [
    "id",
    "formula",
    "frequency",
    "missing_values",
    "objective__scorecard_id",
    "objective__scorecard__org_unit_id",
]


def formula_graph(*, queryset: QuerySet[KPI] | None = None) -> Graph:
    """Every active calculated KPI (or those of `queryset`) with its inputs: two queries."""
    rows = list(
        (KPI.objects.all() if queryset is None else queryset)
        .filter(source=KPI.Source.FORMULA, archived_at__isnull=True)
        .order_by("id")
        .values(*FORMULA_COLUMNS)
    )
    parsed: dict[int, tuple[formulas.Formula | None, str]] = {}
    wanted: list[tuple[int, Reference]] = []
    for row in rows:
        try:
            formula = formulas.parse(row["formula"])
        except formulas.FormulaError as error:
            parsed[row["id"]] = (None, str(error))
            continue
        parsed[row["id"]] = (formula, "")
        wanted += [(row["objective__scorecard_id"], r) for r in formula.references]
    found = resolve(wanted)
    inputs = {kpi.id: kpi for matches in found.values() for kpi in matches}
    graph = Graph(formulas={}, inputs=inputs)
    for row in rows:
        parsed_formula, problem = parsed[row["id"]]
        scorecard_id = row["objective__scorecard_id"]
        references = parsed_formula.references if parsed_formula else []
        resolved: dict[Reference, int | None] = {}
        for reference in references:
            matches = found.get((scorecard_id, reference), [])
            resolved[reference] = matches[0].id if len(matches) == 1 else None
        graph.formulas[row["id"]] = FormulaKpi(
            id=row["id"],
            scorecard_id=scorecard_id,
            unit_id=row["objective__scorecard__org_unit_id"],
            frequency=row["frequency"],
            missing_values=row["missing_values"],
            formula=parsed_formula,
            inputs=resolved,
            error=problem,
        )
    return graph
