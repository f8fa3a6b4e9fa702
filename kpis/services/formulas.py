"""The save-time rules of a calculated KPI (DESIGN.md section 4, "Calculated KPIs").

A KPI with source `formula` has a formula that parses; every reference names, by code, one
numeric KPI (not ordinal, milestone or track) that the saving person may read, of the same or
a finer frequency; and no reference leads back to the KPI itself through other calculated
KPIs. Every refusal is on the field `formula` and names the 1-based column. A KPI that is no
calculated KPI has no formula. A calculated KPI has no entered actuals: switching a KPI with
actuals to `formula` is refused (and `Actual.clean` refuses new ones, the roll-up rule).
"""

from typing import Any

from django.core.exceptions import ValidationError

from kpis import formulas, scoring
from kpis.formula_graph import formula_graph, resolve
from kpis.formulas import Reference
from kpis.models import KPI
from kpis.selectors import visible_kpis

FORMULA_ONLY_FOR_CALCULATED = "Only a calculated KPI has a formula."
FORMULA_KPI_HAS_ACTUALS = (
    "This KPI has entered actuals, so it cannot become a calculated KPI: "
    "create a new calculated KPI instead."
)
UNKNOWN_CODE = "No KPI you may see has the code {reference} at column {column}."
CODE_SHARED = (
    "{count} KPIs have the code {reference}: give each its own code, then refer to it, "
    "at column {column}."
)
NOT_NUMERIC = (
    "{reference} is {kind} KPI; a formula reads numbers only (not ordinal, milestone or "
    "tracked KPIs) at column {column}."
)
COARSER_INPUT = (
    "{reference} is {input_frequency}, coarser than this {own_frequency} KPI: a formula reads "
    "KPIs of its own or a finer frequency, at column {column}."
)
CYCLE = "{reference} reads this KPI, so the formula would run in a circle, at column {column}."
SELF_REFERENCE = "{reference} is this KPI itself, at column {column}."

KIND_WORDS = {
    scoring.ORDINAL: "an ordinal",
    scoring.MILESTONE: "a milestone",
    scoring.TRACK: "a tracked",
}
FREQUENCY_ORDER = {scoring.MONTH: 0, scoring.QUARTER: 1, scoring.YEAR: 2}
FREQUENCY_WORDS = {scoring.MONTH: "monthly", scoring.QUARTER: "quarterly", scoring.YEAR: "yearly"}


def check_formula(*, kpi: KPI, by: Any = None) -> None:
    """Refuse, on `formula`, what a calculated KPI may not be saved with. `by` is the saving
    person, whose visibility limits what the references may name (None: a trusted caller,
    such as the demo seed, sees every KPI)."""
    if kpi.source != KPI.Source.FORMULA:
        if kpi.formula.strip():
            raise ValidationError({"formula": FORMULA_ONLY_FOR_CALCULATED})
        return
    if kpi.pk and kpi.actuals.exists():
        raise ValidationError({"source": FORMULA_KPI_HAS_ACTUALS})
    try:
        formula = formulas.parse(kpi.formula)
    except formulas.FormulaError as error:
        raise ValidationError({"formula": str(error)}) from None
    message = _reference_problem(kpi, formula, by)
    if message:
        raise ValidationError({"formula": message})


def _reference_problem(kpi: KPI, formula: formulas.Formula, by: Any) -> str:
    scorecard_id = kpi.objective.scorecard_id
    among = None if by is None else visible_kpis(by)
    found = resolve([(scorecard_id, r) for r in formula.references], among=among)
    columns = reference_columns(formula)
    resolved: dict[Reference, int] = {}
    for reference in formula.references:
        column = columns[reference]
        matches = found.get((scorecard_id, reference), [])
        if not matches:
            return UNKNOWN_CODE.format(reference=reference, column=column)
        if len(matches) > 1:
            return CODE_SHARED.format(count=len(matches), reference=reference, column=column)
        (target,) = matches
        if kpi.pk and target.id == kpi.pk:
            return SELF_REFERENCE.format(reference=reference, column=column)
        if target.target_type in KIND_WORDS:
            kind = KIND_WORDS[target.target_type]
            return NOT_NUMERIC.format(reference=reference, kind=kind, column=column)
        if FREQUENCY_ORDER[target.frequency] > FREQUENCY_ORDER[kpi.frequency]:
            return COARSER_INPUT.format(
                reference=reference,
                input_frequency=FREQUENCY_WORDS[target.frequency],
                own_frequency=FREQUENCY_WORDS[kpi.frequency],
                column=column,
            )
        resolved[reference] = target.id
    if kpi.pk:
        readers = formula_graph().readers_of({kpi.pk})
        for reference, target_id in resolved.items():
            if target_id in readers:
                return CYCLE.format(reference=reference, column=columns[reference])
    return ""


def reference_columns(formula: formulas.Formula) -> dict[Reference, int]:
    """The column of each reference's first use."""
    columns: dict[Reference, int] = {}
    for node in formulas.walk(formula.root):
        if isinstance(node, formulas.Ref | formulas.Over):
            columns.setdefault(node.reference, node.column)
    return columns


def live_check(*, text: str, kpi: KPI, by: Any) -> tuple[bool, str, list[Reference]]:
    """What the editor shows as a person types: (ok, the error, the references used). The
    KPI is the one edited (unsaved for a new one), with the frequency the form holds."""
    try:
        formula = formulas.parse(text)
    except formulas.FormulaError as error:
        return False, str(error), []
    message = _reference_problem(kpi, formula, by)
    if message:
        return False, message, []
    return True, "", formula.references
