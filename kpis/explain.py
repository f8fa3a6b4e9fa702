"""How a score was made: the members, their numbers and weights, who is missing, and the
formula with the numbers filled in. Read from the stored snapshots, so it explains exactly
the number the pages show."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from kpis import engine, feeds, formulas, recompute, scoring
from kpis.formula_graph import formula_graph
from kpis.models import KPI, ScoreSnapshot, Target
from kpis.selectors import started_kpi_ids
from kpis.updates import actual_history
from kpis.value_text import target_text, value_text
from scorecard.models import Period, Perspective, PerspectiveWeight, Scorecard
from scorecard.text import coded, measure_text, score_text
from strategy.models import Objective

UNKNOWN_SUBJECT = "There is no such score on this scorecard."
METHOD_WORDS = {
    scoring.SUM: "the sum",
    scoring.AVERAGE: "the average",
    scoring.MIN: "the lowest",
    scoring.MAX: "the highest",
    scoring.WEIGHTED_AVERAGE: "the weighted average (by KPI weight)",
}


class UnknownSubject(LookupError):
    """No such KPI, objective, perspective or scorecard on this scorecard."""


@dataclass
class Member:
    label: str
    kind: str
    number: Decimal | None
    weight: Decimal
    status: str = scoring.NO_DATA

    @property
    def missing(self) -> bool:
        return self.number is None


@dataclass
class Explanation:
    subject_type: str
    title: str
    snapshot: ScoreSnapshot | None
    summary: str
    # The first thing a person reads (issue 17): the status and the numbers in one sentence,
    # "On target: 41.5 % against 38.7 %"; the summary, members, formula and notes are the
    # arithmetic behind it, which the page folds away.
    headline: str = ""
    members: list[Member] = field(default_factory=list)
    formula: str = ""
    notes: list[str] = field(default_factory=list)
    # The decimals a KPI's values are shown with (its own); scores always show one.
    decimals: int = 1
    # A KPI's actual an import brought: the import, the run and the link to its source rows.
    provenance: feeds.Provenance | None = None

    @property
    def missing(self) -> list[Member]:
        return [member for member in self.members if member.missing]


def _n(value: Decimal | None, places: int = 6) -> str:
    """A weight or a tolerance as typed: up to `places` decimals, no trailing zeros."""
    if value is None:
        return "–"
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


def explain(
    *,
    scorecard: Scorecard,
    subject_type: str,
    subject_id: int,
    period: Period,
    provenance: bool = True,
) -> Explanation:
    """The explanation of a stored score. A KPI's says where an imported actual came from
    (the actual's history, and the runs when an import wrote some of it), unless the caller
    knows it already (`provenance=False`)."""
    snapshot = ScoreSnapshot.objects.filter(
        period=period, scorecard=scorecard, subject_type=subject_type, subject_id=subject_id
    ).first()
    builders = {
        engine.KPI: _explain_kpi,
        engine.OBJECTIVE: _explain_objective,
        engine.PERSPECTIVE: _explain_perspective,
        engine.SCORECARD: _explain_scorecard,
    }
    if subject_type not in builders:
        raise UnknownSubject(UNKNOWN_SUBJECT)
    explanation = builders[subject_type](scorecard, subject_id, period, snapshot)
    if provenance and subject_type == engine.KPI:
        explanation.provenance = value_origin(kpi_id=subject_id, period=period)
    return explanation


def value_origin(*, kpi_id: int, period: Period) -> feeds.Provenance | None:
    """The import and run behind the KPI's current actual in the period, if one brought it."""
    changes = actual_history(kpi=KPI(pk=kpi_id), period=period)
    return feeds.origin_of_value(
        [(change["old"], change["new"], change["provenance"]) for change in changes]
    )


def _scores_of(
    period: Period, subject_type: str, ids: list[int], *, scorecard: Scorecard | None = None
) -> dict[int, ScoreSnapshot]:
    rows = ScoreSnapshot.objects.filter(
        period=period, subject_type=subject_type, subject_id__in=ids
    )
    if scorecard is not None:
        # Perspective ids repeat across scorecards; the scorecard says whose it is.
        rows = rows.filter(scorecard=scorecard)
    return {row.subject_id: row for row in rows}


def _weighted_formula(members: list[Member]) -> str:
    scored = [m for m in members if m.number is not None]
    if not scored:
        return "Nothing below has a score yet, so there is no score."
    total_weight = sum((m.weight for m in scored), Decimal(0))
    if total_weight == 0:
        return "The members with a score all weigh 0, so there is no score."
    # Scores with one decimal, as the pages show them; the mean is worked on the stored ones.
    top = " + ".join(f"{score_text(m.number)} × {_n(m.weight, 4)}" for m in scored)
    weighted = sum(((m.number or Decimal(0)) * m.weight for m in scored), Decimal(0))
    mean = scoring.round6(weighted / total_weight)
    return f"({top}) ÷ {_n(total_weight, 4)} = {score_text(mean)}"


def _aggregate_explanation(subject_type, title, snapshot, members, what, noun) -> Explanation:
    reported = sum(1 for m in members if m.number is not None)
    summary = (
        f"The weighted mean of the scores of its {what}: {reported} of {len(members)} reported."
    )
    return Explanation(
        subject_type=subject_type,
        title=title,
        snapshot=snapshot,
        summary=summary,
        headline=aggregate_headline(snapshot, reported, len(members), noun),
        members=members,
        formula=_weighted_formula(members),
        notes=[_status_rule()],
    )


def _status_rule() -> str:
    return (
        f"Green from {score_text(scoring.GREEN_FROM)}, red below {score_text(scoring.RED_BELOW)}, "
        "amber between "
        "(scores run from 0 to 10)."
    )


def _explain_kpi(scorecard, kpi_id, period, snapshot) -> Explanation:
    kpi = KPI.objects.filter(pk=kpi_id, objective__scorecard=scorecard).first()
    if kpi is None:
        raise UnknownSubject(UNKNOWN_SUBJECT)
    target = Target.objects.filter(kpi=kpi, period=period).first()
    value = snapshot.value if snapshot else None
    explanation = Explanation(
        subject_type=engine.KPI,
        title=coded(kpi),
        snapshot=snapshot,
        summary="",
        decimals=kpi.decimals,
    )
    rollup = _add_rollup_members(explanation, kpi, period) if kpi.is_rollup else None
    if kpi.is_tracked:
        explanation.summary = TRACKED_SENTENCE
        explanation.headline = (
            f"Tracked: {with_unit(kpi, value_text(kpi, value))}, never scored."
            if value is not None
            else f"Tracked: no value for {period.label} yet."
        )
        return explanation
    evaluation = _add_formula_inputs(explanation, kpi, period) if kpi.is_formula else None
    if target is None:
        explanation.summary = f"No target is set for {period.label}, so there is no score."
        explanation.headline = f"No target for {period.label}, so no score."
        return explanation
    spec = kpi.target_spec(target)
    if spec.target_type not in scoring.DIRECTED:
        return _explain_other_type(explanation, kpi, target, value, period, rollup)
    try:
        red_flag = scoring.effective_red_flag(
            target=target.value,
            red_flag=target.red_flag,
            direction=scoring.ONE_SIDED[spec.target_type],
            tolerance_pct=kpi.tolerance_pct,
        )
    except scoring.TargetError as error:
        explanation.summary = f"The target cannot be scored: {error}"
        explanation.headline = explanation.summary
        return explanation
    better = "higher" if kpi.direction == scoring.UP else "lower"
    flag_origin = (
        "set by hand"
        if target.red_flag is not None
        else f"the default: {_n(kpi.tolerance_pct, 3)} % of the target away from it"
    )

    def v(number: Decimal | None) -> str:
        return measure_text(number, kpi.decimals)

    explanation.notes.append(
        f"{better.capitalize()} is better. Target {v(target.value)}; red flag {v(red_flag)} "
        f"({flag_origin})."
    )
    if value is None:
        explanation.summary = _no_value_sentence(period, rollup, evaluation)
        explanation.headline = f"No data: no value for {period.label} yet."
        return explanation
    explanation.summary = _kpi_status_sentence(kpi, value, target.value, red_flag)
    status = snapshot.status if snapshot else kpi.score(value, target).status
    explanation.headline = kpi_headline(kpi, status, value, target)
    if spec.target_type in scoring.STRICT and value == target.value:
        explanation.summary = (
            f"{v(value)} equals the target of {v(target.value)}, which it must pass "
            f"({'more' if kpi.direction == scoring.UP else 'less'} than the target): amber."
        )
    raw = (Decimal(10) * ((target.value - red_flag) + (value - red_flag))) / (
        3 * (target.value - red_flag)
    )
    clamped = min(max(raw, Decimal(0)), Decimal(10))
    explanation.formula = (
        f"10/3 × (1 + (a − r) ÷ (t − r)) = 10/3 × (1 + ({v(value)} − {v(red_flag)}) ÷ "
        f"({v(target.value)} − {v(red_flag)})) = {score_text(scoring.round6(raw))}"
        + (f", kept within 0–10: {score_text(scoring.round6(clamped))}" if clamped != raw else "")
    )
    return explanation


TRACKED_SENTENCE = (
    "A tracked KPI: measured, never scored. It has no target and counts in no aggregate."
)
STATUS_WORDS = {scoring.GREEN: "green", scoring.AMBER: "amber", scoring.RED: "red"}


# Where green, amber and red lie for each target type, in words (section 4): the editor
# shows the one chosen beside the type select; the targets grid previews the numbers.
TARGET_TYPE_ZONES = {
    "": "At least the target when the direction is up, at most when it is down.",
    scoring.AT_LEAST: (
        "Green at or above the target; amber from the red flag up to the target; red below "
        "the red flag (by default the target less the tolerance)."
    ),
    scoring.AT_MOST: (
        "Green at or below the target; amber from the target up to the red flag; red above "
        "the red flag (by default the target plus the tolerance)."
    ),
    scoring.MORE_THAN: (
        "Green only above the target (exactly the target is amber); amber down to the red "
        "flag; red below it (by default the target less the tolerance)."
    ),
    scoring.LESS_THAN: (
        "Green only below the target (exactly the target is amber); amber up to the red "
        "flag; red above it (by default the target plus the tolerance)."
    ),
    scoring.BAND: (
        "Green inside the band, from its low to its high edge; amber between an edge and its "
        "red flag; red beyond a red flag (by default the tolerance outside each edge)."
    ),
    scoring.MILESTONE: "Done is green and not done is red, in the periods in which it is due.",
    scoring.ORDINAL: (
        "Green at or above the target level; amber down to the red-flag level (by default "
        "the level below the target); red below it."
    ),
    scoring.TRACK: "Measured, never scored: no target, no status colour, no part of any score.",
}


def zones_sentence(kpi: KPI, target: Target, *, places: int | None = None) -> str:
    """Where green, amber and red lie for a target of the KPI, as a person reads it (the
    editor's preview and the explanation); "" when the target cannot score. The editor's
    preview shows the numbers as typed; the explanation passes the KPI's decimals."""

    def num(value: Decimal | None) -> str:
        return _n(value) if places is None else measure_text(value, places)

    spec = kpi.target_spec(target)
    try:
        low_flag, high_flag = scoring.effective_red_flags(spec)
    except (scoring.TargetError, ValueError):
        return ""
    kind = spec.target_type
    t = target.value
    if kind == scoring.BAND:
        return (
            f"green {num(t)}–{num(target.value_high)}, amber {num(low_flag)}–{num(t)} or "
            f"{num(target.value_high)}–{num(high_flag)}, red below {num(low_flag)} or above "
            f"{num(high_flag)}"
        )
    if kind == scoring.MILESTONE:
        return "green when done, red when not done"
    if kind == scoring.ORDINAL:
        levels = list(spec.levels)
        at, flag = int(t), int(low_flag or 0)
        return (
            f"green at {levels[at]} or above, amber at {' or '.join(levels[flag:at])}, "
            f"red below {levels[flag]}"
        )
    assert low_flag is not None
    up = scoring.ONE_SIDED[kind] == scoring.UP
    strict = kind in scoring.STRICT
    green = (
        ("above " if up else "below ") + num(t)
        if strict
        else f"{num(t)} or {'above' if up else 'below'}"
    )
    return (
        f"green {green}, amber {num(min(t, low_flag))}–{num(max(t, low_flag))}, "
        f"red {'below' if up else 'above'} {num(low_flag)}"
    )


def _explain_other_type(explanation, kpi, target, value, period, rollup) -> Explanation:
    """A band, a milestone or levels: where the zones lie, then the status."""
    zones = zones_sentence(kpi, target, places=kpi.decimals)
    if not zones:
        try:
            scoring.effective_red_flags(kpi.target_spec(target))
        except scoring.TargetError as error:
            explanation.summary = f"The target cannot be scored: {error}"
            explanation.headline = explanation.summary
        return explanation
    explanation.notes.append(f"{kpi.get_target_type_display()}: {zones}.")
    if value is None:
        explanation.summary = _no_value_sentence(period, rollup)
        explanation.headline = f"No data: no value for {period.label} yet."
        return explanation
    try:
        result = kpi.score(value, target)
    except (scoring.TargetError, scoring.ActualError) as error:
        explanation.summary = f"The value cannot be scored: {error}"
        explanation.headline = explanation.summary
        return explanation
    shown = _shown_value(kpi, value)
    explanation.summary = f"{shown} is {STATUS_WORDS[result.status]}: {zones}."
    explanation.headline = kpi_headline(kpi, result.status, value, target)
    if kpi.target_type == scoring.BAND:
        explanation.formula = (
            "the smaller of the scores against the low edge and against the high edge, "
            f"each 10/3 × (1 + (a − r) ÷ (t − r)): {score_text(result.score)}"
        )
    elif kpi.is_ordinal:
        explanation.formula = (
            "10/3 × (1 + (a − r) ÷ (t − r)) on level positions (0 = worst): "
            f"{score_text(result.score)}"
        )
    return explanation


STATUS_HEADINGS = {
    scoring.GREEN: "On target",
    scoring.AMBER: "At risk",
    scoring.RED: "Off target",
}


def with_unit(kpi: KPI, text: str) -> str:
    """A value in words with the KPI's unit after it ("41.5 %", "1,200 USD"); a level's
    name or a milestone's done stands alone."""
    if not kpi.unit or kpi.is_ordinal or kpi.target_type == scoring.MILESTONE:
        return text
    return f"{text} {kpi.unit}"


def kpi_headline(kpi: KPI, status: str, value: Decimal, target: Target) -> str:
    """ "On target: 41.5 % against 38.7 %": the status, the value and the target (a band's
    two edges, a level's name) at the KPI's decimals and with its unit."""
    heading = STATUS_HEADINGS.get(status, "No data")
    shown = with_unit(kpi, value_text(kpi, value))
    if kpi.target_type == scoring.MILESTONE:
        return f"{heading}: {shown}."
    return f"{heading}: {shown} against {with_unit(kpi, target_text(kpi, target))}."


def aggregate_headline(snapshot: ScoreSnapshot | None, reported: int, total: int, noun: str) -> str:
    """ "At risk: 5.8 out of 10, from 2 of 3 KPIs": an aggregate's status and score."""
    if snapshot is None or snapshot.score is None:
        return f"No score yet: none of its {total} {noun} has one." if total else "No score yet."
    heading = STATUS_HEADINGS.get(snapshot.status, "No data")
    return f"{heading}: {score_text(snapshot.score)} out of 10, from {reported} of {total} {noun}."


def _shown_value(kpi: KPI, value: Decimal) -> str:
    """The value as pages show it (the KPI's decimals, a level's name, done or not done),
    to open a sentence."""
    shown = value_text(kpi, value)
    return shown[:1].upper() + shown[1:]


def _kpi_status_sentence(kpi: KPI, value, target, red_flag) -> str:
    met = value >= target if kpi.direction == scoring.UP else value <= target
    crossed = value < red_flag if kpi.direction == scoring.UP else value > red_flag
    a, t, r = (measure_text(number, kpi.decimals) for number in (value, target, red_flag))
    if met:
        return f"{a} meets the target of {t}: green."
    if crossed:
        return f"{a} is past the red flag of {r}: red."
    return f"{a} misses the target of {t} but not the red flag of {r}: amber."


def _no_value_sentence(
    period: Period,
    rollup: scoring.RollupResult | None,
    evaluation: formulas.Evaluation | None = None,
) -> str:
    if evaluation is not None and evaluation.reason:
        return f"No value for {period.label}: {evaluation.reason}, so there is no score."
    if rollup is not None and rollup.too_large:
        return f"{TOO_LARGE} So there is no score."
    if rollup is not None and rollup.reported:
        return (
            f"No value for {period.label} yet: {rollup.reported} of {rollup.total} child KPIs "
            "reported and it waits for every one, so there is no score."
        )
    return f"No value for {period.label} yet, so there is no score."


def _add_rollup_members(explanation: Explanation, kpi: KPI, period: Period) -> scoring.RollupResult:
    children = list(
        KPI.objects.filter(rolls_up_to=kpi)
        .members_of(period)
        .select_related("objective__scorecard__org_unit")
    )
    values = _scores_of(period, engine.KPI, [child.pk for child in children])
    counting = _counting_children(children, values, period)
    explanation.members = [
        Member(
            label=f"{coded(child)} ({child.objective.scorecard.org_unit.name})",
            kind="child",
            number=values[child.pk].value if child.pk in values else None,
            weight=child.weight,
        )
        for child in counting
    ]
    method = kpi.rollup_method or scoring.SUM
    result = scoring.rollup_value(
        method,
        [(m.number, m.weight) for m in explanation.members],
        missing_children=kpi.missing_children,
    )
    explanation.notes.append(
        f"A roll-up: its value is {METHOD_WORDS[method]} of the values of the KPIs that roll up "
        f"to it, {result.reported} of {result.total} reported: "
        f"{measure_text(result.value, kpi.decimals)}."
    )
    explanation.notes.append(_missing_children_note(kpi, explanation.missing))
    if len(counting) < len(children):
        waiting = len(children) - len(counting)
        explanation.notes.append(
            f"{waiting} of its child KPIs have no actual or target up to {period.label} and do "
            "not count yet."
        )
    if result.too_large:
        explanation.notes.append(TOO_LARGE)
    return result


HOW_WORDS = {formulas.PREV: "the period before", formulas.YTD: "the fiscal year to date"}


def _add_formula_inputs(explanation: Explanation, kpi: KPI, period: Period) -> formulas.Evaluation:
    """The formula with its inputs' values as the engine read them (their stored values in
    the period, the period before and the year's earlier periods), or why it has none."""
    graph = formula_graph(queryset=KPI.objects.filter(pk=kpi.pk))
    found = graph.formulas.get(kpi.pk)
    facts = engine.KpiFacts(
        id=kpi.pk,
        scorecard_id=kpi.objective.scorecard_id,
        objective_id=kpi.objective_id,
        direction=kpi.direction,
        tolerance_pct=kpi.tolerance_pct,
        weight=kpi.weight,
        is_rollup=False,
        rollup_method=None,
        rolls_up_to_id=None,
        is_formula=True,
        formula=found.formula if found else None,
        formula_inputs=tuple(found.inputs.items()) if found else (),
        missing_values=kpi.missing_values,
    )
    input_ids = found.input_ids() if found else set()
    current = {
        kpi_id: row.value for kpi_id, row in _scores_of(period, engine.KPI, list(input_ids)).items()
    }
    previous = recompute.previous_period(period)
    earlier = recompute.earlier_in_year(period)
    stored = recompute.stored_values(
        kpi_ids=input_ids, periods=([previous] if previous else []) + earlier, graph=graph
    )

    def year_to_date(kpi_id: int) -> Decimal | None:
        values = [stored.get((kpi_id, p.pk)) for p in earlier] + [current.get(kpi_id)]
        present = [value for value in values if value is not None]
        return engine.fold(present, graph.inputs[kpi_id].time_aggregation)

    evaluation = engine.evaluate_formula(
        facts,
        current=current.get,
        previous=lambda kpi_id: stored.get((kpi_id, previous.pk)) if previous else None,
        year_to_date=year_to_date,
    )
    explanation.notes.append(_filled_in(kpi.formula, evaluation))
    names = {
        reference: graph.inputs[kpi_id].name
        for reference, kpi_id in (found.inputs.items() if found else [])
        if kpi_id is not None
    }
    listed = [
        f"{reference} {names.get(reference, '(no such KPI)')}"
        + (f" in {HOW_WORDS[how]}" if how in HOW_WORDS else "")
        + f": {_n(value) if value is not None else 'no value'}"
        for how, reference, value in evaluation.inputs
    ]
    policy = (
        "a missing input counts as 0"
        if kpi.missing_values == formulas.ZERO
        else "a missing input leaves it blank"
    )
    explanation.notes.append(
        "Calculated from "
        + ("; ".join(listed) if listed else "no input")
        + f" ({policy}; only the branch if() takes is read)."
    )
    if evaluation.reason:
        explanation.notes.append(f"No value: {evaluation.reason}.")
    return evaluation


def _filled_in(text: str, evaluation: formulas.Evaluation) -> str:
    """The formula, then the same with the values it read, then the result."""
    read = {(how, str(reference)): value for how, reference, value in evaluation.inputs}

    def shown(how: str, reference: str) -> str:
        if (how, reference) not in read:
            return reference if how == formulas.CURRENT else f"{how}({reference})"
        value = read[(how, reference)]
        return _n(value) if value is not None else "?"

    def substitute(match: re.Match) -> str:
        how, inner = match.group(1), match.group(2)
        reference = str(formulas.parse(inner).references[0])
        return shown(how.lower() if how else formulas.CURRENT, reference)

    filled = REFERENCE_PATTERN.sub(substitute, text)
    result = _n(evaluation.value) if evaluation.value is not None else "no value"
    return f"{text} = {filled} = {result}"


REFERENCE_PATTERN = re.compile(r"(?:\b(prev|ytd)\s*\(\s*)?(\[[^\[\]]*\])(?(1)\s*\))", re.I)


TOO_LARGE = (
    "The combined value is too large to store (at most "
    f"{scoring.COMPUTED_VALUE_DIGITS - 6} digits before the decimal point), so it is stored "
    "as no value."
)
MISSING_CHILDREN_WORDS = {
    scoring.REQUIRE_ALL: "it has no value until every child KPI has one",
    scoring.IGNORE: "a child KPI without a value is left out",
    scoring.ZERO: "a child KPI without a value counts as 0 (and not as reported)",
}


def _missing_children_note(kpi: KPI, missing: list[Member]) -> str:
    policy = kpi.effective_missing_children or scoring.IGNORE
    origin = "" if kpi.missing_children else " (the default for this method)"
    note = f"Missing children: {MISSING_CHILDREN_WORDS[policy]}{origin}."
    if missing:
        note += " Missing: " + ", ".join(m.label for m in missing) + "."
    return note


def _counting_children(
    children: list[KPI], values: dict[int, ScoreSnapshot], period: Period
) -> list[KPI]:
    """The children that count in the period: any actual or target in it or before (for a
    roll-up child, a child of its own that counted), as the engine decides."""
    started = started_kpi_ids(period, [child.pk for child in children])
    return [
        child
        for child in children
        if child.pk in started
        or (child.pk in values and values[child.pk].value is not None)
        or (child.is_rollup and child.pk in values and values[child.pk].total > 0)
    ]


def _explain_objective(scorecard, objective_id, period, snapshot) -> Explanation:
    objective = Objective.objects.filter(pk=objective_id, scorecard=scorecard).first()
    if objective is None:
        raise UnknownSubject(UNKNOWN_SUBJECT)
    kpis = list(objective.kpis.members_of(period))
    supporters = list(objective.supporters.members_of(period).select_related("scorecard__org_unit"))
    kpi_scores = _scores_of(period, engine.KPI, [kpi.pk for kpi in kpis])
    supporter_scores = _scores_of(period, engine.OBJECTIVE, [o.pk for o in supporters])
    members = [_member(coded(kpi), "KPI", kpi_scores.get(kpi.pk), kpi.weight) for kpi in kpis] + [
        _member(
            f"{coded(o)} ({o.scorecard.org_unit.name})",
            "supporting objective",
            supporter_scores.get(o.pk),
            Decimal(1),
        )
        for o in supporters
    ]
    return _aggregate_explanation(
        engine.OBJECTIVE,
        coded(objective),
        snapshot,
        members,
        "KPIs (by KPI weight) and of the objectives of other units that support it (weight 1 each)",
        "KPIs and supporting objectives" if supporters else "KPIs",
    )


def _member(label: str, kind: str, row: ScoreSnapshot | None, weight: Decimal) -> Member:
    return Member(
        label=label,
        kind=kind,
        number=row.score if row else None,
        weight=weight,
        status=row.status if row else scoring.NO_DATA,
    )


def _explain_perspective(scorecard, perspective_id, period, snapshot) -> Explanation:
    perspective = Perspective.objects.filter(pk=perspective_id).first()
    if perspective is None:
        raise UnknownSubject(UNKNOWN_SUBJECT)
    objectives = list(scorecard.objectives.filter(perspective=perspective).members_of(period))
    scores = _scores_of(period, engine.OBJECTIVE, [o.pk for o in objectives])
    members = [_member(coded(o), "objective", scores.get(o.pk), o.weight) for o in objectives]
    return _aggregate_explanation(
        engine.PERSPECTIVE,
        f"{perspective.name} of {scorecard.title}",
        snapshot,
        members,
        "objectives (by objective weight)",
        "objectives",
    )


def _explain_scorecard(scorecard, scorecard_id, period, snapshot) -> Explanation:
    if scorecard_id != scorecard.pk:
        raise UnknownSubject(UNKNOWN_SUBJECT)
    weights = dict(
        PerspectiveWeight.objects.filter(scorecard=scorecard).values_list(
            "perspective_id", "weight"
        )
    )
    with_objectives = set(
        scorecard.objectives.members_of(period).values_list("perspective_id", flat=True)
    )
    perspectives = [p for p in Perspective.objects.order_by("-order") if p.pk in with_objectives]
    scores = _scores_of(
        period, engine.PERSPECTIVE, [p.pk for p in perspectives], scorecard=scorecard
    )
    members = [
        _member(p.name, "perspective", scores.get(p.pk), weights.get(p.pk, Decimal(1)))
        for p in perspectives
    ]
    return _aggregate_explanation(
        engine.SCORECARD,
        scorecard.title,
        snapshot,
        members,
        "perspectives that hold at least one objective (by the scorecard's perspective weights)",
        "perspectives",
    )
